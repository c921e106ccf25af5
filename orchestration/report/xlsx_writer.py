"""The Excel report, one sheet per section: summary and counts (1), targets (2), tasks ×
units (3), achievements, problems and suggestions (4–6); then the annexes: every progress
column, the values by year, this plan's loads.

Cells are typed (numbers stay numbers with a display format) so an evaluator can
recompute; codes are written as words in the report's language (the status also as its
code, for filtering across languages); the workbook's creation date is the as-of date, so
the same data give the same workbook.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

import vocabulary
from orchestration.report.records import Target
from orchestration.report.wording import (
    DASH,
    TWO_DECIMAL_FAMILIES,
    Context,
    decimals,
    fill,
    is_withheld,
    latest_text,
    verdict_rule_text,
)
from orchestration.report.xlsx_layout import Formats, Sheet
from orchestration.report.xlsx_sections import (
    counts_sheet,
    findings_sheet,
    targets_sheet,
    tasks_sheet,
)

# The summary sheet opens with the title, the vintage and the synthetic notice (rows 1–3);
# the target table's header is row 4.
SUMMARY_HEADER_ROW = 3
# Number formats of fct_target_progress columns that are not indicator values.
PROGRESS_FORMATS = {
    "cagr_observed": "0.00%",
    "cagr_required": "0.00%",
    "progress_ratio": "0.000",
    "share_of_way": "0.0%",
    "elapsed_share": "0.0%",
    "share_achieved": "0.0%",
    "threshold_on_track": "0.00",
    "threshold_accelerate": "0.00",
}
# fct_target_progress columns holding a code, and the namespace of their words.
PROGRESS_CODE_COLUMNS = {
    "target_kind": "target_kind",
    "comparator": "comparator",
    "direction": "direction",
    "progress_method": "progress_method",
    "latest_quality_flag": "quality_flag",
    "verdict_stage": "verdict_stage",
}
# fct_target_progress columns holding a reason code: written as the reason's sentence
# with its numbers (the Target record carries them).
PROGRESS_REASON_COLUMNS = ("latest_quality_reason", "status_reason")
# Columns only qualitative rows (measures) fill: fct_target_progress is a union by name, so
# every quantitative row, all this sheet shows, has them empty.
PROGRESS_MEASURE_COLUMNS = frozenset(
    {
        "measure_unit_pairs",
        "completed_pairs",
        "overdue_pairs",
        "not_reported_pairs",
        "completed_share",
        "overdue_share",
        "task_kind",
    }
)
PROGRESS_VALUE_COLUMNS = frozenset(
    {
        "target_value",
        "target_value_upper",
        "tolerance",
        "baseline_value",
        "latest_value",
        "latest_ci_lower",
        "latest_ci_upper",
        "expected_to_date",
        "final_value",
        "gap_to_target",
    }
)


def write_xlsx(ctx: Context, path: Path) -> None:
    moment = datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": ctx.title,
            "author": "Kepu Monitor",
            "comments": ctx.vintage_note,
            "created": moment,
        }
    )
    formats = Formats(book)
    _summary(ctx, Sheet(book, formats, ctx.t("sheet.summary")))
    counts_sheet(ctx, Sheet(book, formats, ctx.t("sheet.counts")))
    if ctx.data.targets:
        targets_sheet(ctx, Sheet(book, formats, ctx.t("sheet.targets")))
    if ctx.data.measures:
        tasks_sheet(ctx, Sheet(book, formats, ctx.t("sheet.measures")))
    findings_sheet(ctx, Sheet(book, formats, ctx.t("sheet.findings")))
    _progress(ctx, Sheet(book, formats, ctx.t("sheet.progress")))
    _values(ctx, Sheet(book, formats, ctx.t("sheet.values")))
    _sources(ctx, Sheet(book, formats, ctx.t("sheet.sources")))
    book.close()


def _number_format(family: str | None, value: Any) -> str | None:
    """A value's display format: two decimals or whole, as in the Word report."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "0.00" if decimals(family, value) == 2 else "0"
    return None


def _integer_format(value: Any) -> str | None:
    return "0" if isinstance(value, int) and not isinstance(value, bool) else None


def _summary(ctx: Context, sheet: Sheet) -> None:
    title = ctx.title + ctx.paren(ctx.as_of.isoformat())
    sheet.sheet.write_string(0, 0, title, sheet.formats.get(bold=True, font_size=13))
    sheet.sheet.write_string(1, 0, f"{ctx.t('cover.vintage')}: {ctx.vintage_note}")
    if ctx.data.is_synthetic:
        notice = sheet.formats.get(bold=True, font_color="#C00000")
        sheet.sheet.write_string(2, 0, ctx.t("cover.synthetic"), notice)
    sheet.row = SUMMARY_HEADER_ROW
    header = ["col.indicator", "col.target", "col.baseline_value", "col.baseline_year"]
    header += ["col.latest_value", "col.latest_year", "col.unit", "col.status"]
    header += ["col.status_note"]
    sheet.header([ctx.t(h) for h in header])
    for target in ctx.data.targets:
        rows = ctx.observations(target)
        family = target.indicator_family
        unit = getattr(rows[0], f"unit_{ctx.lang}") if rows else None
        latest: Any = target.latest_value
        note = ctx.reason(target.status_reason)
        if target.latest_quality_flag == "suppress":
            latest, note = DASH, latest_text(ctx, target)
        status = target.progress_status
        sheet.cells(
            [
                (ctx.goal_name(target), None),
                (ctx.target_label(target), None),
                (target.baseline_value, _number_format(family, target.baseline_value)),
                (target.baseline_year, "0"),
                (latest, _number_format(family, latest)),
                (target.latest_year, "0"),
                (unit, None),
            ]
        )
        row = sheet.row - 1
        sheet.write(row, 7, ctx.status(status), fill=fill("progress_status", status), border=1)
        sheet.write(row, 8, note or None)
    if not ctx.data.targets:
        sheet.write(sheet.row, 0, ctx.t("summary.no_targets"))
        sheet.row += 1
    sheet.finish(len(header))


