"""The column-wise text of cells (`ingest.read.column_text`) is the text `cell_text` gives
cell by cell: whole floats below 1e15 without '.0', other floats as Python's repr, dates
ISO, booleans TRUE/FALSE, strings as they are, blanks null. Expected strings are written
out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.read import cell_text, column_text

NAN, INF = float("nan"), float("inf")

COLUMNS = {
    "whole floats": (
        [1.0, 63.0, -5.0, -0.0, 0.0, 999_999_999_999_999.0, -999_999_999_999_999.0],
        ["1", "63", "-5", "0", "0", "999999999999999", "-999999999999999"],
    ),
    "1e15 and above": (
        [1e15, -1e15, 2.5e16, 1e300],
        ["1000000000000000.0", "-1000000000000000.0", "2.5e+16", "1e+300"],
    ),
    "decimals, NaN and infinities": (
        [
            671.634,
            0.1 + 0.2,
            1e-05,
            123_456_789_012_345.6,
            -1.5,
            NAN,
            INF,
            -INF,
            99_999_999_999_999.9,
            -6_511_710_387_512.144,
            0.0001,
        ],
        [
            "671.634",
            "0.30000000000000004",
            "1e-05",
            "123456789012345.6",
            "-1.5",
            "nan",
            "inf",
            "-inf",
            "99999999999999.9",
            "-6511710387512.144",
            "0.0001",
        ],
    ),
    "text, blanks and numbers": (
        ["城镇", "", None, 18.5, "  科学  ", 60.0, None, "0.10"],
        ["城镇", "", None, "18.5", "  科学  ", "60", None, "0.10"],
    ),
    "dates and booleans among numbers": (
        [
            date(2020, 1, 2),
            datetime(2021, 2, 15),
            datetime(2021, 2, 15, 8, 30, 5),
            True,
            False,
            3,
            2020.0,
            None,
            "是",
        ],
        [
            "2020-01-02",
            "2021-02-15",
            "2021-02-15 08:30:05",
            "TRUE",
            "FALSE",
            "3",
            "2020",
            None,
            "是",
        ],
    ),
    "only text": (["beijing-2020", None, "女"], ["beijing-2020", None, "女"]),
    "only blanks": ([None, None], [None, None]),
}


@pytest.mark.parametrize("name", COLUMNS)
def test_column_text_is_the_hand_written_text(name: str) -> None:
    values, expected = COLUMNS[name]
    assert column_text(values).to_pylist() == expected


@pytest.mark.parametrize("name", COLUMNS)
def test_column_text_equals_cell_text_cell_by_cell(name: str) -> None:
    values, _ = COLUMNS[name]
    assert column_text(values).to_pylist() == [None if v is None else cell_text(v) for v in values]


def test_an_empty_column_is_an_empty_text_array() -> None:
    text = column_text([])
    assert len(text) == 0
    assert str(text.type) == "string"
