"""The Word report, laid out as an evaluation report is handed in: cover;
1 overview (the counts of fct_plan_status_count and every goal's verdict); 2 each target
(chart, latest value, verdict and why); 3 each task with its units' reports; 4–6
achievements, problems and suggestions drafted from the data; annexes (methods, each
target's values and calculation, the data this plan's report used).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Cm, Pt, RGBColor

from orchestration.report.charts import chart_png
from orchestration.report.data import LITERACY_INDICATOR
from orchestration.report.docx_annex import write_annex
from orchestration.report.docx_layout import (
    add_table,
    below_table,
    bold_paragraph,
    fixed_zip_times,
    setup_document,
    shade,
)
from orchestration.report.findings import closing_sections
from orchestration.report.records import Target, Task
from orchestration.report.verdicts import overview_counts_text, target_paragraphs, task_paragraphs
from orchestration.report.wording import (
    DASH,
    Context,
    baseline_text,
    fill,
    gap_rows,
    latest_text,
    pct,
    period_text,
    review_points_text,
)

# Column widths in cm of each kind of table, summing to the text width (21 cm less two
# 2.2 cm margins): narrow columns for codes and numbers, room for names and reasons; a
# column at least as wide as the longest word of its English header in bold
# ('percentage', 'Reporting', the summary's 'achieved'), which Word would otherwise break
# inside the word.
WIDTHS = {
    "summary": (3.1, 2.0, 3.6, 3.6, 2.0, 2.3),
    "tasks": (1.2, 6.0, 2.0, 4.8, 2.6),
    "gaps": (3.0, 4.0, 2.8, 3.4, 3.4),
    "units": (3.0, 2.0, 2.2, 2.2, 4.8, 2.4),
}


# A chart's width on the page: two targets (heading, four lines of text, chart) fit on one
# page, so a block moved whole to the next page leaves less blank space behind it.
CHART_WIDTH_CM = 13
NEW_PAGE_SECTION = "section.targets"


def write_docx(ctx: Context, path: Path) -> None:
    document = Document()
    setup_document(ctx, document)
    _cover(ctx, document)
    numerals = iter(ctx.t("section.numerals").split(","))

    def heading(key: str) -> None:
        number = next(numerals)
        title = document.add_heading(ctx.t("section.numbered", number=number, title=ctx.t(key)), 1)
        # Section 2 starts on a page of its own: after the overview tables LibreOffice
        # moves the first target's block (kept with its chart) to the next page but leaves
        # the section heading alone at the foot of the page, even kept with next. Other
        # sections follow on: a page break there would leave half a page blank.
        title.paragraph_format.page_break_before = key == NEW_PAGE_SECTION

    heading("section.overview")
    _overview(ctx, document)
    # every section is always there, so each report has the same numbering
    heading("section.targets")
    for number, target in enumerate(ctx.data.targets, start=1):
        _target(ctx, document, number, target)
    if not ctx.data.targets:
        document.add_paragraph(ctx.t("summary.no_targets"))
    heading("section.tasks")
    for number, task in enumerate(ctx.data.tasks, start=1):
        _task(ctx, document, number, task)
    if not ctx.data.tasks:
        document.add_paragraph(ctx.t("summary.no_tasks"))
    for section in closing_sections(ctx):
        heading(section.heading)
        lines = section.lines
        for number, line in enumerate(lines, start=1):
            document.add_paragraph(f"{number}. {line}" if len(lines) > 1 else line)
        source = document.add_paragraph().add_run(section.source_note)
        source.italic = True
        source.font.size = Pt(9)
    document.add_page_break()
    write_annex(ctx, document)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(fixed_zip_times(buffer.getvalue(), ctx.as_of))


def _cover(ctx: Context, document: Any) -> None:
    """Plan, review kind, as-of date, vintage, notice; a line whose value is missing is
    left out."""
    plan = ctx.data.plan
    document.add_paragraph(ctx.name(plan, "plan_name"), style="Title")
    run = document.add_paragraph().add_run(ctx.t("report.kind_title", kind=ctx.kind_text))
    run.bold = True
    run.font.size = Pt(16)
    region = ctx.name(plan, "region_name")
    lines = [
        ("cover.issuer", ctx.name(plan, "issuer")),
        ("cover.region", region + ctx.paren(plan.region_code) if region else ""),
        ("cover.period", _period(ctx, plan.period_start, plan.period_end)),
        ("cover.review_points", review_points_text(ctx, plan.reviews)),
        ("cover.kind", ctx.kind_text),
        ("cover.as_of", ctx.as_of.isoformat()),
        ("cover.vintage", ctx.vintage_note),
    ]
    for key, value in lines:
        if not value or value == DASH:
            continue
        paragraph = document.add_paragraph()
        paragraph.add_run(ctx.t(key) + ctx.t("report.colon")).bold = True
        paragraph.add_run(str(value))
    if ctx.data.is_synthetic:
        notice = document.add_paragraph().add_run(ctx.t("cover.synthetic"))
        notice.bold = True
        notice.font.size = Pt(12)
        notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    document.add_page_break()


def _period(ctx: Context, start: int | None, end: int | None) -> str:
    """'2021–2025'; an open-ended plan 'from 2022'; nothing without a start."""
    if start is None:
        return ""
    return period_text(start, end) if end else ctx.t("cover.period_open", start=start)


def _overview(ctx: Context, document: Any) -> None:
    """The counts as fct_plan_status_count stores them, then every target's and every
    task's verdict (the quantitative targets' table first)."""
    document.add_paragraph(overview_counts_text(ctx))
    if not ctx.data.targets and ctx.data.tasks:
        document.add_paragraph(ctx.t("summary.no_targets"))
    if ctx.data.targets:
        bold_paragraph(document, ctx.t("overview.targets_table"))
        header = ["col.indicator", "col.target", "col.baseline", "col.latest"]
        header += ["col.share_achieved", "col.verdict"]
        rows = [
            [
                ctx.goal_name(t),
                ctx.target_label(t),
                baseline_text(ctx, t),
                latest_text(ctx, t),
                pct(t.share_achieved),
                ctx.status(t.progress_status),
            ]
            for t in ctx.data.targets
        ]
        table = add_table(document, [ctx.t(h) for h in header], rows, WIDTHS["summary"])
        for index, target in enumerate(ctx.data.targets, start=1):
            shade(table.rows[index].cells[5], fill("progress_status", target.progress_status))
    if ctx.data.tasks:
        below_table(bold_paragraph(document, ctx.t("overview.tasks_table")))
        header = ["col.measure_no", "col.task", "col.task_kind", "col.lead_departments"]
        header.append("col.verdict")
        rows = [
            [
                str(number),
                ctx.target_label(task),
                ctx.code("task_kind", task.task_kind),
                ctx.departments(task.lead_departments) if task.lead_departments else DASH,
                ctx.status(task.progress_status),
            ]
            for number, task in enumerate(ctx.data.tasks, start=1)
        ]
        table = add_table(document, [ctx.t(h) for h in header], rows, WIDTHS["tasks"])
        for index, task in enumerate(ctx.data.tasks, start=1):
            shade(table.rows[index].cells[4], fill("progress_status", task.progress_status))


def _target(ctx: Context, document: Any, number: int, target: Target) -> None:
    label = ctx.paren(ctx.target_label(target))
    heading = document.add_heading(f"{number}. {ctx.goal_name(target)}{label}", 2)
    heading.paragraph_format.keep_with_next = True
    verdict = ctx.t("target.verdict", status=ctx.status(target.progress_status))
    bold_paragraph(document, verdict)
    for line in target_paragraphs(ctx, target):  # kept on the page of the chart below
        document.add_paragraph(line).paragraph_format.keep_with_next = True
    rows = ctx.observations(target)
    if rows:
        document.add_picture(io.BytesIO(chart_png(ctx, target, rows)), width=Cm(CHART_WIDTH_CM))
    else:
        document.add_paragraph(ctx.t("target.no_values"))
    if target.indicator_code == LITERACY_INDICATOR:
        _gaps(ctx, document, target)


def _gaps(ctx: Context, document: Any, target: Target) -> None:
    found = ctx.data.literacy_gaps.get(target.target_id)
    if found is None:  # no observations: no year the judgement used
        bold_paragraph(document, ctx.t("literacy.gaps"))
        document.add_paragraph(ctx.t("target.no_gaps"))
        return
    bold_paragraph(document, ctx.t("target.gaps", year=found.up_to_year))
    if not found.gaps:
        document.add_paragraph(ctx.t("target.no_gaps"))
        return
    header = ["col.series", "col.wave", "col.gap", "col.ci", "col.flag"]
    add_table(document, [ctx.t(h) for h in header], gap_rows(ctx, found.gaps), WIDTHS["gaps"])


def _task(ctx: Context, document: Any, number: int, task: Task) -> None:
    numerals = ctx.t("section.task_numerals").split(",")
    numeral = numerals[number - 1] if number <= len(numerals) else str(number)
    title = ctx.t("section.task_numbered", number=numeral, title=ctx.target_label(task))
    document.add_heading(title, 2).paragraph_format.keep_with_next = True
    for line in task_paragraphs(ctx, task):
        document.add_paragraph(line).paragraph_format.keep_with_next = True
    header = ["col.unit_responsible", "col.status", "col.reporting_period", "col.reported_on"]
    header += ["col.progress", "col.document_ref"]
    rows = [
        [
            ctx.department(unit.department_name_zh) if unit.department_name_zh else DASH,
            ctx.measure_status(unit.measure_status),
            unit.reporting_period or DASH,
            unit.reported_on.isoformat() if unit.reported_on else DASH,
            unit.evidence or DASH,
            unit.document_ref or DASH,
        ]
        for unit in task.units
    ]
    table = add_table(document, [ctx.t(h) for h in header], rows, WIDTHS["units"])
    for index, unit in enumerate(task.units, start=1):
        shade(table.rows[index].cells[1], fill("measure_status", unit.measure_status))
    below_table(document.add_paragraph())
