"""Landing files: all or nothing, idempotent, archived byte for byte, clear rejections."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest import load
from ingest.home import KepuHome
from ingest.load import load_files
from tests.helpers import REGIONS_ROWS, write_sheet

RAW_TABLES = ["regions", "population", "funding_returns", "load_audit", "load_errors"]


def _tables(home: KepuHome) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return {t: con.execute(f"select * from raw.{t} order by all").df() for t in RAW_TABLES}


def _funding(path: Path, code: str = "330304") -> Path:
    return write_sheet(
        path,
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(万元)"],
            [code, 2020, "政府拨款", 162.10],
            [code, 2020, "科普专项经费", 162.10],
        ],
    )


def test_loading_the_same_file_twice_changes_nothing(home: KepuHome, tmp_path: Path) -> None:
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    funding = _funding(tmp_path / "funding.xlsx")
    first = load_files([regions, funding], home)
    before = _tables(home)
    again = load_files([funding, regions], home)
    after = _tables(home)
    assert [o.status for o in first] == ["accepted", "accepted"]
    assert [o.status for o in again] == ["duplicate", "duplicate"]
    assert {o.file_name: o.load_id for o in again} == {"regions.xlsx": 1, "funding.xlsx": 2}
    for table in RAW_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table])
    assert len(after["funding_returns"]) == 2


def test_a_register_row_without_its_code_hides_no_other_rows_unknown_reference(
    home: KepuHome, tmp_path: Path
) -> None:
    """The town's code is missing (a cell problem of its own); the village's parent code
    names no region. Both are reported: the missing code is no known region, and under
    `not in` its null made every parent code pass."""
    rows = [
        *REGIONS_ROWS,
        [None, "某镇", "乡镇", "330304"],
        ["330304902001", "某村", "村", "330304999"],
    ]
    (outcome,) = load_files([write_sheet(tmp_path / "regions.xlsx", "地区", rows)], home)
    assert outcome.status == "rejected"
    found = outcome.errors[["code", "row", "column", "value"]].values.tolist()
    assert found == [
        ["required", 6, "地区代码", None],
        ["unknown_reference", 7, "上级代码 (parent_code)", "330304999"],
    ]


def test_an_unknown_region_code_rejects_the_whole_file(home: KepuHome, tmp_path: Path) -> None:
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    bad = write_sheet(
        tmp_path / "funding_bad.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(万元)"],
            ["330304", 2020, "政府拨款", 162.10],
            ["330399", 2020, "政府拨款", 10.0],
        ],
    )
    (outcome,) = load_files([bad], home)
    assert outcome.status == "rejected"
    assert outcome.errors[["file", "sheet", "row", "column", "value"]].values.tolist() == [
        ["funding_bad.xlsx", "科普经费", 3, "地区代码 (region_code)", "330399"]
    ]
    assert outcome.errors.iloc[0]["code"] == "unknown_reference"
    tables = _tables(home)
    assert tables["funding_returns"].empty
    audit = tables["load_audit"].set_index("file_name").loc["funding_bad.xlsx"]
    counts = (audit.rows_read, audit.rows_accepted, audit.rows_rejected)
    assert (audit.status, *counts) == ("rejected", 2, 0, 1)
    assert tables["load_errors"]["value"].tolist() == ["330399"]


def test_regions_loaded_in_the_same_batch_count_as_known(home: KepuHome, tmp_path: Path) -> None:
    funding = _funding(tmp_path / "funding.xlsx", code="330304901")
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    outcomes = load_files([funding, regions], home)
    assert {o.file_name: o.status for o in outcomes} == {
        "regions.xlsx": "accepted",
        "funding.xlsx": "accepted",
    }


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    reads: dict[str, int] = {}
    real = load.read_file

    def counted(path, name, **kwargs):
        reads[name] = reads.get(name, 0) + 1
        return real(path, name, **kwargs)

    monkeypatch.setattr(load, "read_file", counted)
    return reads


def test_a_batch_lands_its_registers_first_and_reads_each_file_once(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _counting_reads(monkeypatch)
    funding = _funding(tmp_path / "funding.xlsx", code="330304901")
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    outcomes = load_files([funding, regions], home)
    assert [(o.file_name, o.load_id) for o in outcomes] == [
        ("funding.xlsx", 2),
        ("regions.xlsx", 1),
    ]
    assert reads == {"regions.xlsx": 1, "funding.xlsx": 1}


def test_a_file_that_waits_is_read_again_not_held(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A register its sheet name does not give away comes last; the file that refers to
    it waits without holding its rows, and is read again once the register has landed."""
    reads = _counting_reads(monkeypatch)
    funding = _funding(tmp_path / "funding.xlsx", code="330304901")
    regions = write_sheet(tmp_path / "regions.xlsx", "Sheet1", REGIONS_ROWS)
    outcomes = load_files([funding, regions], home)
    assert {o.file_name: (o.status, o.load_id) for o in outcomes} == {
        "regions.xlsx": ("accepted", 1),
        "funding.xlsx": ("accepted", 2),
    }
    assert reads == {"funding.xlsx": 2, "regions.xlsx": 1}


