"""The Excel sheets of the report's sections beyond the summary: the counts of
fct_plan_status_count (1), each target's verdict (2), each task × unit (3), and the drafted
achievements, problems and suggestions (4–6). Codes are written as words in the report's
language; numbers stay numbers.
"""

from __future__ import annotations

from orchestration.report.findings import closing_sections
from orchestration.report.verdicts import reason_of
from orchestration.report.wording import Context, decimals, fill, unit_of
from orchestration.report.xlsx_layout import Sheet


def _value_format(family: str | None, value: object) -> str | None:
    """Thousands separators; two decimals where the Word report writes two."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "#,##0.00" if decimals(family, value) == 2 else "#,##0"
    return None


def counts_sheet(ctx: Context, sheet: Sheet) -> None:
    """fct_plan_status_count as stored: group, status, goals, unit pairs, completed."""
    header = ["col.goal_group", "col.status", "col.count", "col.unit_pairs"]
    header.append("col.completed_pairs")
    sheet.header([ctx.t(h) for h in header])
    for count in ctx.data.status_counts:
        sheet.write(sheet.row, 0, ctx.code("goal_group", count.goal_group))
        status = count.progress_status
        sheet.write(sheet.row, 1, ctx.status(status), fill=fill("progress_status", status))
        for col, value in enumerate(
            (count.goal_count, count.unit_pairs, count.completed_pairs), start=2
        ):
            sheet.write(sheet.row, col, value, "#,##0")
        sheet.row += 1
    sheet.finish(len(header))


def targets_sheet(ctx: Context, sheet: Sheet) -> None:
    """One row per target: verdict and stage, latest value with CI and flag, final value,
    gap and share achieved, whether the target lies inside the CI, why, departments."""
    header = ["col.indicator", "col.target", "col.verdict_stage", "col.verdict"]
    header += ["col.latest_value", "col.latest_year", "col.unit", "col.ci_lower", "col.ci_upper"]
    header += ["col.flag", "col.final_value", "col.gap_to_target", "col.share_achieved"]
    header += ["col.is_target_inside_ci", "col.status_note", "col.lead_departments"]
    header.append("col.cooperating_departments")
    sheet.header([ctx.t(h) for h in header])
    for t in ctx.data.targets:
        family = t.indicator_family
        withheld = t.latest_quality_flag == "suppress"
        inside = t.is_target_inside_ci
        cells = [
            (ctx.goal_name(t), None),
            (ctx.target_label(t), None),
            (ctx.code("verdict_stage", t.verdict_stage), None),
            (ctx.status(t.progress_status), None),
            (None if withheld else t.latest_value, _value_format(family, t.latest_value)),
            (t.latest_year, "0"),
            (unit_of(ctx, t) or None, None),
            (None if withheld else t.latest_ci_lower, "#,##0.00"),
            (None if withheld else t.latest_ci_upper, "#,##0.00"),
            (ctx.code("quality_flag", t.latest_quality_flag) if t.latest_quality_flag else None,
             None),
            (t.final_value, _value_format(family, t.final_value)),
            (t.gap_to_target, _value_format(family, t.gap_to_target)),
            (t.share_achieved, "0.0%"),
            (None if inside is None else ctx.t("yes" if inside else "no"), None),
            (reason_of(ctx, t) or None, None),
            (ctx.departments(t.lead_departments) if t.lead_departments else None, None),
            (ctx.departments(t.cooperating_departments) if t.cooperating_departments else None,
             None),
        ]  # fmt: skip
        for col, (value, num_format) in enumerate(cells):
            colour = fill("progress_status", t.progress_status) if col == 3 else None
            sheet.write(sheet.row, col, value, num_format, colour)
        sheet.row += 1
    sheet.finish(len(header))


def tasks_sheet(ctx: Context, sheet: Sheet) -> None:
    """One row per task × responsible unit (fct_measure_status), with the task's verdict."""
    header = ["col.measure_no", "col.task", "col.task_kind", "col.verdict", "col.unit_responsible"]
    header += ["col.status", "col.reporting_period", "col.reported_on", "col.progress"]
    header.append("col.document_ref")
    sheet.header([ctx.t(h) for h in header])
    tasks = {task.target_id: task for task in ctx.data.tasks}
    for unit in ctx.data.measures:
        task = tasks.get(unit.measure_id)
        cells = [
            (unit.measure_no, "0", None),
            (ctx.name(unit, "title"), None, None),
            (ctx.code("task_kind", task.task_kind) if task else None, None, None),
            (ctx.status(task.progress_status) if task else None, None,
             fill("progress_status", task.progress_status) if task else None),
            (ctx.department(unit.department_name_zh) if unit.department_name_zh else None,
             None, None),
            (ctx.measure_status(unit.measure_status), None,
             fill("measure_status", unit.measure_status)),
            (unit.reporting_period, None, None),
            (unit.reported_on, None, None),
            (unit.evidence, None, None),
            (unit.document_ref, None, None),
        ]  # fmt: skip
        for col, (value, num_format, colour) in enumerate(cells):
            sheet.write(sheet.row, col, value, num_format, colour)
        sheet.row += 1
    sheet.finish(len(header))


def findings_sheet(ctx: Context, sheet: Sheet) -> None:
    """Sections 4–6 as rows: section, number, sentence; then whose text the section is."""
    sheet.header([ctx.t("col.section"), ctx.t("col.measure_no"), ctx.t("col.text")])
    for section in closing_sections(ctx):
        heading = ctx.t(section.heading)
        for number, line in enumerate(section.lines, start=1):
            sheet.cells([(heading, None), (number, "0"), (line, None)])
        sheet.cells([(heading, None), (None, None), (section.source_note, None)])
    sheet.finish(3)
