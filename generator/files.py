"""Write generated tables as users deliver them, streamed: xlsx for what fits, csv beyond.

The layout is `ingest.workbook.write_workbook`'s (a 说明/about sheet marking the data
synthetic with its received date, then one sheet per spec under bilingual headers), but
written row by row in xlsxwriter's constant-memory mode, with the workbook's creation
date set to the received date so that the same seed gives the same bytes. A table of more
than XLSX_ROWS rows goes to csv instead (an xlsx sheet holds at most 1,048,576 rows), in
UTF-8 with a byte-order mark as Excel writes it, one file per province where the caller
splits it; a csv has no about sheet, so the about sheet's first two rows (synthetic, received
on) open it, above the header, padded to the table's width.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import xlsxwriter
from pyarrow import csv as pa_csv

from ingest.specs import TableSpec
from ingest.workbook import SYNTHETIC_NOTE, _describe, _unit, header_text

XLSX_ROWS = 200_000


def _headers(
    spec: TableSpec, frame: pd.DataFrame | pa.Table, units: Mapping[str, str]
) -> list[str]:
    """Bilingual headers of the declared columns; any other column (section scores, kept
    in the spec's extra table) under its own name."""
    declared = {c.name for c in spec.columns}
    names = frame.column_names if isinstance(frame, pa.Table) else list(frame.columns)
    assert spec.extra_table or declared.issuperset(names), spec.table
    return [
        header_text(spec, name, _unit(spec, name, units)) if name in declared else name
        for name in names
    ]


def _about(received_on: date) -> list[list[str]]:
    """What marks a generated file: synthetic, and the date it counts as received."""
    return [
        ["数据性质 / data nature", "合成 synthetic", *SYNTHETIC_NOTE],
        ["报送日期 / received on", received_on.isoformat()],
    ]


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[TableSpec, pd.DataFrame]],
    received_on: date,
    units: Mapping[str, str] | None = None,
) -> Path:
    """One workbook: the about sheet, then one sheet per spec, rows streamed."""
    units = units or {}
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
    )
    book.set_properties({"created": datetime.combine(received_on, time())})
    about = book.add_worksheet("说明")
    lines = [*_about(received_on), []]
    for spec, _ in sheets:
        lines.extend(_describe(spec))
    for row, line in enumerate(lines):
        about.write_row(row, 0, line)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for spec, frame in sheets:
        sheet = book.add_worksheet(spec.sheet_names[1])
        sheet.write_row(0, 0, _headers(spec, frame, units), bold)
        cells = frame.astype(object).where(frame.notna(), None)
        for row, values in enumerate(cells.itertuples(index=False, name=None), start=1):
            sheet.write_row(row, 0, values)
    book.close()
    return path


def write_csv(
    path: Path,
    spec: TableSpec,
    frame: pd.DataFrame | pa.Table,
    received_on: date,
    units: Mapping[str, str] | None = None,
) -> Path:
    """One table as csv under the about rows and the same bilingual headers, written by
    Arrow."""
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    width = max(table.num_columns, len(_about(received_on)[0]))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for line in _about(received_on):
            writer.writerow(line + [""] * (width - len(line)))
        writer.writerow(_headers(spec, table, units or {}))
    with path.open("ab") as handle:
        pa_csv.write_csv(
            table, handle, pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        )
    return path