def test_every_file_is_archived_byte_for_byte(home: KepuHome, tmp_path: Path) -> None:
    bad = _funding(tmp_path / "unknown_region.xlsx", code="110000")
    (outcome,) = load_files([bad], home)
    archived = home.archive / f"{outcome.sha256}.xlsx"
    assert outcome.status == "rejected"
    assert archived.read_bytes() == bad.read_bytes()


def test_rows_carry_their_load_and_source_row(home: KepuHome, tmp_path: Path) -> None:
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    load_files([regions, _funding(tmp_path / "funding.xlsx")], home)
    funding = _tables(home)["funding_returns"]
    assert funding[["load_id", "sheet_name", "source_row", "source"]].values.tolist() == [
        [2, "科普经费", 2, "government"],
        [2, "科普经费", 3, "special_fund"],
    ]


def test_a_bad_sheet_rejects_the_good_sheets_of_the_same_file(
    home: KepuHome, tmp_path: Path
) -> None:
    import xlsxwriter

    path = tmp_path / "both.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (
        ("地区", REGIONS_ROWS),
        ("人口", [["地区代码", "年份", "常住人口(人)"], ["330304", 2020, "很多"]]),
    ):
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    book.close()
    (outcome,) = load_files([path], home)
    assert outcome.status == "rejected"
    assert outcome.errors[["sheet", "row", "value"]].values.tolist() == [["人口", 2, "很多"]]
    assert _tables(home)["regions"].empty


