"""Run the real Dagster jobs in-process, with one progress line per step."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import dagster as dg

from ingest.engine import export_duckdb_settings
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from orchestration import incremental
from orchestration.dbt_tests import test_results
from orchestration.defs.project import prepare

STEP_EVENTS = {
    "STEP_START": "…",
    "STEP_SUCCESS": "✓",
    "STEP_FAILURE": "✗",
    "STEP_SKIPPED": "–",
    "ASSET_CHECK_EVALUATION": "",
    "ASSET_OBSERVATION": "",
}


class _Progress(logging.Handler):
    """Prints step starts, ends and failed checks; leaves the full log to the Dagster UI."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None or event.event_type_value not in STEP_EVENTS:
            return
        elapsed = time.monotonic() - self.started
        if event.event_type_value in ("ASSET_CHECK_EVALUATION", "ASSET_OBSERVATION"):
            for name in failed_checks(event):
                print(f"[{elapsed:6.1f}s] ! check failed {name}", file=sys.stderr)
            return
        mark = STEP_EVENTS[event.event_type_value]
        print(f"[{elapsed:6.1f}s] {mark} {event.step_key}", file=sys.stderr)


def failed_checks(event: dg.DagsterEvent) -> list[str]:
    """`asset:check` of each failed check an event reports: an asset check's evaluation,
    or an observation of dbt's data tests."""
    if event.event_type_value == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        checks = [(evaluation.asset_key.to_user_string(), evaluation.check_name, evaluation.passed)]
    elif event.event_type_value == "ASSET_OBSERVATION":
        results = test_results(event.event_specific_data.asset_observation)
        checks = [(r["asset_key"], r["check_name"], r["passed"]) for r in results]
    else:
        return []
    return [f"{key}:{name}" for key, name, passed in checks if not passed]


@dg.logger(description="One line per step on stderr, for the kepu command line.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("kepu.progress")
    logger.handlers = [_Progress()]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    loads: list[dict]
    failed_checks: list[str]


def use_home(home: KepuHome) -> None:
    """Name `home` in the process environment, once, when the command line starts.

    The Dagster resources (`dg.EnvVar("KEPU_HOME")`) and the dbt profile (KEPU_WAREHOUSE,
    else KEPU_HOME) read the environment the process was started with, so this is process
    configuration, not state: it makes KEPU_HOME absolute (dbt runs in dbt_project/), and
    points KEPU_WAREHOUSE at the home's warehouse, so that a KEPU_WAREHOUSE left in the
    shell for `make` cannot send dbt to another file than the loader's. Dagster keeps its
    runs in DAGSTER_HOME, by default inside the home. DuckDB's settings (memory) are
    named too, for dbt's profile.
    """
    os.environ["KEPU_HOME"] = str(home.root)
    os.environ["KEPU_WAREHOUSE"] = str(home.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(home.dagster_home))
    export_duckdb_settings()


def run_job(
    job_name: str,
    paths: Sequence[Path] = (),
    quiet: bool = False,
    accept_valid_rows: bool = False,
    on_wait: Callable[[dict], None] | None = None,
) -> RunOutcome:
    """Execute `load_job` (with files) or `build_job` from the project's Definitions, in the
    home the environment names (`use_home`), holding the home's writer lock for the whole
    run: a second `kepu ingest` or `kepu build` waits (told by `on_wait`) until it ends.
    The dbt project is parsed under the lock too: two parses would write one manifest."""
    with warehouse_lock(KepuHome.from_env(), job_name, on_wait):
        return _run_job(job_name, paths, quiet, accept_valid_rows)


def _run_job(
    job_name: str, paths: Sequence[Path], quiet: bool, accept_valid_rows: bool
) -> RunOutcome:
    prepare()
    from orchestration.definitions import defs  # loads the manifest `prepare` wrote

    definitions = defs()
    job = definitions.resolve_job_def(job_name)
    run_config: dict = {"loggers": {} if quiet else {"progress": {}}}
    home = KepuHome.from_env()
    subset = base = None
    if job_name == "load_job":
        config = {"paths": [str(p) for p in paths], "accept_valid_rows": accept_valid_rows}
        run_config["ops"] = {"raw_tables": {"config": config}}
        base = incremental.base_build(home)  # read once: the server's may change meanwhile
        subset = incremental.selection(base, paths, definitions.resolve_asset_graph())
    job = job.with_logger_defs({"progress": progress_logger})
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):  # dbt's log lines are progress, too
        result = job.execute_in_process(
            run_config=run_config,
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
            asset_selection=subset,
            tags={incremental.PARTIAL_TAG: base} if subset else None,
        )
    loads: list[dict] = []
    failed: list[str] = []
    for event in result.all_events:
        if event.is_step_materialization:
            materialization = event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey(["raw", "load_audit"]):
                loads = materialization.metadata["loads"].value
        failed.extend(failed_checks(event))
    if subset and result.success and incremental.missed_tables(loads, subset):
        # a file filled a table its sheets did not announce: build everything once more
        rebuilt = _run_job("build_job", (), quiet, accept_valid_rows=False)
        return dataclasses.replace(rebuilt, loads=loads)
    return RunOutcome(result.success, result.run_id, loads, failed)
