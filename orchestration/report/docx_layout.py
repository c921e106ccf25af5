"""How the Word report looks: page, fonts, dates, tables, shading; no content.

The package is written with the as-of date as every date it carries (core properties and
zip member times), so the same data give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from orchestration.report.wording import Context

# East Asian fonts by their registered (English) family names, which Word resolves to
# the same fonts as their Chinese names.
BODY_FONT_EAST_ASIAN = "SimSun"
HEADING_FONT_EAST_ASIAN = "SimHei"
HEADER_FILL = "D9E1F2"
# Below this luma (0–255) a fill is dark enough that black text does not read on it.
DARK_FILL_LUMA = 100


def setup_document(ctx: Context, document: Any) -> None:
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


def fixed_zip_times(package: bytes, as_of: date) -> bytes:
    """The same package with every member dated `as_of` (python-docx stamps the clock)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, (as_of.year, as_of.month, as_of.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def add_table(
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
        shade(cell, HEADER_FILL)
    _repeat_header(table.rows[0])
    for row, values in zip(table.rows[1:], rows, strict=True):
        _keep_row_together(row)
        for cell, text in zip(row.cells, values, strict=True):
            _cell_text(cell, text)
    return table


def below_table(paragraph: Any) -> Any:
    """Space between a table and the paragraph that follows it."""
    paragraph.paragraph_format.space_before = Pt(6)
    return paragraph


def bold_paragraph(document: Any, text: str) -> Any:
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = True
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _cell_text(cell: Any, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(9)


def shade(cell: Any, fill: str) -> None:
    """Fill the cell; its text turns white on a dark fill (not achieved), so it prints."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    if 0.299 * red + 0.587 * green + 0.114 * blue < DARK_FILL_LUMA:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
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
