"""Publishing through `dg.materialize` on a temporary warehouse: a failed build keeps the
previous snapshot, and the snapshot only ever holds a complete build."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.home import KepuHome
from tests.helpers import REGIONS_ROWS, write_sheet


@pytest.fixture(scope="module")
def load_and_publish(definitions: dg.Definitions) -> list:
    """The assets and checks of `load_job`: raw tables, GX checks, dbt models, snapshot."""
    from orchestration.defs.checks import gx_checks
    from orchestration.defs.dbt import kepu_dbt_models
    from orchestration.defs.publish import published_snapshot
    from orchestration.defs.raw import raw_tables

    return [raw_tables, *gx_checks, kepu_dbt_models, published_snapshot]


def _materialize(assets: list, paths: list[Path]) -> dg.ExecuteInProcessResult:
    from orchestration.defs.resources import RESOURCES

    return dg.materialize(
        assets,
        resources=RESOURCES,
        run_config={"ops": {"raw_tables": {"config": {"paths": [str(p) for p in paths]}}}},
        raise_on_error=False,
    )


def _funding(path: Path, government: float, special_fund: float) -> Path:
    rows = [
        ["地区代码", "年份", "来源", "金额(元)"],
        ["330304", 2020, "政府拨款", government],
        ["330304", 2020, "科普专项经费", special_fund],
    ]
    return write_sheet(path, "科普经费", rows)


def _published_funding(home: KepuHome) -> list[tuple]:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(
            "select funding_source, amount_yuan from fct_funding "
            "where region_code = '330304' and year = 2020 order by 1"
        ).fetchall()


def test_a_failed_build_leaves_the_previous_snapshot(
    load_and_publish: list, home_env: KepuHome, tmp_path: Path
) -> None:
    home = home_env
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    good = _funding(tmp_path / "good.xlsx", government=1000.0, special_fund=600.0)
    assert _materialize(load_and_publish, [regions, good]).success
    published = home.published.read_bytes()
    expected = [("government", 1000.0), ("special_fund", 600.0), ("total", 1000.0)]
    assert _published_funding(home) == expected

    # A special fund larger than the appropriation it is part of passes the loader (each
    # cell is fine) but fails the dbt test assert_special_fund_within_government.
    inconsistent = _funding(tmp_path / "correction.xlsx", government=500.0, special_fund=600.0)
    result = _materialize(load_and_publish, [inconsistent])
    assert not result.success
    # the failing test is reported (one observation of int_funding_returns_current's tests)
    # before the dbt step fails, and is what `kepu build` lists
    from orchestration.run import failed_checks

    failed = [name for event in result.all_events for name in failed_checks(event)]
    assert failed == [
        "intermediate/int_funding_returns_current:assert_special_fund_within_government"
    ]
    assert home.published.read_bytes() == published
    assert _published_funding(home)[0] == ("government", 1000.0)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        raw = con.execute("select count(*) from raw.funding_returns").fetchone()[0]
    assert raw == 4, "the correction is kept in raw with its own load id"


def test_the_dagster_run_reports_the_outcome_the_command_line_prints(
    definitions: dg.Definitions, home_env: KepuHome, tmp_path: Path
) -> None:
    """A refused file and a good one through the raw_tables asset: the run's metadata is
    each file's outcome record, which renders to the lines `kepu ingest` prints."""
    from ingest.problems import render_outcome
    from orchestration.defs.raw import raw_tables
    from orchestration.defs.resources import RESOURCES

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"%PDF-1.7 not a workbook")
    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    result = dg.materialize(
        [raw_tables],
        resources=RESOURCES,
        run_config={"ops": {"raw_tables": {"config": {"paths": [str(broken), str(regions)]}}}},
        raise_on_error=False,
    )
    assert result.success
    (materialization,) = [
        m
        for m in result.asset_materializations_for_node("raw_tables")
        if m.asset_key == dg.AssetKey(["raw", "load_audit"])
    ]
    loads = materialization.metadata["loads"].value
    assert [(load["file"], load["status"]) for load in loads] == [
        ("broken.xlsx", "rejected"),
        ("regions.xlsx", "accepted"),
    ]
    assert [p["code"] for p in loads[0]["problems"]] == ["file_type"]
    zh = render_outcome(loads[0], "zh")
    assert zh[0].startswith("已拒收  broken.xlsx") and "PDF" in zh[1]


def _warehouse_marts(source: Path, build: int) -> None:
    """Every mart of `source` holding the number of the build that wrote it."""
    with duckdb.connect(str(source)) as con:
        con.execute("create schema if not exists marts")
        for table in ("fct_kp_statistic", "fct_literacy_estimate"):
            con.execute(f"create or replace table marts.{table} as select {build} as build")
        con.execute(
            f"create or replace table marts.fct_load_audit as select {build} as build, "
            "false as is_synthetic, 'accepted' as load_status"
        )


def _builds(target: Path) -> dict[str, int]:
    with duckdb.connect(str(target), read_only=True) as con:
        tables = ("fct_kp_statistic", "fct_literacy_estimate", "fct_load_audit")
        return {t: con.execute(f"select build from {t}").fetchone()[0] for t in tables}


def test_a_partial_build_copies_only_its_marts_into_a_copy_of_the_snapshot_it_extends(
    tmp_path: Path,
) -> None:
    from orchestration.publish import Rebuilt, publish_marts

    source, target = tmp_path / "warehouse.duckdb", tmp_path / "kepu.duckdb"
    _warehouse_marts(source, 1)
    publish_marts(source, target, "whole")
    _warehouse_marts(source, 2)  # in a real warehouse only the rebuilt marts would differ
    rebuilt = Rebuilt("whole", frozenset({"fct_kp_statistic", "fct_load_audit"}))
    snapshot = publish_marts(source, target, "late", rebuilt=rebuilt)
    assert _builds(target) == {
        "fct_kp_statistic": 2,
        "fct_literacy_estimate": 1,
        "fct_load_audit": 2,
    }
    assert snapshot.tables == {
        "fct_kp_statistic": 1,
        "fct_literacy_estimate": 1,
        "fct_load_audit": 1,
    }
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select build_id from snapshot_info").fetchall() == [("late",)]
    _warehouse_marts(source, 3)
    publish_marts(source, target, "later", rebuilt=rebuilt)  # "whole" is not the snapshot's
    assert _builds(target) == {
        "fct_kp_statistic": 3,
        "fct_literacy_estimate": 3,
        "fct_load_audit": 3,
    }
    assert not list(tmp_path.glob(".kepu-*"))
