"""Sections 4–6: the evaluator's own text where loaded (fct_evaluator_note), else drafted
from the data: achievements, problems and suggestions.

Each sentence is a label template filled with numbers the marts store: achieved targets and
the biggest changes since the baseline; the biggest shortfalls, targets that lag or wait
for data, significant literacy gaps, lagging child regions, units that never reported or
are overdue; one suggestion for each kind of problem found. The evaluator edits the
draft; nothing here judges anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.report.records import Gap, MeasureUnit, Target
from orchestration.report.verdicts import CHANGE_KINDS, reason_of
from orchestration.report.wording import GAP_FAMILY, Context, amount, difference, num, pct

# How many of the biggest changes since the baseline section 4 names.
GAINS_SHOWN = 3
# Forward statuses that are a problem: the target is behind its path.
LAGGING_STATUSES = ("accelerate", "limited", "moving_away")
SKIPPED_GAIN_KINDS = CHANGE_KINDS | {"cumulative", "context"}


def _items(ctx: Context, items: list[str]) -> str:
    return ctx.t("list.separator").join(items)


def achievements(ctx: Context) -> list[str]:
    """Achieved targets, on-track ones, the biggest changes, and the tasks completed."""
    targets = ctx.data.targets
    lines = []
    achieved = [t for t in targets if t.progress_status == "achieved"]
    if achieved:
        items = [
            ctx.t(
                "findings.achieved_item",
                indicator=ctx.goal_name(t),
                value=amount(
                    ctx, t, t.final_value if t.final_value is not None else t.latest_value
                ),
                target=ctx.target_label(t),
            )
            for t in achieved
        ]
        lines.append(ctx.t("findings.achieved", n=len(achieved), items=_items(ctx, items)))
    on_track = [t for t in targets if t.progress_status == "on_track"]
    if on_track:
        items = [ctx.goal_name(t) for t in on_track]
        lines.append(ctx.t("findings.on_track", n=len(on_track), items=_items(ctx, items)))
    lines += [_gain_text(ctx, t) for t in _biggest_gains(targets)]
    tasks = ctx.data.tasks
    if tasks:
        done = sum(1 for t in tasks if t.completed_pairs == t.measure_unit_pairs)
        lines.append(ctx.t("findings.tasks_done", done=done, n=len(tasks)))
    return lines or [ctx.t("findings.none")]


def _biggest_gains(targets: tuple[Target, ...]) -> list[Target]:
    """Targets that moved the desired way since their baseline, by relative change."""
    moved = []
    for t in targets:
        # a running total grows by construction; a gap's change is stated in section 2
        if t.target_kind in SKIPPED_GAIN_KINDS or t.latest_quality_flag == "suppress":
            continue
        if not t.baseline_value or t.latest_value is None or t.baseline_year == t.latest_year:
            continue
        change = (t.latest_value - t.baseline_value) / abs(t.baseline_value)
        if (change < 0) == (t.direction == "decrease") and change != 0:
            moved.append((abs(change), t.target_id, t))
    moved.sort(key=lambda m: (-m[0], m[1]))
    return [t for _, _, t in moved[:GAINS_SHOWN]]


def _gain_text(ctx: Context, target: Target) -> str:
    change = (target.latest_value - target.baseline_value) / abs(target.baseline_value)
    key = "findings.gain_decrease" if change < 0 else "findings.gain"
    return ctx.t(
        key,
        indicator=ctx.goal_name(target),
        t0=target.baseline_year,
        baseline=amount(ctx, target, target.baseline_value),
        t=target.latest_year,
        latest=amount(ctx, target, target.latest_value),
        change=f"{change:+.1%}",
    )


def problems(ctx: Context) -> list[str]:
    """Shortfalls (biggest first), lagging and undecided targets, gaps, regions, units."""
    lines = [_shortfall_text(ctx, t) for t in _shortfalls(ctx.data.targets)]
    for target in ctx.data.targets:
        indicator = ctx.goal_name(target)
        reason = reason_of(ctx, target)
        if target.progress_status in LAGGING_STATUSES:
            status = ctx.status(target.progress_status)
            lines.append(
                ctx.t("problems.lagging", indicator=indicator, status=status, reason=reason)
            )
        elif target.progress_status == "insufficient_data":
            lines.append(ctx.t("problems.no_data", indicator=indicator, reason=reason))
    lines += [_gap_text(ctx, gap) for gap in ctx.data.findings.gaps]
    regions = ctx.data.findings.lagging_regions
    if regions:
        items = [
            ctx.t(
                "problems.region_item",
                region=ctx.name(r, "region_name"),
                estimate=pct(r.estimate, 2),
            )
            for r in regions
        ]
        lines.append(
            ctx.t(
                "problems.regions",
                year=regions[0].survey_year,
                regions=_items(ctx, items),
                overall=pct(regions[0].region_estimate, 2),
            )
        )
    for status, key in (("not_reported", "problems.not_reported"), ("overdue", "problems.overdue")):
        units = _units_with(ctx, status)
        if units:
            tasks = sorted({ctx.name(u, "title") for u in units})
            names = sorted({ctx.department(u.department_name_zh or "") for u in units} - {""})
            lines.append(
                ctx.t(key, units=_items(ctx, names), n=len(tasks), tasks=_items(ctx, tasks))
            )
    return lines or [ctx.t("problems.none")]


def _shortfalls(targets: tuple[Target, ...]) -> list[Target]:
    """Targets not achieved, the smallest share achieved first."""
    missed = [t for t in targets if t.progress_status == "not_achieved"]
    return sorted(
        missed, key=lambda t: (t.share_achieved is None, t.share_achieved or 0, t.target_id)
    )


def _shortfall_text(ctx: Context, target: Target) -> str:
    indicator = ctx.goal_name(target)
    if target.final_value is None or target.gap_to_target is None:
        reason = ctx.reason(target.status_reason) or ctx.status(target.progress_status)
        return ctx.t("problems.not_achieved", indicator=indicator, reason=reason)
    return ctx.t(
        "problems.shortfall",
        indicator=indicator,
        year=target.final_year or target.target_year,
        value=amount(ctx, target, target.final_value),
        target=ctx.target_label(target),
        gap=difference(ctx, target, target.gap_to_target),
        share=pct(target.share_achieved),
    )


def _gap_text(ctx: Context, gap: Gap) -> str:
    return ctx.t(
        "problems.gap",
        year=gap.survey_year,
        dimension=ctx.code("gap_dimension", gap.group_dimension),
        gap=ctx.t("format.points", value=num(gap.gap * 100, GAP_FAMILY)),
        lower=num(gap.ci_lower * 100, GAP_FAMILY),
        upper=num(gap.ci_upper * 100, GAP_FAMILY),
    )


def _units_with(ctx: Context, status: str) -> list[MeasureUnit]:
    return [u for task in ctx.data.tasks for u in task.units if u.measure_status == status]


def suggestions(ctx: Context) -> list[str]:
    """One suggestion per problem found, in the order of section 5."""
    lines = []
    short = [
        ctx.t(
            "advice.shortfall_item",
            indicator=ctx.goal_name(t),
            gap=difference(ctx, t, t.gap_to_target),
        )
        for t in _shortfalls(ctx.data.targets)
        if t.gap_to_target is not None and t.gap_to_target > 0
    ]
    if short:
        lines.append(ctx.t("advice.shortfall", items=_items(ctx, short)))
    for target in ctx.data.targets:
        if target.progress_status in LAGGING_STATUSES:
            status = ctx.status(target.progress_status)
            indicator = ctx.goal_name(target)
            lines.append(ctx.t("advice.lagging", indicator=indicator, status=status))
    undecided = [
        ctx.goal_name(t) for t in ctx.data.targets if t.progress_status == "insufficient_data"
    ]
    if undecided:
        lines.append(ctx.t("advice.data", indicators=_items(ctx, undecided)))
    gaps = ctx.data.findings.gaps
    if gaps:
        dimensions = [ctx.code("gap_dimension", g.group_dimension) for g in gaps]
        lines.append(ctx.t("advice.gap", dimensions=_items(ctx, dimensions)))
    regions = ctx.data.findings.lagging_regions
    if regions:
        names = [ctx.name(r, "region_name") for r in regions]
        lines.append(ctx.t("advice.regions", regions=_items(ctx, names)))
    units = _units_with(ctx, "not_reported") + _units_with(ctx, "overdue")
    names = sorted({ctx.department(u.department_name_zh or "") for u in units} - {""})
    if names:
        lines.append(ctx.t("advice.reporting", units=_items(ctx, names)))
    return lines or [ctx.t("advice.none")]


@dataclass(frozen=True)
class SectionText:
    """One of sections 4–6 as the report prints it, with the line saying whose text it is."""

    heading: str  # a section.* label key
    lines: list[str]
    source_note: str


DRAFTS = (("achievements", achievements), ("problems", problems), ("suggestions", suggestions))


def closing_sections(ctx: Context) -> list[SectionText]:
    """Sections 4–6: the evaluator's paragraphs for this plan, review and as-of date where
    a section has any, else the draft from the data, marked for the evaluator's review."""
    sections = []
    for section, draft in DRAFTS:
        notes = ctx.notes(section)
        if notes:
            authors = sorted({n.author for n in notes})
            written = max(n.written_on for n in notes).isoformat()
            source = ctx.t("report.evaluator_text", author=_items(ctx, authors), date=written)
            lines = [ctx.note_text(n) for n in notes]
        else:
            source, lines = ctx.t("report.drafted"), draft(ctx)
        sections.append(SectionText(f"section.{section}", lines, source))
    return sections
