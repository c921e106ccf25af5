"""The used range of a worksheet's XML (ingest.container.SheetScan): the passes of the
regular expression engine over a block where every cell names its reference find the same
last row and column with content as the row-by-row reading, however the XML is cut into
chunks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.container import SheetScan
from ingest.problems import column_letter

CELL = st.tuples(st.integers(1, 40), st.sampled_from(["value", "empty", "text", "blank"]))
ROW = st.tuples(st.booleans(), st.lists(CELL, max_size=6))


def cell_xml(row: int, column: int, kind: str) -> str:
    ref = f'r="{column_letter(column - 1)}{row}"'
    return {
        "value": f'<c {ref} s="1"><v>{column}</v></c>',
        "empty": f'<c {ref} s="2"/>',  # formatted, no content: not in the used range
        "text": f'<c {ref} t="inlineStr"><is><t>x</t></is></c>',
        "blank": f"<c {ref}></c>",  # a start and end tag: counted, as the reader would
    }[kind]


def sheet_xml(rows: list[tuple[bool, list[tuple[int, str]]]]) -> bytes:
    parts = ["<worksheet><sheetData>"]
    for number, (empty_row, cells) in enumerate(rows, start=1):
        if empty_row and not cells:
            parts.append(f'<row r="{number}" s="3"/>')
            continue
        body = "".join(cell_xml(number, c, k) for c, k in sorted(dict(cells).items()))
        parts.append(f'<row r="{number}" spans="1:40">{body}</row>')
    parts.append("</sheetData><mergeCells/></worksheet>")
    return "".join(parts).encode()


def by_rows(xml: bytes) -> tuple[int, int]:
    scan = SheetScan()
    end = xml.rfind(b"</row>") + len(b"</row>")
    scan._scan_rows(xml[:end])
    return scan.rows, scan.columns


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=30), st.integers(1, 400))
def test_the_referenced_scan_finds_the_range_the_row_by_row_scan_finds(rows, chunk) -> None:
    xml = sheet_xml(rows)
    scan = SheetScan()
    for start in range(0, len(xml), chunk):
        scan.feed(xml[start : start + chunk])
    scan.finish()
    assert (scan.rows, scan.columns) == by_rows(xml)


def test_a_formatted_tail_is_not_in_the_used_range() -> None:
    """Values up to P200 (16 columns), then rows formatted to row 1,048,576 and cells
    formatted to column XFD without content: the range is A1:P200, not the whole sheet."""
    rows = "".join(
        f'<row r="{r}">' + "".join(cell_xml(r, c, "value") for c in range(1, 17)) + "</row>"
        for r in range(1, 201)
    )
    tail = '<row r="1048576" s="3"><c r="XFD1048576" s="2"/></row>'
    xml = f"<worksheet><sheetData>{rows}{tail}</sheetData></worksheet>".encode()
    scan = SheetScan()
    scan.feed(xml)
    scan.finish()
    assert (scan.rows, scan.columns) == (200, 16)


def test_cells_without_their_reference_are_read_row_by_row() -> None:
    """Cells that do not name their reference (`<c>`, or attributes without `r=` first,
    as some writers leave them) are placed by their order in the row: A, B, C."""
    for cell in ("<c><v>1</v></c>", '<c t="n"><v>1</v></c>'):
        rows = "".join(f'<row r="{r}">{cell * 3}</row>' for r in (1, 2))
        scan = SheetScan()
        scan.feed(f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode())
        scan.finish()
        assert (scan.rows, scan.columns) == (2, 3), cell
