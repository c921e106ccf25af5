"""Nothing of a file's name or cells reaches a path, a shell or the text of a query;
exported cells cannot run as formulas; respondent-level microdata is never published."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.home import KepuHome
from ingest.load import load_files
from ingest.settings import limits
from orchestration.cli import main
from orchestration.publish import MicrodataRefused, publish_marts, spreadsheet_safe
from tests.helpers import REGIONS_ROWS, write_sheet

NASTY_NAME = "a'; rm -rf ~; $(touch pwned) `id` ..\\..\\x.xlsx"


def _tables(home: KepuHome) -> dict[str, int]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }


def test_a_hostile_file_name_and_sheet_name_are_data(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    sheet = "x'); drop table raw.t; --"
    hostile = write_sheet(
        tmp_path / NASTY_NAME,
        sheet,
        [["地区代码", "年份", "来源", "金额(元)"], ["330304", 2020, "政府拨款", 5]],
    )
    outcomes = load_files([regions, hostile], home)
    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    assert sorted(p.name for p in home.archive.iterdir()) == sorted(
        f"{o.sha256}.xlsx" for o in outcomes
    )
    assert not (tmp_path / "pwned").exists()
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        stored = con.execute(
            "select file_name, sheet_name from raw.load_audit where load_id = 2"
        ).fetchall()
        landed = con.execute("select sheet_name from raw.funding_returns").fetchall()
    assert stored == [(NASTY_NAME, sheet)]
    assert landed == [(sheet,)]


def test_injection_shaped_cells_are_values_not_sql(home: KepuHome, tmp_path: Path) -> None:
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    load_files([regions], home)
    before = _tables(home)
    bad = write_sheet(
        tmp_path / "bad.xlsx",
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(元)", "备注"],
            ["330304') or ('1'='1", 2020, "政府拨款", 5, "x"],
            ["330304", 2020, "'; delete from raw.regions; --", 5, "y"],
            ["330304", "2020; drop table raw.regions", "政府拨款", 5, "z"],
        ],
    )
    (outcome,) = load_files([bad], home)
    assert outcome.errors["code"].tolist() == ["pattern", "not_choice", "not_number"]
    assert outcome.errors["value"].tolist() == [
        "330304') or ('1'='1",
        "'; delete from raw.regions; --",
        "2020; drop table raw.regions",
    ]
    after = _tables(home)
    assert after["regions"] == before["regions"] == 4
    assert after["load_errors"] == 3


def test_exported_text_cannot_run_as_a_formula() -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "普通", None],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "普通",
        None,
    ]
    assert safe["value"].tolist() == frame["value"].tolist()


def test_kepu_sql_csv_is_spreadsheet_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = KepuHome(tmp_path / "home").ensure()
    with duckdb.connect(str(home.published)) as con:
        con.execute("create table t as select '=1+1' as a, -1 as b")
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    assert main(["sql", "select * from t", "--csv"]) == 0
    assert pd.read_csv(io.StringIO(capsys.readouterr().out)).values.tolist() == [["'=1+1", -1]]


def test_a_mart_with_respondent_microdata_is_never_published(tmp_path: Path) -> None:
    source, target = tmp_path / "warehouse.duckdb", tmp_path / "kepu.duckdb"
    with duckdb.connect(str(source)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_ok as select 1 as n")
        con.execute("create table marts.fct_leak as select 'r1' as respondent_id, 1 as score")
    with pytest.raises(MicrodataRefused, match=r"fct_leak\.respondent_id"):
        publish_marts(source, target, "b1")
    assert not target.exists()
    assert not list(tmp_path.glob(".kepu-*"))


def test_the_published_demo_snapshot_has_no_respondent_level_table(demo_home: KepuHome) -> None:
    with duckdb.connect(str(demo_home.published), read_only=True) as con:
        columns = {c for (c,) in con.execute("select column_name from duckdb_columns()").fetchall()}
    assert not columns & {"respondent_id", "response"}


@pytest.mark.parametrize("value", ["lots", "0", "-5", "2.5"])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused_by_name(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in a limit is a configuration error naming the variable and the value, not
    Python's "invalid literal for int()"."""
    monkeypatch.setenv("KEPU_MAX_FILE_MB", value)
    limits.cache_clear()
    try:
        with pytest.raises(ValueError) as refused:
            limits()
    finally:
        monkeypatch.undo()
        limits.cache_clear()
    assert str(refused.value) == f"KEPU_MAX_FILE_MB must be a positive whole number, not {value!r}"
    assert limits().file_mb == 256
