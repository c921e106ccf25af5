"""Survey answers in undeclared columns become one row per respondent × header: the long
table is checked against rows written out by hand from the sheet, blanks left out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.read import read_file
from tests.helpers import write_sheet

HEADER = [
    "批次编号 / wave_id",
    "受访者编号 / respondent_id",
    "地区代码 / region_code",
    "层 / stratum",
    "初级抽样单元 / psu",
    "权重 / weight",
    "性别 / sex",
    "年龄 / age",
    "城乡 / urban_rural",
    "文化程度 / education",
    "职业 / occupation",
    # answers: not in the headers' sort order, one header given twice
    "Q2",
    "科学方法",
    "Q10",
    "Q2",
]
PERSON = ["110101", "S01", "S01-C01", "10.5", "女", "40", "城镇", "大专", "农民"]
ANSWERS = [
    ["1", "３", "", " 2 "],
    ["", "", "", ""],
    ["NA", "  ", "x,y", "0"],
    ["-", "1.50", "\u30001\u3000", ""],
]


def _rows(count: int) -> list[list[str]]:
    body = []
    for index in range(count):
        answers = ANSWERS[index % len(ANSWERS)]
        body.append(["w-2020", f"r{index + 1}", *PERSON, *answers])
    return [HEADER, *body]


def _expected(rows: list[list[str]]) -> list[tuple[str, str, int, str, str]]:
    """Written out from the sheet: every answer column, headers in code-point order (a
    header given twice: by column), cells trimmed of blanks, blank cells left out."""
    first = len(HEADER) - len(ANSWERS[0])
    columns = sorted(range(first, len(HEADER)), key=lambda c: (HEADER[c], c))
    out = []
    for number, row in enumerate(rows[1:], start=2):
        for column in columns:
            text = row[column].strip(" \t\r\n\u3000\u00a0")
            if text:
                out.append((row[0], row[1], number, HEADER[column], text))
    return out


def _landed(path: Path) -> list[tuple]:
    result = read_file(path)
    assert result.errors.empty, result.errors.to_string()
    (sheet,) = result.sheets
    table = sheet.extra_table
    assert table.column_names == [
        "wave_id",
        "respondent_id",
        "source_row",
        "item_code",
        "response",
    ]
    return list(zip(*(table[c].to_pylist() for c in table.column_names), strict=True))


@pytest.mark.parametrize("count", [4, 100])  # 100: past a csv's head, read by Arrow
def test_answers_are_one_row_per_respondent_and_header_in_order(tmp_path: Path, count: int) -> None:
    rows = _rows(count)
    path = tmp_path / "受访者.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    expected = _expected(rows)
    assert expected[:3] == [
        ("w-2020", "r1", 2, "Q2", "1"),
        ("w-2020", "r1", 2, "Q2", "2"),
        ("w-2020", "r1", 2, "科学方法", "３"),
    ]
    assert _landed(path) == expected


def test_answers_in_a_workbook_are_the_same_rows(tmp_path: Path) -> None:
    rows = _rows(9)
    path = write_sheet(tmp_path / "wave.xlsx", "受访者", rows)
    assert _landed(path) == _expected(rows)
