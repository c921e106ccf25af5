"""The whole system on PostgreSQL (issue 13): `load_job` run with KEPU_ENGINE=postgres
against a real, throw-away PostgreSQL cluster, Dagster keeping its runs and events there
(deploy/dagster.yaml); every published mart compared with DuckDB's built from the same raw
rows; a build failing a dbt test leaves the published marts as they were; a late county
return builds only its models and publishes what a full build of the same rows would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.tables import PASSES, TABLES, passed_loads, pending_sql, suite_version
from ingest.engine import connect
from ingest.home import REPO_ROOT, KepuHome
from orchestration import incremental, postgres
from orchestration.assess import build_assessment_warehouse
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR, prepare
from orchestration.postgres import TARGET_PATH, build, copy_raw_from_server, server_pending
from orchestration.postgres_publish import PREVIOUS_SUFFIX, PublishedMeanwhile, publish
from orchestration.publish import MARTS_SCHEMA
from orchestration.run import RunOutcome, run_job
from tests.engine_frames import duckdb_frames, postgres_frame, rows, same_value

DAGSTER_DATABASE = "dagster"
WAREHOUSE_DATABASE = "kepu_job"


@dataclass(frozen=True)
class ServerRun:
    home: KepuHome
    outcome: RunOutcome
    environ: dict[str, str]


@pytest.fixture(scope="session")
def server_run(postgres_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> ServerRun:
    """The demo loaded, checked, built and published by `load_job` with KEPU_ENGINE=postgres
    and Dagster's storage on the server (deploy/dagster.yaml in DAGSTER_HOME); then, for
    the comparison, the raw rows the job landed on the server copied into the home's DuckDB
    warehouse and dbt built there."""
    from generator import generate

    home = KepuHome(tmp_path_factory.mktemp("kepu_server")).ensure()
    dagster_home = tmp_path_factory.mktemp("dagster_server")
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", dagster_home)
    with connect({**postgres_env, "KEPU_POSTGRES_DATABASE": "postgres"}) as con:
        con.autocommit = True
        con.execute(f"create database {DAGSTER_DATABASE}")
        # a warehouse of its own: the session's `postgres_demo` holds the database `kepu`
        con.execute(f"create database {WAREHOUSE_DATABASE}")
    environ = {
        "KEPU_ENGINE": "postgres",
        "KEPU_POSTGRES_HOST": postgres_env["KEPU_POSTGRES_HOST"],
        "KEPU_POSTGRES_PORT": postgres_env["KEPU_POSTGRES_PORT"],
        "KEPU_POSTGRES_USER": "kepu",
        "KEPU_POSTGRES_PASSWORD": "",
        "KEPU_POSTGRES_DATABASE": WAREHOUSE_DATABASE,
        "KEPU_DAGSTER_DATABASE": DAGSTER_DATABASE,
        "DAGSTER_HOME": str(dagster_home),
        "KEPU_HOME": str(home.root),
        "KEPU_WAREHOUSE": str(home.warehouse),
    }
    prepare()  # the project parsed once per process, as the session's DuckDB Definitions need
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        outcome = run_job("load_job", generate(home.demo), quiet=True)
    _duckdb_build(home.warehouse, {**postgres_env, **environ}, tmp_path_factory)
    return ServerRun(home, outcome, {**postgres_env, **environ})


def _duckdb_build(
    warehouse: Path, environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The server's raw rows copied into the DuckDB `warehouse` and dbt built there."""
    copy_raw_from_server(warehouse, environ)
    subprocess.run(
        [DBT_EXECUTABLE, "build", "--exclude-resource-type", "test",
         "--exclude-resource-type", "unit_test"],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "KEPU_ENGINE": "duckdb", "KEPU_WAREHOUSE": str(warehouse),
             "DBT_TARGET_PATH": str(tmp_path_factory.mktemp("dbt_duckdb"))},
        check=True,
        capture_output=True,
    )  # fmt: skip


def test_the_job_on_the_server_lands_the_raw_tables_whole(
    server_run: ServerRun, demo_home: KepuHome
) -> None:
    """The loader landed on the server what it lands in DuckDB from the same files (the
    session's demo warehouse): every table's rows, the respondents row for row."""
    assert server_run.outcome.success
    assert {load["status"] for load in server_run.outcome.loads} == {"accepted"}
    raw = duckdb_frames(demo_home.warehouse, "raw")
    with connect(server_run.environ) as con:
        counts = {
            table: con.execute(f'select count(*) from raw."{table}"').fetchone()[0] for table in raw
        }
    assert counts == {name: len(frame) for name, frame in raw.items()}
    assert counts["survey_responses"] > 100_000
    respondents = postgres_frame(server_run.environ, "raw", "survey_respondents")
    expected = raw["survey_respondents"]
    assert rows(respondents.drop(columns="load_id")) == rows(expected.drop(columns="load_id"))