def _progress(ctx: Context, sheet: Sheet) -> None:
    """fct_target_progress as stored, one row per quantitative target, headers and codes
    in the report's language; the status twice, as a word (coloured) and as its code."""
    columns = [c for c in ctx.data.progress.columns if c not in PROGRESS_MEASURE_COLUMNS]
    header = []
    for column in columns:
        if column == "progress_status":
            header += [ctx.t("col.status"), ctx.t("col.progress_status")]
        else:
            header.append(ctx.t(f"col.{column}") if vocabulary.has(f"col.{column}") else column)
    sheet.header(header)
    for target, values in zip(ctx.data.targets, ctx.data.progress.rows, strict=True):
        row = dict(zip(ctx.data.progress.columns, values, strict=True))
        col = 0
        for column in columns:
            for value, num_format, colour in _progress_cells(ctx, target, column, row[column]):
                sheet.write(sheet.row, col, value, num_format, colour)
                col += 1
        sheet.row += 1
    sheet.finish(len(header))


def _progress_cells(
    ctx: Context, target: Target, column: str, value: Any
) -> list[tuple[Any, str | None, str | None]]:
    """(value, number format, fill) of the cells one progress column is written as."""
    if column == "progress_status":
        return [(ctx.status(value), None, fill("progress_status", value)), (value, None, None)]
    if column == "verdict_rule":
        return [(verdict_rule_text(ctx, value), None, None)]
    if column in PROGRESS_CODE_COLUMNS:
        word = None if value is None else ctx.code(PROGRESS_CODE_COLUMNS[column], value)
        return [(word, None, None)]
    if column in PROGRESS_REASON_COLUMNS:
        return [(ctx.reason(getattr(target, column)) or None, None, None)]
    if isinstance(value, bool):
        return [(_yes_no(ctx, value), None, None)]
    if column in PROGRESS_VALUE_COLUMNS:
        return [(value, _number_format(target.indicator_family, value), None)]
    return [(value, PROGRESS_FORMATS.get(column, _integer_format(value)), None)]


def _yes_no(ctx: Context, value: bool | None) -> str | None:
    return None if value is None else ctx.t("yes" if value else "no")


def _values(ctx: Context, sheet: Sheet) -> None:
    header = ["col.target_id", "col.indicator", "col.series", "col.year", "col.value"]
    header += ["col.unit", "col.standard_error", "col.ci_lower", "col.ci_upper", "col.n"]
    header += ["col.flag", "col.reason", "col.is_in_period", "col.is_met", "col.is_latest"]
    sheet.header([ctx.t(h) for h in header])
    for target in ctx.data.targets:
        family = target.indicator_family
        error_format = "0.00" if family in TWO_DECIMAL_FAMILIES else "0.000"
        for row in ctx.observations(target):
            withheld = is_withheld(row)
            cells = [
                (target.target_id, None),
                (ctx.goal_name(target), None),
                (ctx.t(f"series.{row.series}"), None),
                (row.year, "0"),
                (DASH if withheld else row.value, _number_format(family, row.value)),
                (getattr(row, f"unit_{ctx.lang}"), None),
            ]
            for value in (row.standard_error, row.ci_lower, row.ci_upper):
                cells.append((None if withheld else value, error_format))
            cells += [
                (row.sample_size, "0"),
                (ctx.code("quality_flag", row.quality_flag), None),
                (ctx.reason(row.quality_reason) or None, None),
                (_yes_no(ctx, row.is_in_period), None),
                (_yes_no(ctx, row.is_met), None),
                (_yes_no(ctx, row.is_latest), None),
            ]
            sheet.cells(cells)
    sheet.finish(len(header))


def _sources(ctx: Context, sheet: Sheet) -> None:
    header = ["col.load_id", "col.file_name", "col.sha12", "col.sheet", "col.table"]
    header += ["col.rows", "col.synthetic", "col.sha256"]
    sheet.header([ctx.t(h) for h in header])
    for load in ctx.data.loads:
        sheet.cells(
            [
                (load.load_id, "0"),
                (load.file_name, None),
                (load.file_sha256[:12], None),
                (load.sheet_name, None),
                (load.table_name, None),
                (load.rows_accepted, "#,##0"),
                (ctx.t("yes") if load.is_synthetic else ctx.t("no"), None),
                (load.file_sha256, None),
            ]
        )
    sheet.finish(len(header))
