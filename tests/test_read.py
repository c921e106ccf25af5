"""Reading sheets: headers in either language, units, typing and cell-level errors."""

from __future__ import annotations

import gc
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from ingest import read as reader
from ingest.problems import render
from ingest.read import read_file
from tests.helpers import write_sheet


def _frame(path: Path) -> pd.DataFrame:
    result = read_file(path)
    assert result.errors.empty, result.errors.to_string()
    (sheet,) = result.sheets
    return sheet.frame


def test_chinese_and_english_headers_give_the_same_rows(tmp_path: Path) -> None:
    zh = write_sheet(
        tmp_path / "zh.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(万元)"],
            [330304, 2015, "政府拨款", 116.23],
            [330304, 2015, "其中：科普专项经费", 116.23],
        ],
    )
    en = write_sheet(
        tmp_path / "en.csv.xlsx",
        "funding",
        [
            ["region_code", "year", "source", "amount (10k yuan)"],
            ["330304", "2015", "government", "116.23"],
            ["330304", "2015", "special fund", "116.23"],
        ],
    )
    columns = ["region_code", "year", "source", "amount"]
    pd.testing.assert_frame_equal(_frame(zh)[columns], _frame(en)[columns])
    assert _frame(zh)["source"].tolist() == ["government", "special_fund"]
    assert _frame(zh)["region_code"].tolist() == ["330304", "330304"]


def test_amounts_in_wan_yuan_are_multiplied_by_ten_thousand(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "f.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额（万元）"],
            ["330304", 2020, "政府拨款", 162.10],
        ],
    )
    assert _frame(path)["amount"].tolist() == pytest.approx([1_621_000.0])


def test_amounts_in_yuan_are_kept(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "f.xlsx",
        "funding",
        [
            ["region_code", "year", "source", "amount (yuan)"],
            ["330304", 2020, "donation", "1,621,000"],
        ],
    )
    assert _frame(path)["amount"].tolist() == [1_621_000.0]


def test_plain_and_written_up_cells_of_one_column_are_typed_alike(tmp_path: Path) -> None:
    """A plain number or code takes the short way, one with separators, blanks at its
    edges or full-width forms the long way; both give what the statistician meant, and
    inf, 1e400 and words are refused by name, row and cell."""
    path = write_sheet(
        tmp_path / "f.xlsx",
        "funding",
        [
            ["region_code", "year", "source", "amount (yuan)"],
            ["330304", "2016", "government", "7"],
            [" 330304", "２０１７", "government", "1,621,000"],
            ["３３０３０４", "2018", "government", "１２３"],
            ["330304 ", " 2019 ", "government", " 45 "],
            ["330304", "2020", "government", "2.5e3"],
            ["330304", "2021", "government", "inf"],
            ["330304", "2022", "government", "1e400"],
            ["330304", "2023", "government", "abc"],
        ],
    )
    result = read_file(path)
    found = result.errors[["row", "cell", "code", "value"]].to_dict("records")
    assert found == [
        {"row": 7, "cell": "D7", "code": "not_finite", "value": "inf"},
        {"row": 8, "cell": "D8", "code": "not_finite", "value": "1e400"},
        {"row": 9, "cell": "D9", "code": "not_number", "value": "abc"},
    ]
    frame = result.sheets[0].frame.head(5)
    assert frame["region_code"].tolist() == ["330304"] * 5
    assert frame["year"].tolist() == [2016, 2017, 2018, 2019, 2020]
    assert frame["amount"].tolist() == [7.0, 1_621_000.0, 123.0, 45.0, 2_500.0]


@pytest.mark.parametrize(
    ("cells", "plain"),
    [
        (["330304", "1,621,000", "2.5e3", "inf", "abc", "", None], True),
        ([None, None], True),
        (["7", " 7"], False),
        (["7", "7\t"], False),
        (["7", "7\r\n"], False),
        (["7", "\u00a07"], False),  # a no-break space
        (["7", "7\u3000"], False),  # an ideographic space
        (["7", "７"], False),  # a full-width digit
        (["政府拨款"], False),
    ],
)
def test_a_column_is_plain_when_every_cell_is_ascii_without_edge_blanks(
    cells: list[str | None], plain: bool
) -> None:
    body = pa.table({"c3": pa.array(cells, pa.string())})
    assert reader.plain_columns(body, [3]) == ({3} if plain else set())