def _sequential_scans(environ: dict[str, str], table: str, changed_from: int = -1) -> int:
    """The server's count of whole scans of raw.`table`, once it differs from
    `changed_from` and has stayed the same for 0.3 s (a session's statistics reach the
    server as it ends, shortly after its client has gone), or after 5 s."""
    query = "select seq_scan from pg_stat_user_tables where schemaname = 'raw' and relname = %s"
    seen = []
    with connect(environ) as con:
        con.autocommit = True  # each read sees the statistics as they are now
        for _ in range(50):
            seen.append(con.execute(query, [table]).fetchone()[0])
            if seen[-1] != changed_from and seen[-4:] == [seen[-1]] * 4:
                break
            time.sleep(0.1)
    return seen[-1]


def test_the_suites_read_a_server_tables_new_loads_once_in_batches_that_partition_them(
    server_run: ServerRun,
) -> None:
    """The job's suites recorded on the server that every load of the survey responses
    passed: read again for them, they read nothing. For another version of the suites,
    the same rows are read in batches of an eighth of them by load and the suite's key:
    every row in exactly one batch (GX sees each row once and the rows of one key
    together: tests/test_expectations.py), from one scan of the server's table. Asking the
    server for each batch scanned it once per batch."""
    from expectations.suites import unique_key

    key = unique_key("survey_responses")
    environ = server_run.environ
    with connect(environ) as con:
        table = con.execute(f'select {", ".join(key)} from raw."survey_responses"').fetchall()
        loads = con.execute(pending_sql('raw."survey_responses"')).fetchall()
        passes = (
            f"select load_id, rows from {PASSES} where table_name = %s and suite = %s order by 1"
        )
        recorded = con.execute(passes, ["survey_responses", suite_version()]).fetchall()
    assert recorded == loads and len(loads) > 1  # the demo's survey waves
    with server_pending("survey_responses", suite_version(), environ) as found:
        assert (found.pending, found.batches) == ([], [])

    other = "another-version0"
    rows = len(table)
    scans = _sequential_scans(environ, "survey_responses")
    with server_pending("survey_responses", other, environ, -(-rows // 8)) as found:
        parts = [list(frame[key].itertuples(index=False, name=None)) for frame in found.frames(key)]
        found.record(passed_loads(found.pending, found.batches, [True] * len(found.batches)))
    assert _sequential_scans(environ, "survey_responses", scans) == scans + 1
    assert found.pending == loads
    assert sorted(r for part in parts for r in part) == sorted(table)
    # whole loads, as many to a batch as fit in an eighth of the rows, or a larger load's
    # near equal shares of it
    rows_of = dict(loads)
    for batch, part in zip(found.batches, parts, strict=True):
        assert {load for load, *_ in part} == set(batch.loads)
        if batch.parts == 1:
            assert len(part) == sum(rows_of[load] for load in batch.loads) <= rows / 8
        else:
            assert len(part) > rows_of[batch.loads[0]] / batch.parts / 2
    assert any(batch.parts > 1 for batch in found.batches)
    with connect(environ) as con:
        assert con.execute(passes, ["survey_responses", other]).fetchall() == loads
        con.execute(f"delete from {PASSES} where suite = %s", [other])


def test_every_mart_the_job_published_on_postgresql_equals_duckdbs(server_run: ServerRun) -> None:
    assert _differences(server_run.environ, server_run.home.warehouse) == {}


def _differences(environ: dict[str, str], warehouse: Path) -> dict[str, list]:
    """Every published mart on the server beside the same mart of the DuckDB `warehouse`:
    the first three unequal cells of each that differs (none: they are equal)."""
    marts = duckdb_frames(warehouse, MARTS_SCHEMA)
    with connect(environ) as con:
        on_server = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = %s and table_type = 'BASE TABLE'",
                [MARTS_SCHEMA],
            ).fetchall()
        }
    assert on_server == set(marts) | {"snapshot_info", "validation_result"}
    assert len(marts) > 20
    differences = {}
    for name, expected in marts.items():
        actual = postgres_frame(environ, MARTS_SCHEMA, name)
        assert list(actual.columns) == list(expected.columns), name
        left, right = rows(actual), rows(expected)
        assert len(left) == len(right), name
        unequal = [
            (column, a[i], e[i])
            for a, e in zip(left, right, strict=True)
            for i, column in enumerate(expected.columns)
            if not same_value(a[i], e[i])
        ]
        if unequal:
            differences[name] = unequal[:3]
    return differences


