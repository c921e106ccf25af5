"""The sentences of sections 1–3: the counts of fct_plan_status_count, each target's verdict
and why, each task's verdict and units.

Every number is one the marts store (final_value, gap_to_target, share_achieved,
is_target_inside_ci, the change of a gap, the task's pairs); a line whose value is
missing is left out rather than filled with a placeholder.
"""

from __future__ import annotations

from orchestration.report.components import result_reason
from orchestration.report.records import Target, Task
from orchestration.report.wording import (
    Context,
    amount,
    difference,
    flag_text,
    is_withheld,
    latest_text,
    num,
    pct,
)

# Kinds of target whose value is a difference between groups or regions: their CI
# sentence speaks of the change, not of the target.
CHANGE_KINDS = frozenset({"gap", "dispersion"})


def overview_counts_text(ctx: Context) -> str:
    """'As of 2026-03-31 the plan has 11 quantitative targets (achieved 3, ...), 7 tasks
    (...; units reporting completion 6 of 7), ...': fct_plan_status_count as stored."""
    groups: dict[str, list] = {}
    for count in ctx.data.status_counts:
        groups.setdefault(count.goal_group, []).append(count)
    parts = []
    for group, counts in groups.items():
        statuses = ctx.t("list.comma").join(
            ctx.t("summary.count_part", status=ctx.status(c.progress_status), count=c.goal_count)
            for c in counts
        )
        fields = {
            "group": ctx.code("goal_group", group),
            "n": sum(c.goal_count for c in counts),
            "statuses": statuses,
        }
        pairs = [c for c in counts if c.unit_pairs is not None]
        if pairs:
            completed = sum(int(c.completed_pairs or 0) for c in pairs)
            total = sum(int(c.unit_pairs) for c in pairs)
            parts.append(ctx.t("overview.group_pairs", completed=completed, pairs=total, **fields))
        else:
            parts.append(ctx.t("overview.group", **fields))
    if not parts:
        return ctx.t("overview.no_goals")
    return ctx.t(
        "overview.counts", as_of=ctx.as_of.isoformat(), parts=ctx.t("list.separator").join(parts)
    )


def latest_line(ctx: Context, target: Target) -> str | None:
    """'Latest value: 17.60% (2025), 95% CI [15.09, 20.43]', a flag other than present
    with its reason; a suppressed value as the dash and its reason; None without a latest
    year."""
    if target.latest_year is None:
        return None
    family = target.indicator_family
    if target.latest_quality_flag == "suppress":
        return ctx.t("target.latest", value=latest_text(ctx, target))
    parts = [latest_text(ctx, target)]
    if target.latest_ci_lower is not None and target.latest_ci_upper is not None:
        lower, upper = num(target.latest_ci_lower, family), num(target.latest_ci_upper, family)
        parts.append(ctx.t("target.latest_ci", lower=lower, upper=upper))
    if target.latest_quality_flag not in (None, "present"):
        flag = flag_text(ctx, target.latest_quality_flag, target.latest_quality_reason)
        parts.append(ctx.t("target.latest_flag", flag=flag))
    return ctx.t("target.latest", value=ctx.t("list.comma").join(parts))


def reason_of(ctx: Context, target: Target) -> str:
    """Why: the status reason the mart stores, else how the band or the met target decided
    (the components' result)."""
    return ctx.reason(target.status_reason) or result_reason(ctx, target)


def why_text(ctx: Context, target: Target) -> str:
    return ctx.t("target.why", reason=reason_of(ctx, target))


def final_text(ctx: Context, target: Target) -> str | None:
    """After the due year: value, target, gap and share achieved (or the years met)."""
    if target.verdict_stage != "final" or target.share_achieved is None:
        return None
    share = pct(target.share_achieved)
    if target.final_value is None or target.gap_to_target is None:
        if None in (target.years_assessed, target.years_met, target.period_start):
            return None
        years = target.period_end - target.period_start + 1
        return ctx.t(
            "target.final_years",
            years=years,
            met=target.years_met,
            assessed=target.years_assessed,
            share=share,
        )
    family = target.indicator_family
    fields = {
        "year": target.final_year or target.target_year,
        "value": amount(ctx, target, target.final_value),
        "target": ctx.target_label(target),
        "share": share,
    }
    if target.gap_to_target > 0:
        return ctx.t("target.final", gap=difference(ctx, target, target.gap_to_target), **fields)
    if float(num(abs(target.gap_to_target), family).replace(",", "")) == 0:
        return ctx.t("target.final_reached", **fields)  # on the target, as far as shown
    excess = difference(ctx, target, abs(target.gap_to_target))
    return ctx.t("target.final_met", excess=excess, **fields)