def test_a_plain_column_is_typed_as_the_cleaning_steps_type_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns of plain cells (`plain_columns`) skip the cleaning steps; the same sheet read
    with every column taken through them gives the same rows and the same problems."""
    path = write_sheet(
        tmp_path / "f.xlsx",
        "funding",
        [
            ["region_code", "year", "source", "amount (yuan)"],
            ["330304", "2016", "government", "7"],
            ["330304", "2017", "government", "1,621,000"],
            ["330304", "2018", "government", "2.5e3"],
            ["330304", "2019", "government", "inf"],
            ["330304", "2020", "government", "abc"],
            ["330304", "2021", "government", ""],
            ["330304", "2022", "government", "-"],
            ["33030", "2023", "government", "1e400"],
        ],
    )
    plain = read_file(path)
    monkeypatch.setattr(reader, "plain_columns", lambda body, positions: set())
    cleaned = read_file(path)
    assert plain.sheets[0].table.equals(cleaned.sheets[0].table)
    assert plain.errors.to_dict("records") == cleaned.errors.to_dict("records")
    assert plain.sheets[0].frame["amount"].head(3).tolist() == [7.0, 1_621_000.0, 2_500.0]
    assert plain.errors[["cell", "code"]].to_dict("records") == [
        {"cell": "D5", "code": "not_finite"},
        {"cell": "D6", "code": "not_number"},
        {"cell": "D7", "code": "required"},
        {"cell": "D8", "code": "not_number"},
        {"cell": "A9", "code": "pattern"},
        {"cell": "D9", "code": "not_finite"},
    ]


def test_a_unit_cell_above_the_header_declares_the_unit(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "f.xlsx",
        "经费",
        [
            ["2020年科普经费筹集情况"],
            ["单位：万元"],
            ["地区代码", "年份", "来源", "金额"],
            ["330304", 2020, "自筹资金", 3.5],
        ],
    )
    frame = _frame(path)
    assert frame["amount"].tolist() == [35_000.0]
    assert frame["source_row"].tolist() == [4]


def test_population_in_wan_persons_becomes_persons_per_type(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "p.xlsx",
        "人口",
        [
            ["地区代码", "年份", "常住人口(万人)", "户籍人口(万人)"],
            ["330304", 2015, 91.69, 43.53],
        ],
    )
    frame = _frame(path).set_index("population_type")
    assert frame.loc["resident", "population"] == pytest.approx(916_900)
    assert frame.loc["registered", "population"] == pytest.approx(435_300)


def test_a_money_column_without_a_unit_is_an_error_not_a_guess(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "f.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额"],
            ["330304", 2020, "政府拨款", 162.10],
        ],
    )
    errors = read_file(path).errors
    assert errors[["sheet", "row", "column", "code"]].values.tolist() == [
        ["科普经费", 1, "金额", "unit_missing"]
    ]
    (zh,) = render(errors, "zh")
    assert "万元" in zh and "D1" in zh


def test_bad_cells_are_named_by_row_column_and_value(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "bad.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(元)"],
            ["330304", 2020, "政府拨款", 100],
            ["33030", 2020, "政府拨款", 100],
            ["330304", "二〇二〇", "政府拨款", 100],
            ["330304", 2020, "彩票", -5],
        ],
    )
    errors = read_file(path).errors.sort_values(["row", "column"])
    assert errors[["file", "row", "column", "value"]].values.tolist() == [
        ["bad.xlsx", 3, "地区代码", "33030"],
        ["bad.xlsx", 4, "年份", "二〇二〇"],
        ["bad.xlsx", 5, "来源", "彩票"],
        ["bad.xlsx", 5, "金额(元)", "-5"],
    ]


def test_the_same_key_twice_in_a_sheet_is_an_error(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "dup.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(元)"],
            ["330304", 2020, "政府拨款", 100],
            ["330304", 2020, "财政拨款", 200],
        ],
    )
    errors = read_file(path).errors
    assert sorted(errors["row"].tolist()) == [2, 3]
    assert set(errors["value"]) == {"330304 | 2020 | government"}


def test_an_unrecognised_sheet_is_reported_not_skipped(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "x.xlsx", "杂项", [["甲", "乙"], [1, 2]])
    errors = read_file(path).errors
    assert errors[["sheet", "code"]].values.tolist() == [["杂项", "unknown_sheet"]]
    (zh,) = render(errors, "zh")
    assert "杂项" in zh and "科普经费" in zh


def test_a_workbook_packed_with_a_method_zipfile_cannot_read_is_refused_as_corrupt(
    tmp_path: Path,
) -> None:
    """Every part's compression method rewritten to 9 (Deflate64, which Python's zipfile
    does not decompress): one located refusal, no exception."""
    path = write_sheet(tmp_path / "deflate64.xlsx", "杂项", [["甲", "乙"], [1, 2]])
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset : start + offset + 2] = (9).to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    result = read_file(path)
    assert result.refused
    assert result.errors["code"].tolist() == ["workbook_corrupt"]


@pytest.mark.parametrize("running", [True, False])
def test_the_cycle_collector_pauses_while_rows_become_columns_and_is_left_as_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running: bool
) -> None:
    seen: list[bool] = []
    real = reader.column_text

    def spied(values):
        seen.append(gc.isenabled())
        return real(values)

    monkeypatch.setattr(reader, "column_text", spied)
    path = write_sheet(
        tmp_path / "funding.xlsx",
        "科普经费",
        [["地区代码", "年份", "来源", "金额(万元)"], [330304, 2015, "政府拨款", 116.23]],
    )
    (gc.enable if running else gc.disable)()
    try:
        (sheet,) = read_file(path).sheets
        after = gc.isenabled()
    finally:
        gc.enable()
    assert (seen, after, sheet.table["amount"].to_pylist()) == ([False] * 4, running, [1162300.0])