def test_the_published_schema_names_the_run_and_the_checks_it_passed(
    server_run: ServerRun,
) -> None:
    info = postgres_frame(server_run.environ, MARTS_SCHEMA, "snapshot_info")
    assert info["build_id"].tolist() == [server_run.outcome.run_id]
    assert info["is_synthetic"].tolist() == [True]
    checks = postgres_frame(server_run.environ, MARTS_SCHEMA, "validation_result")
    gx = checks[checks["check_kind"] == "gx"]
    # the Great Expectations suites read the server's raw tables, one check per table
    assert sorted(gx["check_name"]) == sorted(f"gx_{table}" for table in TABLES)
    assert gx["passed"].all()
    assert (checks["check_kind"] == "dbt").sum() > 100


def test_dagster_keeps_the_run_and_its_events_on_the_server(server_run: ServerRun) -> None:
    run_id = server_run.outcome.run_id
    dagster = {**server_run.environ, "KEPU_POSTGRES_DATABASE": DAGSTER_DATABASE}
    with connect(dagster) as con:
        (status,) = con.execute("select status from runs where run_id = %s", [run_id]).fetchone()
        succeeded = {
            step
            for (step,) in con.execute(
                "select step_key from event_logs "
                "where run_id = %s and dagster_event_type = 'STEP_SUCCESS'",
                [run_id],
            ).fetchall()
        }
    assert status == "SUCCESS"
    assert {"raw_tables", "kepu_dbt_models", "published_snapshot"} <= succeeded
    assert not (Path(server_run.environ["DAGSTER_HOME"]) / "history").exists()  # no SQLite


