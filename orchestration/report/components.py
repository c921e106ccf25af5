"""The components of each status, written out so an evaluator can recompute it by hand.

Every number is one fct_target_progress stored; this module only lays them out in the
formula of the target's method (the rules themselves live in the dbt model, the bands in
dim_progress_band).
"""

from __future__ import annotations

from orchestration.report.records import Target
from orchestration.report.wording import (
    DASH,
    GAP_FAMILY,
    Context,
    band_bound,
    band_ranges,
    bands_text,
    latest_text,
    num,
    or_dash,
    pct,
    range_key,
    ratio,
    years_detail_text,
)

Component = tuple[str, str, str]  # symbol, meaning, value


def components(ctx: Context, target: Target) -> list[Component]:
    """(symbol, meaning, value) rows from which the status can be recomputed by hand."""
    if target.progress_method == "growth_ratio":
        rows = _growth_components(ctx, target)
    elif target.progress_method == "pro_rata":
        rows = _pro_rata_components(ctx, target)
    elif target.progress_method == "gap_change":
        rows = _gap_change_components(ctx, target)
    elif target.progress_method == "not_judged":
        rows = [("", ctx.t("component.method"), ctx.code("progress_method", "not_judged"))]
    else:  # years_met, year_on_year: the years of the period met
        rows = _years_met_components(ctx, target)
    if target.verdict_stage == "final":  # achieved or not: the bands do not apply
        rows += _final_components(ctx, target)
    else:
        rows.append(("", ctx.t("component.thresholds"), bands_text(ctx)))
    return [*rows, ("", ctx.t("component.result"), result_text(ctx, target))]


def _final_components(ctx: Context, target: Target) -> list[Component]:
    """After the due year: the final value against the target, its gap and share."""
    if target.final_value is None or target.gap_to_target is None:
        return []
    family = target.indicator_family
    final, goal = num(target.final_value, family), num(target.target_value, family)
    # as int_target_progress_components: the gap and share turn round for a decrease
    first, second = (final, goal) if target.direction == "decrease" else (goal, final)
    share = DASH
    if target.share_achieved is not None:
        share = f"{second} / {first} = {pct(target.share_achieved)}"
    gap = f"{first} − {second} = {num(target.gap_to_target, family)}"
    return [
        ("", ctx.t("col.final_year"), or_dash(target.final_year)),
        ("", ctx.t("col.final_value"), final),
        ("", ctx.t("col.gap_to_target"), gap),
        ("", ctx.t("col.share_achieved"), share),
    ]


def result_text(ctx: Context, target: Target) -> str:
    """How the stored status follows from the stored components, and the status."""
    return f"{result_reason(ctx, target)} → {ctx.status(target.progress_status)}"


def result_reason(ctx: Context, target: Target) -> str:
    """Why the stored status follows from the stored components: a band status from the
    ratio and the bounds of its band (dim_progress_band), else the status reason."""
    status = target.progress_status
    ranges = {s: (lower, upper) for s, lower, upper in band_ranges(ctx.data.rules.bands)}
    narrowed = status in ("achieved", "on_track") and target.progress_method == "gap_change"
    if narrowed and target.change_value is not None and target.status_reason is None:
        why = ctx.t(
            "result.gap_narrowed",
            change=ctx.t("format.points", value=num(target.change_value, GAP_FAMILY)),
            lower=num(target.change_ci_lower, GAP_FAMILY),
            upper=num(target.change_ci_upper, GAP_FAMILY),
        )
    elif status == "achieved" and target.progress_method == "years_met":
        why = ctx.t("result.annual_met", met=target.years_met, assessed=target.years_assessed)
    elif status == "achieved":
        latest = num(target.latest_value, target.indicator_family)
        why = ctx.t("result.met", value=latest, label=ctx.target_label(target))
    elif status in ranges and target.progress_ratio is not None:
        lower, upper = ranges[status]
        bounds = {}
        if lower is not None:
            bounds["lower"] = band_bound(lower)
        if upper is not None:
            bounds["upper"] = band_bound(upper)
        key = f"result.band_{range_key(lower, upper)}"
        why = ctx.t(key, r=ratio(target.progress_ratio), **bounds)
    else:
        why = ctx.reason(target.status_reason)
    return why


def _target_meaning(ctx: Context, target: Target) -> str:
    return ctx.t("component.yT") + ctx.paren(ctx.target_label(target))


def _latest_component(ctx: Context, target: Target) -> str:
    """The latest value as a number, or the dash and the reason when it is suppressed."""
    if target.latest_quality_flag == "suppress":
        return latest_text(ctx, target)
    return num(target.latest_value, target.indicator_family)


