"""The Word report: cover, summary, one section per target, measures, sources, annex.

The package is written with the as-of date as every date it carries (core properties and
zip member times), so the same data give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from orchestration.report.charts import chart_png
from orchestration.report.components import components
from orchestration.report.data import LITERACY_INDICATOR
from orchestration.report.records import Observation, Target
from orchestration.report.wording import (
    DASH,
    Context,
    annex_paragraphs,
    baseline_text,
    ci_text,
    fill,
    flag_text,
    gap_rows,
    latest_text,
    measure_counts,
    measures_summary_text,
    num,
    or_dash,
    pct,
    period_text,
    review_points_text,
    status_counts_text,
    value_cell_text,
)

# East Asian fonts by their registered (English) family names, which Word resolves to
# the same fonts as their Chinese names.
BODY_FONT_EAST_ASIAN = "SimSun"
HEADING_FONT_EAST_ASIAN = "SimHei"
HEADER_FILL = "D9E1F2"
# Column widths in cm of each kind of table, summing to the text width (21 cm less two
# 2.2 cm margins): narrow columns for codes and numbers, room for names and reasons.
WIDTHS = {
    "summary": (4.2, 2.8, 3.2, 3.4, 3.0),
    "values": (1.6, 3.0, 3.4, 1.8, 6.8),
    "components": (2.4, 5.4, 8.8),
    "gaps": (3.0, 4.4, 2.4, 3.4, 3.4),
    "measure_counts": (6.0, 5.3, 5.3),
    "measures": (1.2, 5.2, 3.0, 2.2, 2.4, 2.6),
    "sources": (1.4, 5.4, 2.8, 5.0, 2.0),
}


def write_docx(ctx: Context, path: Path) -> None:
    document = Document()
    _setup_document(ctx, document)
    _cover(ctx, document)
    sections = ["section.summary"]
    sections += ["section.targets"] if ctx.data.targets else []
    sections += ["section.measures"] if ctx.data.measures else []
    sections += ["section.sources"]
    numerals = ctx.t("section.numerals").split(",")
    heading = {
        key: ctx.t("section.numbered", number=numeral, title=ctx.t(key))
        for key, numeral in zip(sections, numerals, strict=False)
    }
    document.add_heading(heading["section.summary"], level=1)
    _summary(ctx, document)
    if ctx.data.targets:
        document.add_heading(heading["section.targets"], level=1)
        for number, target in enumerate(ctx.data.targets, start=1):
            _target(ctx, document, number, target)
    if ctx.data.measures:
        document.add_heading(heading["section.measures"], level=1)
        _measures(ctx, document)
    document.add_heading(heading["section.sources"], level=1)
    _sources(ctx, document)
    document.add_heading(ctx.t("section.annex"), level=1)
    _annex(ctx, document)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_zip_times(buffer.getvalue(), ctx.as_of))


def _setup_document(ctx: Context, document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    _east_asian_font(document.styles["Normal"], BODY_FONT_EAST_ASIAN)
    document.styles["Normal"].font.size = Pt(10.5)
    for style in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian_font(document.styles[style], HEADING_FONT_EAST_ASIAN)
    moment = datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day)
    core = document.core_properties
    core.title = ctx.title
    core.author = "Kepu Monitor"
    core.last_modified_by = "Kepu Monitor"
    core.created = moment
    core.modified = moment
    core.last_printed = moment
    core.revision = 1
    core.comments = ctx.vintage_note


def _east_asian_font(style: Any, font: str) -> None:
    """Name the East Asian font explicitly; theme fonts would otherwise win in Word."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.set(qn("w:eastAsia"), font)


