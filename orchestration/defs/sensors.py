"""A sensor on the inbox folder: files dropped there are loaded, built and published."""

import hashlib
import time

import dagster as dg

from ingest.container import SUFFIXES
from ingest.load import sha256_of
from orchestration.defs.resources import Warehouse

LOADABLE = set(SUFFIXES)  # what the loader reads; any other file stays in the inbox
SETTLE_SECONDS = 10  # a file still being copied in is left for the next tick


def inbox_files(warehouse: Warehouse, now: float) -> list:
    return sorted(
        p
        for p in warehouse.home.inbox.iterdir()
        if p.is_file()
        and p.suffix.lower() in LOADABLE
        and not p.name.startswith(("~$", "."))
        and now - p.stat().st_mtime >= SETTLE_SECONDS
    )


@dg.sensor(job_name="load_job", minimum_interval_seconds=30)
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """One run for the inbox's current set of files; an unchanged set asks for nothing."""
    files = inbox_files(warehouse, time.time())
    if not files:
        return dg.SkipReason(f"no files in {warehouse.home.inbox}")
    digest = hashlib.sha256("".join(sha256_of(p) for p in files).encode()).hexdigest()
    return dg.RunRequest(
        run_key=digest,
        run_config={"ops": {"raw_tables": {"config": {"paths": [str(p) for p in files]}}}},
    )
