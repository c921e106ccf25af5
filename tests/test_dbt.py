"""dbt unit tests (per-capita, roll-up, scoring, counts, coverage, NCHS flags, indicator
values, the as-of cut-off, progress) pass."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import yaml

from ingest.home import KepuHome
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR


def _dbt_test(warehouse: Path, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`dbt test` with `arguments` on `warehouse`, its artifacts in `tmp_path/dbt_target`: a
    target folder of its own, as the shared one holds the manifest other processes read."""
    return subprocess.run(
        [DBT_EXECUTABLE, "test", *arguments, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, "KEPU_WAREHOUSE": str(warehouse),
             "DBT_TARGET_PATH": str(tmp_path / "dbt_target")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_dbt_unit_tests_pass(demo_home: KepuHome, tmp_path: Path) -> None:
    completed = _dbt_test(demo_home.warehouse, tmp_path, "--select", "test_type:unit")
    assert completed.returncode == 0, completed.stdout[-3000:]
    defined = sum(
        len(yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests") or [])
        for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
    )
    summary = re.search(r"PASS=(\d+) WARN=0 ERROR=0 SKIP=0", completed.stdout)
    assert summary, completed.stdout[-3000:]
    assert int(summary.group(1)) == defined  # every unit test in the YAML ran and passed


def test_unique_combination_finds_each_repeated_key_with_its_count(
    demo_home: KepuHome, tmp_path: Path
) -> None:
    """The test's DuckDB form groups rows by a hash of their key before the key itself: on
    a copy of the demo warehouse, one region row landed twice more and one survey answer
    once more make exactly those two tests fail, each with its one repeated key and the
    number of rows holding it; the other 57 pass."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_home.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        region = con.execute(
            "select load_id, sheet_name, source_row from raw.regions order by all limit 1"
        ).fetchone()
        con.execute(
            "insert into raw.regions select r.* from raw.regions r, range(2) "
            "where (load_id, sheet_name, source_row) = (?, ?, ?)",
            list(region),
        )
        answer = con.execute(
            "select load_id, sheet_name, source_row, item_code from raw.survey_responses "
            "order by all limit 1"
        ).fetchone()
        con.execute(
            "insert into raw.survey_responses select * from raw.survey_responses "
            "where (load_id, sheet_name, source_row, item_code) = (?, ?, ?, ?)",
            list(answer),
        )
    completed = _dbt_test(
        warehouse, tmp_path, "--select", "test_name:unique_combination", "--store-failures"
    )
    results = json.loads((tmp_path / "dbt_target" / "run_results.json").read_text())["results"]
    failed = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "fail"}
    assert failed == {
        "unique_combination_stg_regions_load_id__sheet_name__source_row": 1,
        "unique_combination_stg_survey_responses_load_id__sheet_name__source_row__item_code": 1,
    }, completed.stdout[-3000:]
    assert sum(r["status"] == "pass" for r in results) == len(results) - 2 == 57
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = [
            con.execute(f"select * from {schema}.{table}").fetchall()
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where table_name like 'unique_combination_%'"
            ).fetchall()
        ]
    # each failing test's rows: the repeated key, and how many rows hold it; none for the rest
    assert len(stored) == 59
    assert sorted(rows for rows in stored if rows) == sorted([[(*region, 3)], [(*answer, 2)]])