def test_a_refused_file_does_not_take_down_the_rest_of_its_batch(
    home: KepuHome, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    outcomes = load_files([broken, _funding(tmp_path / "funding.xlsx"), empty, regions], home)
    assert [(o.file_name, o.status) for o in outcomes] == [
        ("broken.xlsx", "rejected"),
        ("funding.xlsx", "accepted"),
        ("empty.xlsx", "rejected"),
        ("regions.xlsx", "accepted"),
    ]
    assert [o.errors["code"].tolist() for o in outcomes] == [["file_type"], [], ["file_empty"], []]
    for outcome, path in zip(outcomes, [broken, None, empty, regions], strict=True):
        if path is not None:
            assert (home.archive / f"{outcome.sha256}.xlsx").read_bytes() == path.read_bytes()


def test_registers_and_the_rows_that_name_them_may_come_in_any_order(
    home: KepuHome, tmp_path: Path
) -> None:
    """Targets name a plan, the plan names a region: offered in reverse, all land."""
    from tests.corpus import INDICATOR_ROWS, PLAN_ROWS, target, write_book

    targets = target(tmp_path / "targets.xlsx", 2020, 2025)
    plan = write_book(tmp_path / "plan.xlsx", {"规划": PLAN_ROWS, "指标": INDICATOR_ROWS})
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    outcomes = load_files([targets, plan, regions], home)
    assert [o.status for o in outcomes] == ["accepted"] * 3
    assert [o.load_id for o in outcomes] == [3, 2, 1]


def test_a_clean_file_lands_from_its_checked_copy_a_file_with_rows_left_out_does_not(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file without a problem is inserted from the copy its checks read (DuckDB's, not
    the Arrow rows once more); with a row left out that copy still holds it, so the rows
    themselves are inserted, without the row."""
    sources: list[str | None] = []
    real = load._insert

    def spied(con, table, stored, rows, load_id, sheet, held=None):
        sources.append(held)
        return real(con, table, stored, rows, load_id, sheet, held)

    monkeypatch.setattr(load, "_insert", spied)
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    sources.clear()
    (clean,) = load_files([_funding(tmp_path / "funding.xlsx")], home)
    assert (clean.status, sources) == ("accepted", ["file_funding_returns"])
    sources.clear()
    rows = [
        ["地区代码", "年份", "来源", "金额(万元)"],
        ["330304", 2021, "政府拨款", 1.5],
        ["330304", 2021, "科普专项经费", "一百"],
    ]
    bad = write_sheet(tmp_path / "funding_bad.xlsx", "科普经费", rows)
    (partial,) = load_files([bad], home, accept_valid_rows=True)
    assert (partial.status, partial.rows_rejected, sources) == ("accepted", 1, [None])
    landed = _tables(home)["funding_returns"]
    assert landed.loc[landed["year"] == 2021, ["source_row", "amount"]].values.tolist() == [
        [2, 15000.0]
    ]


def test_a_file_is_checked_and_landed_from_the_rows_read_into_the_warehouse_database(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read for a load, a sheet's typed rows are a table of the warehouse's own DuckDB
    (in its in-memory HOLDING database): checked and inserted from there, never made Arrow
    and copied back; the table is dropped once the file has landed."""
    from ingest.read import HOLDING, SheetResult

    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    held_while_landing: list[int] = []
    real_land = load._land_outcome

    def landing(store, item, *args, **kwargs):
        (count,) = store.con.execute(
            "select count(*) from duckdb_tables() where database_name = ?", [HOLDING]
        ).fetchone()
        held_while_landing.append(count)
        return real_land(store, item, *args, **kwargs)

    def no_arrow(sheet: SheetResult):
        raise AssertionError(f"{sheet.sheet}: rows made Arrow")

    monkeypatch.setattr(load, "_land_outcome", landing)
    monkeypatch.setattr(SheetResult, "table", property(no_arrow))
    left: list[int] = []
    real_release = load._release

    def release(item):
        hold = item.result.sheets[0].hold if item.result is not None else None
        real_release(item)
        if hold is not None:
            tables = "select count(*) from duckdb_tables() where database_name = ?"
            left.append(hold.execute(tables, [HOLDING]).fetchone()[0])

    monkeypatch.setattr(load, "_release", release)
    (outcome,) = load_files([_funding(tmp_path / "funding.xlsx")], home)
    assert (outcome.status, outcome.rows) == ("accepted", {"funding_returns": 2})
    assert (held_while_landing, left) == ([1], [0])
    amounts = _tables(home)["funding_returns"]["amount"].tolist()
    assert amounts == [1_621_000.0, 1_621_000.0]


def test_a_department_list_naming_an_unknown_department_is_refused_at_its_cell(
    home: KepuHome, tmp_path: Path
) -> None:
    """A measure's 责任单位 list is checked name by name against the plan's departments:
    of '区科协、不存在的局' only the second is unknown, reported at its row and column."""
    import openpyxl

    from generator.registry import regions_workbook, registry_workbooks

    (ouhai,) = [p for p in registry_workbooks(tmp_path / "demo") if "ouhai" in p.name]
    book = openpyxl.load_workbook(ouhai)
    sheet = book["措施"]
    column = [c.value for c in sheet[1]].index("责任单位 / responsible_units") + 1
    assert sheet.cell(3, column).value == "区科协"
    sheet.cell(3, column).value = "区科协、不存在的局"
    book.save(ouhai)
    regions, plan = load_files([regions_workbook(tmp_path / "demo"), ouhai], home)
    assert (regions.status, plan.status) == ("accepted", "rejected")
    found = plan.errors[["sheet", "row", "column", "value", "code"]].values.tolist()
    assert found == [["措施", 3, "责任单位 (responsible_units)", "不存在的局", "unknown_reference"]]