def _fixed_zip_times(package: bytes, as_of: date) -> bytes:
    """The same package with every member dated `as_of` (python-docx stamps the clock)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, (as_of.year, as_of.month, as_of.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _cover(ctx: Context, document: Any) -> None:
    plan = ctx.data.plan
    document.add_paragraph(ctx.name(plan, "plan_name"), style="Title")
    run = document.add_paragraph().add_run(ctx.kind_text)
    run.bold = True
    run.font.size = Pt(16)
    lines = [
        ("cover.issuer", ctx.name(plan, "issuer")),
        ("cover.region", ctx.name(plan, "region_name") + ctx.paren(plan.region_code)),
        ("cover.period", period_text(plan.period_start, plan.period_end)),
        ("cover.review_points", review_points_text(ctx, plan.reviews)),
        ("cover.kind", ctx.kind_text),
        ("cover.as_of", ctx.as_of.isoformat()),
        ("cover.vintage", ctx.vintage_note),
    ]
    for key, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(ctx.t(key) + ctx.t("report.colon")).bold = True
        paragraph.add_run(str(value))
    if ctx.data.is_synthetic:
        notice = document.add_paragraph().add_run(ctx.t("cover.synthetic"))
        notice.bold = True
        notice.font.size = Pt(12)
        notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    document.add_page_break()


def _summary(ctx: Context, document: Any) -> None:
    if not ctx.data.targets:
        document.add_paragraph(ctx.t("summary.no_targets"))
    else:
        document.add_paragraph(status_counts_text(ctx))
        header = ["col.indicator", "col.target", "col.baseline", "col.latest", "col.status"]
        rows = [
            [
                ctx.name(t, "indicator_name"),
                ctx.name(t, "target_label"),
                baseline_text(ctx, t),
                latest_text(ctx, t),
                ctx.status(t.progress_status),
            ]
            for t in ctx.data.targets
        ]
        table = _table(document, [ctx.t(h) for h in header], rows, WIDTHS["summary"])
        for index, target in enumerate(ctx.data.targets, start=1):
            _shade(table.rows[index].cells[4], fill("progress_status", target.progress_status))
    if ctx.data.measures:
        document.add_paragraph(measures_summary_text(ctx))


def _target(ctx: Context, document: Any, number: int, target: Target) -> None:
    label = ctx.paren(ctx.name(target, "target_label"))
    heading = document.add_heading(f"{number}. {ctx.name(target, 'indicator_name')}{label}", 2)
    heading.paragraph_format.keep_with_next = True
    status = ctx.t("target.status", status=ctx.status(target.progress_status))
    status_paragraph = document.add_paragraph()
    status_paragraph.add_run(status).bold = True
    status_paragraph.paragraph_format.keep_with_next = True  # with the chart below
    rows = ctx.observations(target)
    if rows:
        document.add_picture(io.BytesIO(chart_png(ctx, target, rows)), width=Cm(16))
        unit = getattr(rows[0], f"unit_{ctx.lang}") or rows[0].unit_zh
        header = [
            ctx.t("col.year"),
            ctx.t("col.value_unit", unit=unit),
            ctx.t("col.ci"),
            ctx.t("col.n"),
            ctx.t("col.flag"),
        ]
        _table(document, header, [_value_row(ctx, target, r) for r in rows], WIDTHS["values"])
    else:
        document.add_paragraph(ctx.t("target.no_values"))
    document.add_paragraph()
    _table(
        document,
        [ctx.t("col.symbol"), ctx.t("col.meaning"), ctx.t("col.value")],
        [list(row) for row in components(ctx, target)],
        WIDTHS["components"],
    )
    if target.latest_ci_lower is not None and target.is_target_inside_ci is not None:
        family = target.indicator_family
        key = "target.ci_inside" if target.is_target_inside_ci else "target.ci_outside"
        sentence = ctx.t(
            key,
            target=num(target.target_value, family),
            lower=num(target.latest_ci_lower, family),
            upper=num(target.latest_ci_upper, family),
        )
        _below_table(document.add_paragraph(sentence))
    if target.indicator_code == LITERACY_INDICATOR:
        _gaps(ctx, document, target)
    lead = ctx.t("target.lead", names=ctx.list_text(target.lead_departments))
    _below_table(document.add_paragraph(lead)).paragraph_format.keep_with_next = True
    cooperating = ctx.list_text(target.cooperating_departments)
    document.add_paragraph(ctx.t("target.cooperating", names=cooperating))


def _value_row(ctx: Context, target: Target, row: Observation) -> list[str]:
    withheld = row.quality_flag == "suppress"
    ci = DASH if withheld else ci_text(row.ci_lower, row.ci_upper, target.indicator_family)
    return [
        str(row.year),
        value_cell_text(ctx, target, row),
        ci,
        or_dash(row.sample_size),
        flag_text(ctx, row.quality_flag, row.quality_reason),
    ]


def _gaps(ctx: Context, document: Any, target: Target) -> None:
    found = ctx.data.literacy_gaps.get(target.target_id)
    if found is None:  # no observations: no year the judgement used
        _below_table(document.add_paragraph()).add_run(ctx.t("literacy.gaps")).bold = True
        document.add_paragraph(ctx.t("target.no_gaps"))
        return
    heading = _below_table(document.add_paragraph())
    heading.add_run(ctx.t("target.gaps", year=found.up_to_year)).bold = True
    heading.paragraph_format.keep_with_next = True
    if not found.gaps:
        document.add_paragraph(ctx.t("target.no_gaps"))
        return
    header = ["col.series", "col.wave", "col.gap", "col.ci", "col.flag"]
    _table(document, [ctx.t(h) for h in header], gap_rows(ctx, found.gaps), WIDTHS["gaps"])


def _measures(ctx: Context, document: Any) -> None:
    document.add_paragraph(measures_summary_text(ctx))
    counts = measure_counts(ctx.data.measures)
    pairs = len(ctx.data.measures)
    document.add_paragraph().add_run(ctx.t("measures.by_status")).bold = True
    table = _table(
        document,
        [ctx.t("col.status"), ctx.t("col.count"), ctx.t("col.share")],
        [[ctx.measure_status(s), str(n), pct(n / pairs)] for s, n in counts.items()],
        WIDTHS["measure_counts"],
    )
    for index, code in enumerate(counts, start=1):
        _shade(table.rows[index].cells[0], fill("measure_status", code))
    document.add_paragraph().add_run(ctx.t("measures.table")).bold = True
    header = ["col.measure_no", "col.measure", "col.unit_responsible", "col.status"]
    header += ["col.reporting_period", "col.reported_on"]
    rows = [
        [
            str(m.measure_no),
            ctx.name(m, "title"),
            m.department_name_zh or DASH,
            ctx.measure_status(m.measure_status),
            m.reporting_period or DASH,
            m.reported_on.isoformat() if m.reported_on else DASH,
        ]
        for m in ctx.data.measures
    ]
    table = _table(document, [ctx.t(h) for h in header], rows, WIDTHS["measures"])
    for index, measure in enumerate(ctx.data.measures, start=1):
        _shade(table.rows[index].cells[3], fill("measure_status", measure.measure_status))


def _sources(ctx: Context, document: Any) -> None:
    document.add_paragraph(ctx.t("sources.intro"))
    header = ["col.load_id", "col.file_name", "col.sha12", "col.table", "col.rows"]
    rows = [
        [
            str(load.load_id),
            load.file_name,
            load.file_sha256[:12],
            load.table_name + ctx.paren(load.sheet_name),
            str(load.rows_accepted),
        ]
        for load in ctx.data.loads
    ]
    _table(document, [ctx.t(h) for h in header], rows, WIDTHS["sources"])


def _annex(ctx: Context, document: Any) -> None:
    for text in annex_paragraphs(ctx):
        document.add_paragraph(text)


def _table(
    document: Any, header: list[str], rows: list[list[str]], widths: tuple[float, ...]
) -> Any:
    """A grid table with a shaded header row repeated on each page, rows kept whole,
    columns `widths` cm."""
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
        _shade(cell, HEADER_FILL)
    _repeat_header(table.rows[0])
    for row, values in zip(table.rows[1:], rows, strict=True):
        _keep_row_together(row)
        for cell, text in zip(row.cells, values, strict=True):
            _cell_text(cell, text)
    return table


def _below_table(paragraph: Any) -> Any:
    """Space between a table and the paragraph that follows it."""
    paragraph.paragraph_format.space_before = Pt(6)
    return paragraph


def _cell_text(cell: Any, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(9)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _keep_row_together(row: Any) -> None:
    """A row is not split across pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row: Any) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)