def _growth_components(ctx: Context, target: Target) -> list[Component]:
    family = target.indicator_family
    y0 = num(target.baseline_value, family)
    yt = num(target.latest_value, family)
    y_target = num(target.target_value, family)
    t0, t, t_target = target.baseline_year, target.latest_year, target.target_year
    cagr_obs, cagr_req = target.cagr_observed, target.cagr_required
    obs = DASH
    if cagr_obs is not None and t is not None and t0 is not None:
        obs = f"({yt} / {y0})^(1/{t - t0}) − 1 = {pct(cagr_obs, 2)}"
    req = DASH
    if cagr_req is not None and t_target is not None and t0 is not None:
        req = f"({y_target} / {y0})^(1/{t_target - t0}) − 1 = {pct(cagr_req, 2)}"
    decrease = target.direction == "decrease"
    r_value = DASH
    if target.progress_ratio is not None:
        flip = " × (−1)" if decrease else ""
        r_value = (
            f"{pct(cagr_obs, 2)} / |{pct(cagr_req, 2)}|{flip} = {ratio(target.progress_ratio)}"
        )
    r_meaning = "CAGR_obs / |CAGR_req|" + (ctx.t("component.r_decrease") if decrease else "")
    share = DASH
    if target.share_of_way is not None:
        share = f"({yt} − {y0}) / ({y_target} − {y0}) = {pct(target.share_of_way)}"
    return [
        ("", ctx.t("component.method"), ctx.code("progress_method", "growth_ratio")),
        ("y₀", ctx.t("component.y0"), y0),
        ("t₀", ctx.t("component.t0"), or_dash(t0)),
        ("y_t", ctx.t("component.yt"), _latest_component(ctx, target)),
        ("t", ctx.t("component.t"), or_dash(t)),
        ("y_T", _target_meaning(ctx, target), y_target),
        ("T", ctx.t("component.T"), or_dash(t_target)),
        ("CAGR_obs", ctx.t("component.cagr_obs"), obs),
        ("CAGR_req", ctx.t("component.cagr_req"), req),
        ("R", f"{ctx.t('component.r_growth')} {r_meaning}", r_value),
        ("", ctx.t("component.share_of_way"), share),
    ]


def _pro_rata_components(ctx: Context, target: Target) -> list[Component]:
    family = target.indicator_family
    start, end, t = target.period_start, target.period_end, target.latest_year
    elapsed = pct(target.elapsed_share)
    if target.elapsed_share is not None and t is not None:
        elapsed = f"min(1, ({t} − {start} + 1) / ({end} − {start} + 1)) = {elapsed}"
    expected = DASH
    if target.expected_to_date is not None:
        expected = (
            f"{num(target.target_value, family)} × {pct(target.elapsed_share)} = "
            f"{num(target.expected_to_date, family)}"
        )
    r_value = DASH
    if target.progress_ratio is not None:
        r_value = (
            f"{num(target.latest_value, family)} / {num(target.expected_to_date, family)}"
            f" = {ratio(target.progress_ratio)}"
        )
    return [
        ("", ctx.t("component.method"), ctx.code("progress_method", "pro_rata")),
        ("", ctx.t("component.period"), f"{start}–{end}"),
        ("y_T", _target_meaning(ctx, target), num(target.target_value, family)),
        ("t", ctx.t("component.t"), or_dash(t)),
        ("Σ", ctx.t("component.total"), _latest_component(ctx, target)),
        ("e", ctx.t("component.elapsed"), elapsed),
        ("E", ctx.t("component.expected"), expected),
        ("R", f"{ctx.t('component.r_pro_rata')} Σ / E", r_value),
    ]


def _years_met_components(ctx: Context, target: Target) -> list[Component]:
    met, assessed = target.years_met, target.years_assessed
    r_value = DASH
    if target.progress_ratio is not None:
        r_value = f"{met} / {assessed} = {ratio(target.progress_ratio)}"
    return [
        ("", ctx.t("component.method"), ctx.code("progress_method", target.progress_method)),
        ("", ctx.t("component.period"), f"{target.period_start}–{target.period_end}"),
        ("", ctx.t("component.years_assessed"), or_dash(assessed)),
        ("", ctx.t("component.years_met"), or_dash(met)),
        ("R", ctx.t("component.r_years"), r_value),
        ("", ctx.t("component.detail"), years_detail_text(ctx, target.year_outcomes)),
    ]


def _gap_change_components(ctx: Context, target: Target) -> list[Component]:
    """A gap's change between the base and the latest wave with its 95% interval: the
    change is significant when 0 lies outside it."""
    family = target.indicator_family
    y0, yt = num(target.baseline_value, family), num(target.latest_value, family)
    change = DASH
    if target.change_value is not None:
        change = f"{yt} − {y0} = {num(target.change_value, family)}"
    interval = DASH
    if target.change_ci_lower is not None and target.change_ci_upper is not None:
        lower, upper = num(target.change_ci_lower, family), num(target.change_ci_upper, family)
        interval = f"[{lower}, {upper}]"
    return [
        ("", ctx.t("component.method"), ctx.code("progress_method", "gap_change")),
        ("y₀", ctx.t("component.y0"), y0),
        ("t₀", ctx.t("component.t0"), or_dash(target.baseline_year)),
        ("y_t", ctx.t("component.yt"), _latest_component(ctx, target)),
        ("t", ctx.t("component.t"), or_dash(target.latest_year)),
        ("Δ", ctx.t("component.change"), change),
        ("SE(Δ)", ctx.t("component.change_se"), num(target.change_standard_error, family)),
        ("", ctx.t("col.ci"), interval),
    ]
