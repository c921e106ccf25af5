"""The real `build_job` on the PostgreSQL server (issue 13) as the Dagster daemon runs it:
reconstructed from the code location deploy/workspace.yaml names, each step in a process
of its own (the multiprocess executor, two at a time), runs and events in dagster-postgres
storage (deploy/dagster.yaml) on the same cluster; the marts it publishes equal DuckDB's
built from the same raw rows, and it leaves no build schema and no claim behind. And
deploy/dagster.yaml's run monitoring, read through Dagster's own config schema."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster_postgres import PostgresRunStorage

from ingest.engine import connect
from ingest.home import REPO_ROOT, KepuHome
from orchestration.defs.project import prepare
from orchestration.postgres import CLAIMS, DEFAULT_CLAIM_HOURS, copy_raw_tables
from orchestration.publish import MARTS_SCHEMA
from tests.engine_frames import duckdb_frames, postgres_frame, rows, same_value

DEPLOY = REPO_ROOT / "deploy"
WAREHOUSE_DATABASE = "kepu_multiprocess"
DAGSTER_DATABASE = "dagster_multiprocess"
MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}


@dataclass(frozen=True)
class DaemonRun:
    result: dg.ExecutionResult
    environ: dict[str, str]
    status: dg.DagsterRunStatus  # as the run storage on the server holds it
    step_pids: dict[str, int]  # the process each step started in
    published: dict[str, object]  # published_snapshot's materialization metadata


def dagster_home(root: Path, environ: dict[str, str], database: str) -> Path:
    """A DAGSTER_HOME holding deploy/dagster.yaml, its storage a new database `database`
    on the cluster `environ` names."""
    with connect({**environ, "KEPU_POSTGRES_DATABASE": "postgres"}) as con:
        con.autocommit = True
        con.execute(f"create database {database}")
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY / "dagster.yaml", root)
    return root


@pytest.fixture(scope="module")
def daemon_run(
    demo_home: KepuHome, postgres_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> DaemonRun:
    """The demo's raw tables copied into a warehouse database of its own, then `build_job`
    executed as the daemon's run worker executes it."""
    root = tmp_path_factory.mktemp("daemon_run")
    with connect({**postgres_env, "KEPU_POSTGRES_DATABASE": "postgres"}) as con:
        con.autocommit = True
        con.execute(f"create database {WAREHOUSE_DATABASE}")
    environ = {
        **postgres_env,
        "KEPU_ENGINE": "postgres",
        "KEPU_POSTGRES_DATABASE": WAREHOUSE_DATABASE,
        "KEPU_DAGSTER_DATABASE": DAGSTER_DATABASE,
        "DAGSTER_HOME": str(dagster_home(root / "dagster", postgres_env, DAGSTER_DATABASE)),
        "KEPU_HOME": str(KepuHome(root / "kepu").ensure().root),
    }
    copy_raw_tables(demo_home.warehouse, environ)
    prepare()  # the manifest the code location loads, as `make dev-server` parses it
    # the step processes inherit this process's environment, as the run worker's would
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        location = ReconstructableRepository.for_module(
            "orchestration.definitions", "defs", working_directory=str(REPO_ROOT)
        )
        job = location.get_reconstructable_job("build_job")
        with dg.DagsterInstance.from_config(environ["DAGSTER_HOME"]) as instance:
            assert isinstance(instance.run_storage, PostgresRunStorage)
            result = dg.execute_job(job, instance=instance, run_config=MULTIPROCESS)
            run_id = result.run_id
            starts = instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.STEP_START
            ).records
            step_pids = {
                r.event_log_entry.step_key: r.event_log_entry.dagster_event.pid for r in starts
            }
            status = instance.get_run_by_id(run_id).status
            materialization = instance.get_latest_materialization_event(
                dg.AssetKey("published_snapshot")
            )
            assert materialization.run_id == run_id
            published = {
                name: value.value
                for name, value in materialization.asset_materialization.metadata.items()
            }
    return DaemonRun(result, environ, status, step_pids, published)


def test_the_build_job_succeeds_with_each_step_in_a_process_of_its_own(
    daemon_run: DaemonRun,
) -> None:
    assert daemon_run.result.success
    assert daemon_run.status == dg.DagsterRunStatus.SUCCESS
    pids = daemon_run.step_pids
    assert {"kepu_dbt_models", "published_snapshot"} <= set(pids)
    assert os.getpid() not in pids.values()
    assert len(set(pids.values())) == len(pids)  # no two steps shared a process


