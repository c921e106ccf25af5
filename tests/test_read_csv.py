"""Reading a csv past its first rows column-wise (Arrow): the same records, row numbers,
problems and refusals as csv.reader gives, whatever the encoding, quoting or shape."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import container
from ingest.container import open_grids
from ingest.read import read_file
from ingest.settings import limits

HEADER = "地区代码,年份,来源,金额(元),备注"
ROWS = 40  # data rows: more than the csv head that csv.reader reads (CSV_HEAD_ROWS)


def _lines() -> list[str]:
    """Row i (record i + 2): region 3303ii, 2020, 政府拨款, amount i × 10, note 'n<i>'."""
    return [HEADER] + [f"3303{i:02d},2020,政府拨款,{i * 10},n{i}" for i in range(ROWS)]


def _write(path: Path, lines: list[str], encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.write_bytes(bom + "\n".join(lines).encode(encoding) + "\n".encode(encoding))
    return path


def _read(path: Path) -> tuple[list[tuple], list[tuple]]:
    """(region, amount, note) of every row read, and (row, cell, column, value, code)
    of every problem."""
    result = read_file(path)
    stored = [
        (r.region_code, None if pd.isna(r.amount) else r.amount, r.note)
        for sheet in result.sheets
        for r in sheet.frame.itertuples()
    ]
    found = [
        (p.row, p.cell, p.column, p.value, p.code) for p in result.errors.itertuples(index=False)
    ]
    return stored, found


def _expected_rows() -> list[tuple]:
    return [(f"3303{i:02d}", float(i * 10), f"n{i}") for i in range(ROWS)]


def test_a_long_csv_is_read_past_its_head_as_columns_with_every_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "funding.csv", _lines(), bom=codecs.BOM_UTF8)
    (grid,) = open_grids(path, "funding.csv")
    head, columns = grid.rows_from(1)
    assert len(list(head)) == container.CSV_HEAD_ROWS - 1
    assert columns is not None and columns.num_rows == ROWS + 1 - container.CSV_HEAD_ROWS
    assert columns.column(4).to_pylist()[-1] == "n39"
    assert _read(path) == (_expected_rows(), [])


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("gb18030", b"", ","),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "\t"),
        ("utf-8", b"", "\t"),
    ],
)
def test_every_encoding_we_read_gives_the_same_rows_past_the_head(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str
) -> None:
    lines = [line.replace(",", delimiter) for line in _lines()]
    path = _write(tmp_path / "funding.csv", lines, encoding, bom)
    assert _read(path) == (_expected_rows(), [])


def test_a_quoted_line_break_is_one_row_and_rows_count_records(tmp_path: Path) -> None:
    """Row numbers count records, as csv.reader gives them: a quoted field with a line
    break is one row, so the rows below it are numbered one less than their line."""
    lines = _lines()
    lines[36] = '330335,2020,政府拨款,350,"第一行\n第二行, 带逗号 ""引号"""'  # record 37
    lines[38] = "330337,2020,彩票,370,n37"  # record 39, on line 40 of the file
    stored, found = _read(_write(tmp_path / "funding.csv", lines))
    assert found == [(39, "C39", "来源", "彩票", "not_choice")]
    notes = {region: note for region, _, note in stored}
    assert notes["330335"] == '第一行\n第二行, 带逗号 "引号"'
    assert len(stored) == ROWS  # the row with a problem is read (and left out on landing)


def test_short_and_long_rows_past_the_head_read_as_blanks_and_are_cut(tmp_path: Path) -> None:
    lines = _lines()
    lines[35] = "330334,2020,政府拨款"  # record 36: no amount, no note
    lines[37] = "330336,2020,政府拨款,360,n36,surplus,cells"  # record 38: two cells too many
    stored, found = _read(_write(tmp_path / "funding.csv", lines))
    assert found == [(36, "D36", "金额(元)", None, "required")]
    expected = _expected_rows()
    expected[34] = ("330334", None, None)
    assert stored == expected


