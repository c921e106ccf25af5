"""The used range of a worksheet's XML (ingest.container.SheetScan): the passes of the
regular expression engines over a block where every cell names its reference find the same
last row and column with content as the row-by-row reading, and the same formulas without
a value and error cells as a look at the whole XML, however the XML is cut into chunks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.container import SheetScan
from ingest.problems import column_letter

KINDS = ["value", "empty", "text", "blank", "formula", "formula_no_value", "error"]
CELL = st.tuples(st.integers(1, 40), st.sampled_from(KINDS))
ROW = st.tuples(st.booleans(), st.lists(CELL, max_size=6))


def cell_xml(row: int, column: int, kind: str) -> str:
    ref = f'r="{column_letter(column - 1)}{row}"'
    return {
        "value": f'<c {ref} s="1"><v>{column}</v></c>',
        "empty": f'<c {ref} s="2"/>',  # formatted, no content: not in the used range
        "text": f'<c {ref} t="inlineStr"><is><t>x</t></is></c>',
        "blank": f"<c {ref}></c>",  # a start and end tag: counted, as the reader would
        "formula": f"<c {ref}><f>A1+1</f><v>2</v></c>",
        "formula_no_value": f"<c {ref}><f>A1+1</f></c>",  # flagged: no saved result
        "error": f'<c {ref} t="e"><v>#DIV/0!</v></c>',  # flagged
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


def by_rows(xml: bytes) -> tuple[int, int, dict]:
    """The range read row by row, and the flagged cells found in the whole XML at once."""
    scan = SheetScan()
    end = xml.rfind(b"</row>") + len(b"</row>")
    scan._scan_rows(xml[:end])
    scan._formulas(xml)
    scan._errors(xml)
    return scan.rows, scan.columns, scan.flagged


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, max_size=30), st.integers(1, 400))
def test_the_referenced_scan_finds_the_range_the_row_by_row_scan_finds(rows, chunk) -> None:
    xml = sheet_xml(rows)
    scan = SheetScan()
    for start in range(0, len(xml), chunk):
        scan.feed(xml[start : start + chunk])
    scan.finish()
    assert (scan.rows, scan.columns, scan.flagged) == by_rows(xml)


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


def test_a_block_without_rare_cells_keeps_the_range_and_flags_none() -> None:
    """A block whose cells all name their reference, hold no formula or error and lie
    within the widest column so far takes the one RE2 pass; each rare kind is found."""

    def row(number: int, columns: list[int], kind: str = "value") -> str:
        cells = "".join(cell_xml(number, c, kind) for c in columns)
        return f'<row r="{number}">{cells}</row>'

    scan = SheetScan()
    scan.feed(f"<worksheet><sheetData>{row(1, [1, 2, 3, 4])}".encode())
    assert (scan.rows, scan.columns, scan.flagged) == (1, 4, {})
    scan.feed(row(2, [1, 2]).encode())  # nothing rare: the range grows by the row alone
    assert (scan.rows, scan.columns) == (2, 4)
    scan.feed(row(3, [2], "formula_no_value").encode())
    scan.feed(row(4, [3], "error").encode())
    scan.feed(row(5, [1, 6]).encode())  # wider
    scan.feed(f"{row(7, [1])}</sheetData></worksheet>".encode())
    scan.finish()
    assert (scan.rows, scan.columns) == (7, 6)
    assert scan.flagged == {(2, 1): ("formula_no_value", ""), (3, 2): ("cell_error", "#DIV/0!")}