def ci_sentence(ctx: Context, target: Target) -> str | None:
    """Whether the target lies inside the latest CI (a survey target), or whether a gap's
    change is significant (is_target_inside_ci of a gap: 0 inside the change's CI)."""
    if target.is_target_inside_ci is None:
        return None
    family = target.indicator_family
    if target.target_kind in CHANGE_KINDS:
        key = "target.change_not_significant" if target.is_target_inside_ci else None
        return ctx.t(key or "target.change_significant")
    if target.latest_ci_lower is None or target.latest_ci_upper is None:
        return None
    key = "target.ci_inside" if target.is_target_inside_ci else "target.ci_outside"
    return ctx.t(
        key,
        target=amount(ctx, target, target.target_value),
        lower=num(target.latest_ci_lower, family),
        upper=num(target.latest_ci_upper, family),
    )


def change_text(ctx: Context, target: Target) -> str | None:
    """A gap target: baseline and latest gap, the change and its CI (fct_target_progress)."""
    if target.target_kind not in CHANGE_KINDS or target.change_value is None:
        return None
    family = target.indicator_family
    return ctx.t(
        "target.change",
        baseline=amount(ctx, target, target.baseline_value),
        t0=target.baseline_year,
        latest=amount(ctx, target, target.latest_value),
        t=target.latest_year,
        change=amount(ctx, target, target.change_value),
        lower=num(target.change_ci_lower, family),
        upper=num(target.change_ci_upper, family),
    )


def withheld_text(ctx: Context, target: Target) -> str | None:
    """The years whose value is suppressed, each with its reason: never silently dropped."""
    withheld = [r for r in ctx.observations(target) if is_withheld(r)]
    if not withheld:
        return None
    years = [
        ctx.t(
            "target.withheld_year",
            year=r.year,
            reason=ctx.reason(r.quality_reason) or ctx.code("quality_flag", "suppress"),
        )
        for r in withheld
    ]
    return ctx.t("target.withheld_years", years=ctx.t("list.separator").join(years))


def target_paragraphs(ctx: Context, target: Target) -> list[str]:
    """The sentences under a target's verdict, in reading order, without missing ones."""
    lines = [
        latest_line(ctx, target),
        final_text(ctx, target),
        change_text(ctx, target),
        ci_sentence(ctx, target),
        withheld_text(ctx, target),
        why_text(ctx, target),
    ]
    if target.lead_departments:
        lines.append(ctx.t("target.lead", names=ctx.departments(target.lead_departments)))
    if target.cooperating_departments:
        names = ctx.departments(target.cooperating_departments)
        lines.append(ctx.t("target.cooperating", names=names))
    return [line for line in lines if line]


def task_paragraphs(ctx: Context, task: Task) -> list[str]:
    """A task's verdict and why, its units' counts, due year and departments."""
    status = ctx.status(task.progress_status)
    reason = ctx.reason(task.status_reason)
    if reason:
        lines = [ctx.t("task.verdict_why", status=status, reason=reason)]
    else:
        lines = [ctx.t("task.verdict", status=status)]
    lines.append(
        ctx.t(
            "task.units",
            pairs=task.measure_unit_pairs,
            completed=task.completed_pairs,
            overdue=task.overdue_pairs,
            not_reported=task.not_reported_pairs,
        )
    )
    departments = []
    if task.lead_departments:
        departments.append(ctx.t("task.lead", names=ctx.departments(task.lead_departments)))
    if task.cooperating_departments:
        names = ctx.departments(task.cooperating_departments)
        departments.append(ctx.t("task.cooperating", names=names))
    if task.target_year is not None:
        departments.append(ctx.t("task.due", year=task.target_year))
    if departments:
        lines.append(ctx.t("list.separator").join(departments))
    return lines
