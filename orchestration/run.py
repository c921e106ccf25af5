"""Run the real Dagster jobs in-process, with one progress line per step."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from ingest.home import KepuHome

STEP_EVENTS = {
    "STEP_START": "…",
    "STEP_SUCCESS": "✓",
    "STEP_FAILURE": "✗",
    "STEP_SKIPPED": "–",
    "ASSET_CHECK_EVALUATION": "",
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
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                print(f"[{elapsed:6.1f}s] ! check failed {name}", file=sys.stderr)
            return
        mark = STEP_EVENTS[event.event_type_value]
        print(f"[{elapsed:6.1f}s] {mark} {event.step_key}", file=sys.stderr)


@dg.logger(description="One line per step on stderr, for the kepu command line.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("kepu.progress")
    logger.handlers = [_Progress()]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    loads: list[dict]
    failed_checks: list[str]


def use_home(home: KepuHome) -> None:
    """Point the Dagster definitions (built from the environment) at `home`."""
    os.environ["KEPU_HOME"] = str(home.root)
    os.environ["KEPU_WAREHOUSE"] = str(home.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(home.dagster_home))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)


def run_job(job_name: str, paths: Sequence[Path] = (), quiet: bool = False) -> RunOutcome:
    """Execute `load_job` (with files) or `build_job` from the project's Definitions."""
    home = KepuHome.from_env().ensure()
    use_home(home)
    from orchestration.definitions import defs  # after the environment names the home

    definitions = defs()
    job = definitions.resolve_job_def(job_name)
    run_config: dict = {"loggers": {} if quiet else {"progress": {}}}
    if job_name == "load_job":
        run_config["ops"] = {"raw_tables": {"config": {"paths": [str(p) for p in paths]}}}
    job = job.with_logger_defs({"progress": progress_logger})
    with contextlib.redirect_stdout(sys.stderr):  # dbt's log lines are progress, too
        result = job.execute_in_process(
            run_config=run_config, instance=dg.DagsterInstance.get(), raise_on_error=False
        )
    loads: list[dict] = []
    failed: list[str] = []
    for event in result.all_events:
        if event.is_step_materialization:
            materialization = event.event_specific_data.materialization
            if materialization.asset_key == dg.AssetKey(["raw", "load_audit"]):
                loads = materialization.metadata["loads"].value
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return RunOutcome(result.success, result.run_id, loads, failed)