def test_the_marts_published_by_the_daemons_build_equal_duckdbs(
    daemon_run: DaemonRun, demo_home: KepuHome
) -> None:
    """Every mart of the DuckDB demo, built in process from the same raw rows, equals the
    server's published one to 1e-9: the survey intervals written between the build's dbt
    runs, in the build step's process, are there for the second run."""
    marts = duckdb_frames(demo_home.warehouse, MARTS_SCHEMA)
    assert len(marts) > 20 and len(marts["fct_target_progress"]) > 100
    differences = {}
    for name, expected in marts.items():
        actual = postgres_frame(daemon_run.environ, MARTS_SCHEMA, name)
        assert list(actual.columns) == list(expected.columns), name
        left, right = rows(actual), rows(expected)
        assert len(left) == len(right), name
        unequal = [(a, e) for a, e in zip(left, right, strict=True) if not same_value(a, e)]
        if unequal:
            differences[name] = unequal[:2]
    assert differences == {}


def test_the_publish_step_describes_the_run_from_the_servers_event_log(
    daemon_run: DaemonRun, demo_home: KepuHome
) -> None:
    """The publish step, in its own process, read the dbt tests the build step reported
    from the event log on the server, and counted the rows it published."""
    info = postgres_frame(daemon_run.environ, MARTS_SCHEMA, "snapshot_info")
    assert info["build_id"].tolist() == [daemon_run.result.run_id]
    checks = postgres_frame(daemon_run.environ, MARTS_SCHEMA, "validation_result")
    assert (checks["check_kind"] == "dbt").sum() > 100
    assert not (~checks["passed"] & (checks["severity"] == "error")).any()
    progress = duckdb_frames(demo_home.warehouse, MARTS_SCHEMA)["fct_target_progress"]
    assert daemon_run.published["rows_fct_target_progress"] == len(progress)


def test_the_daemons_build_leaves_no_build_schema_and_no_claim(daemon_run: DaemonRun) -> None:
    with connect(daemon_run.environ) as con:
        leftovers = con.execute(
            "select nspname::text from pg_namespace where nspname like '%\\_build\\_%'"
        ).fetchall()
        (claims,) = con.execute(f"select count(*) from {CLAIMS}").fetchone()
    assert leftovers == []
    assert claims == 0


# deploy/dagster.yaml's run_monitoring, as the comments there explain each value
MONITORING = {
    "enabled": True,
    "start_timeout_seconds": 300,
    "cancel_timeout_seconds": 300,
    "max_runtime_seconds": 21_600,
    "poll_interval_seconds": 60,
}


def test_deploys_run_monitoring_is_read_by_dagster_as_written(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster's instance schema accepts the block, the daemon then runs its monitoring
    daemon, the default launcher cannot check a worker's health (only the timeouts
    apply), and a run is failed by max_runtime_seconds well before its build's claim
    (KEPU_BUILD_CLAIM_HOURS' default) would expire."""
    home = dagster_home(tmp_path, postgres_env, "dagster_monitoring")
    for name, value in {**postgres_env, "KEPU_DAGSTER_DATABASE": "dagster_monitoring"}.items():
        monkeypatch.setenv(name, value)
    assert yaml.safe_load((home / "dagster.yaml").read_text())["run_monitoring"] == MONITORING
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 300
        assert instance.run_monitoring_cancel_timeout_seconds == 300
        assert instance.run_monitoring_max_runtime_seconds == 21_600
        assert instance.run_monitoring_poll_interval_seconds == 60
        assert "MONITORING" in instance.get_required_daemon_types()
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        assert not instance.run_launcher.supports_check_run_worker_health
    assert instance.run_monitoring_max_runtime_seconds < DEFAULT_CLAIM_HOURS * 3600


def test_a_misspelt_run_monitoring_key_is_refused_by_dagsters_schema(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = dagster_home(tmp_path, postgres_env, "dagster_misspelt")
    for name, value in {**postgres_env, "KEPU_DAGSTER_DATABASE": "dagster_misspelt"}.items():
        monkeypatch.setenv(name, value)
    written = (home / "dagster.yaml").read_text()
    assert written.count("max_runtime_seconds:") == 1
    (home / "dagster.yaml").write_text(written.replace("max_runtime_seconds:", "max_runtime:"))
    with pytest.raises(dg.DagsterInvalidConfigError) as refused:
        dg.DagsterInstance.from_config(str(home))
    assert 'Received unexpected config entry "max_runtime" at path root:run_monitoring' in str(
        refused.value
    )
