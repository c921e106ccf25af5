"""An as-of assessment warehouse is rebuilt only when what it is built from changed: the raw
rows, the dbt project or the date. Evaluators re-running reports (and the test session)
pay for one dbt build per date, not one per report."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from ingest.home import KepuHome
from orchestration.assess import (
    DBT_SOURCES,
    build_assessment_warehouse,
    dbt_project_digest,
    raw_signature,
)
from orchestration.defs.project import DBT_PROJECT_DIR


def test_a_second_assessment_as_of_the_same_date_reuses_the_first_build(
    demo_home: KepuHome,
) -> None:
    first = build_assessment_warehouse(demo_home, date(2026, 3, 31), latest_data=False)
    built = first.stat().st_mtime_ns
    second = build_assessment_warehouse(demo_home, date(2026, 3, 31), latest_data=False)
    assert second == first
    assert second.stat().st_mtime_ns == built


def test_a_new_load_changes_the_raw_signature() -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.funding_returns (load_id integer, amount double)")
    con.execute("insert into raw.funding_returns values (1, 10.0), (1, 20.0)")
    before = raw_signature(con, "memory")
    con.execute("insert into raw.funding_returns values (2, 5.0)")
    after = raw_signature(con, "memory")
    assert before == [["funding_returns", "load_id INTEGER, amount DOUBLE", 2, 1]]
    assert after == [["funding_returns", "load_id INTEGER, amount DOUBLE", 3, 2]]


def test_the_dbt_project_digest_follows_the_sources_and_ignores_build_output(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "dbt_project"
    copy.mkdir()
    for name in DBT_SOURCES:
        source = DBT_PROJECT_DIR / name
        if source.is_file():
            shutil.copy2(source, copy / name)
        else:
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    assert dbt_project_digest(copy) == dbt_project_digest()
    (copy / "target").mkdir()
    (copy / "target" / "manifest.json").write_text("{}")
    assert dbt_project_digest(copy) == dbt_project_digest()
    model = copy / "models" / "marts" / "fct_target_progress.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert dbt_project_digest(copy) != dbt_project_digest()