def test_a_blank_line_past_the_head_keeps_the_rows_numbered_by_record(tmp_path: Path) -> None:
    lines = _lines()
    lines[34:34] = [""]  # record 35 is an empty record
    lines[38] = "330337,2020,彩票,370,n37"  # record 39
    stored, found = _read(_write(tmp_path / "funding.csv", lines))
    assert found == [(39, "C39", "来源", "彩票", "not_choice")]
    assert len(stored) == ROWS


def test_cells_stay_the_text_typed_past_the_head(tmp_path: Path) -> None:
    lines = _lines()
    lines[34] = "330333,2020,政府拨款,330,NA"
    lines[35] = '330334,2020,政府拨款,340,"null"'
    lines[36] = "330335,2020,政府拨款,350,"
    lines[37] = '330336,2020,政府拨款,360,"  x , y  "'
    (grid,) = open_grids(_write(tmp_path / "funding.csv", lines), "funding.csv")
    rows = list(grid.rows())
    assert grid.rows_from(1)[1] is not None  # these rows were read as columns
    assert [row[4] for row in rows[34:38]] == ["NA", "null", "", "  x , y  "]


def test_the_cells_limit_refuses_past_the_head_at_the_row_csv_reader_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 columns, at most 190 cells: row 39 is the first over (195 cells), by hand."""
    monkeypatch.setenv("KEPU_MAX_SHEET_CELLS", "190")
    limits.cache_clear()
    try:
        result = read_file(_write(tmp_path / "funding.csv", _lines()))
    finally:
        monkeypatch.delenv("KEPU_MAX_SHEET_CELLS")
        limits.cache_clear()
    (refusal,) = result.errors.itertuples(index=False)
    assert (refusal.code, refusal.sheet) == ("sheet_too_large", "funding")
    assert json.loads(refusal.fields) == {
        "cells": 195,
        "columns": 5,
        "limit": 190,
        "range": "A1:E39+",
        "rows": 39,
        "setting": "KEPU_MAX_SHEET_CELLS",
    }


PIECES = ["a", "中", ",", '"', '""', "\n", "\r", "\r\n", " ", "\t", "\u3000", "NA"]


@settings(max_examples=400, deadline=None)
@given(
    head=st.integers(min_value=0, max_value=3),
    text=st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
    wide=st.booleans(),
)
def test_the_records_are_csv_readers_records_wherever_the_head_ends(
    tmp_path_factory: pytest.TempPathFactory, head: int, text: str, wide: bool
) -> None:
    """Any text: the grid's rows are exactly csv.reader's records (or both refuse)."""
    text = ("a,b,c\n1,2,3\n" if wide else "") + text
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container, "CSV_HEAD_ROWS", head)
        grids = open_grids(path, "t.csv") if text else []
    assert [row for grid in grids for row in grid.rows()] == expected


def test_a_long_csv_of_blank_cells_only_brings_no_data(tmp_path: Path) -> None:
    path = _write(tmp_path / "blank.csv", [" ,\u3000,,\t"] * ROWS)
    (grid,) = open_grids(path, "blank.csv")
    assert grid.rows_from(0)[1] is not None and grid.is_empty()
    result = read_file(path)
    assert (result.sheets, result.errors["code"].tolist()) == ([], ["no_data"])


@pytest.mark.parametrize(("empty", "as_columns"), [(",,,,", True), ("", False)])
def test_a_row_of_empty_cells_is_read_as_columns_and_a_blank_line_by_csv_reader(
    tmp_path: Path, empty: str, as_columns: bool
) -> None:
    """Arrow reads a blank line and a line of delimiters alike, as a row of empty cells;
    csv.reader reads a blank line as an empty record. A file with a blank line past the
    head is read by csv.reader alone; one with a line of delimiters stays column-wise.
    Either way record 36 is empty and the rows around it are numbered by record."""
    lines = _lines()
    lines[35] = empty  # record 36
    (grid,) = open_grids(_write(tmp_path / "funding.csv", lines), "funding.csv")
    assert (grid.rows_from(1)[1] is not None) is as_columns
    rows = list(grid.rows())
    assert rows[35] == ([""] * 5 if empty else [])
    assert rows[36][0] == "330335"
    stored, found = _read(tmp_path / "funding.csv")
    assert found == [] and len(stored) == ROWS - 1