def test_an_assessment_on_the_server_equals_the_same_assessment_on_duckdb(
    server_run: ServerRun, demo_home: KepuHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An assessment as of a date with KEPU_ENGINE=postgres builds from a snapshot of the
    server's raw tables: every target's verdict as of 2026-03-31 (data received by then)
    equals the same assessment of the DuckDB demo."""
    as_of = date(2026, 3, 31)
    for name, value in server_run.environ.items():
        monkeypatch.setenv(name, value)
    on_server = build_assessment_warehouse(server_run.home, as_of, latest_data=False)
    monkeypatch.setenv("KEPU_ENGINE", "duckdb")
    on_duckdb = build_assessment_warehouse(demo_home, as_of, latest_data=False)
    progress = [
        duckdb_frames(database, MARTS_SCHEMA)["fct_target_progress"]
        for database in (on_server, on_duckdb)
    ]
    assert len(progress[0]) > 100
    left, right = rows(progress[0]), rows(progress[1])
    assert len(left) == len(right)
    assert all(map(same_value, left, right))


def test_a_build_failing_a_dbt_test_leaves_the_published_marts_unchanged(
    server_run: ServerRun,
) -> None:
    environ = server_run.environ
    info = postgres_frame(environ, MARTS_SCHEMA, "snapshot_info")
    with connect(environ) as con:
        # a region row twice: stg_regions' unique (load_id, sheet_name, source_row) fails
        (duplicate,) = con.execute(
            "insert into raw.regions select * from raw.regions limit 1 returning ctid"
        ).fetchone()
    try:
        with pytest.raises(subprocess.CalledProcessError):
            build("failing", environ)
    finally:
        with connect(environ) as con:
            con.execute("delete from raw.regions where ctid = %s", [duplicate])
    results = json.loads((TARGET_PATH / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] in ("fail", "error")]
    assert [name.rsplit(".", 1)[0] for name in failed] == [
        "test.kepu_monitor.unique_combination_stg_regions_load_id__sheet_name__source_row"
    ]
    assert rows(postgres_frame(environ, MARTS_SCHEMA, "snapshot_info")) == rows(info)
    with connect(environ) as con:
        counts = {
            table: con.execute(f"select count(*) from {MARTS_SCHEMA}.{table}").fetchone()[0]
            for table in info["tables"][0]
        }
        leftovers = con.execute(
            "select nspname from pg_namespace where nspname like '%\\_build\\_%'"
        ).fetchall()
    assert counts == info["tables"][0]
    assert leftovers == []


def test_a_late_county_return_on_the_server_builds_its_models_and_keeps_the_rest(
    server_run: ServerRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A county's 科普统计 return (Ouhai's: the demo has none) after the published build:
    the run builds only the models downstream of the tables it fills (the set the DuckDB
    late return builds), publishing moves every other published table into the new
    layers, and the marts then equal a DuckDB build of the server's raw rows, the late
    return's among them. Last in the file: it adds a load to the server the tests above
    compare with."""
    from generator import SEED
    from orchestration.bench_rebuild import county_return

    environ = server_run.environ
    ouhai = pd.DataFrame(
        {"county_code": ["330304"], "city_code": ["330300"], "province_code": ["330000"],
         "population": [963_000]}
    )  # fmt: skip
    late = county_return(ouhai, SEED, tmp_path_factory.mktemp("late"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        outcome = run_job("load_job", [late], quiet=True)
    assert outcome.success
    assert [load["status"] for load in outcome.loads] == ["accepted"]
    dagster = {**environ, "KEPU_POSTGRES_DATABASE": DAGSTER_DATABASE}
    with connect(dagster) as con:
        (tags,) = con.execute(
            "select json_object_agg(key, value) from run_tags where run_id = %s",
            [outcome.run_id],
        ).fetchone()
    assert tags[incremental.PARTIAL_TAG] == server_run.outcome.run_id

    with connect(environ) as con:
        replaced = {
            layer: sorted(
                name
                for (name,) in con.execute(
                    "select table_name::text from information_schema.tables "
                    "where table_schema = %s",
                    [layer + PREVIOUS_SUFFIX],
                ).fetchall()
            )
            for layer in ("intermediate", "marts")
        }
        leftovers = con.execute(
            "select nspname from pg_namespace where nspname like '%\\_build\\_%'"
        ).fetchall()
        (published,) = con.execute("select build_id from builds.published").fetchone()
    # what the run rebuilt, left aside by the switch; everything else was moved
    assert replaced == {
        "intermediate": ["int_kp_forms_current", "int_kp_units_current"],
        "marts": [
            "fct_kp_change_flag", "fct_kp_headline", "fct_kp_statistic", "fct_load_audit",
            "fct_load_outcome", "fct_load_problem", "snapshot_info", "validation_result",
        ],
    }  # fmt: skip
    assert leftovers == []
    assert published == outcome.run_id

    info = postgres_frame(environ, MARTS_SCHEMA, "snapshot_info")
    assert info["build_id"].tolist() == [outcome.run_id]
    with connect(environ) as con:
        counts = {
            table: con.execute(f"select count(*) from {MARTS_SCHEMA}.{table}").fetchone()[0]
            for table in info["tables"][0]
        }
    assert counts == info["tables"][0]
    assert len(counts) > 20
    checks = postgres_frame(environ, MARTS_SCHEMA, "validation_result")
    gx = checks[checks["check_kind"] == "gx"]
    assert sorted(gx["check_name"]) == sorted(f"gx_{table}" for table in TABLES)  # kept
    assert checks["passed"].all()

    warehouse = tmp_path_factory.mktemp("late_duckdb") / "warehouse.duckdb"
    _duckdb_build(warehouse, environ, tmp_path_factory)
    assert _differences(environ, warehouse) == {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (units,) = con.execute(
            "select count(distinct unit_code) from raw.kp_units where load_id = ?",
            [outcome.loads[0]["load_id"]],
        ).fetchone()
    assert units > 0  # the late return's forms are in what the marts equal

    # another loader's load since this build began: the next late file builds everything
    assert postgres.partial_base(environ) == outcome.run_id
    with connect(environ) as con:
        (foreign,) = con.execute(
            "insert into raw.load_audit (load_id) select max(load_id) + 1 from raw.load_audit "
            "returning load_id"
        ).fetchone()
    try:
        assert postgres.partial_base(environ) is None
        assert not postgres.still_extends(outcome.run_id, set(), environ)
        assert postgres.still_extends(outcome.run_id, {foreign}, environ)  # the run's own
    finally:
        with connect(environ) as con:
            con.execute("delete from raw.load_audit where load_id = %s", [foreign])
    assert postgres.partial_base(environ) == outcome.run_id


def test_a_partial_build_is_not_published_over_another_build(server_run: ServerRun) -> None:
    """A late file's build extends the published build it started from: when another has
    been published meanwhile, publishing refuses it, drops its schemas and leaves the
    published marts as they were."""
    environ = server_run.environ
    info = postgres_frame(environ, MARTS_SCHEMA, "snapshot_info")
    suffix = postgres.build_suffix("meanwhile")
    postgres.claim_build(suffix, environ)
    postgres.start_build(suffix, "a-build-no-longer-published", environ)
    with connect(environ) as con:
        con.execute(f"create schema {MARTS_SCHEMA}{suffix}")
        con.execute(
            f"create table {MARTS_SCHEMA}{suffix}.fct_load_audit as "
            f"select * from {MARTS_SCHEMA}.fct_load_audit"
        )
    with pytest.raises(PublishedMeanwhile, match="a-build-no-longer-published"):
        publish("meanwhile", environ=environ)
    assert rows(postgres_frame(environ, MARTS_SCHEMA, "snapshot_info")) == rows(info)
    with connect(environ) as con:
        leftovers = con.execute(
            "select nspname from pg_namespace where nspname like '%\\_build\\_%'"
        ).fetchall()
        claims = con.execute(f"select suffix from {postgres.CLAIMS}").fetchall()
    assert leftovers == []
    assert claims == []
