"""Great Expectations suites as blocking checks on the raw tables: each load's rows are
checked once, by the suite's version (`expectations.tables.suite_version`), in a process
of the suites' own.

The suites run in one spawned child per run process (`suite_worker`), started by the first
check with rows to read and stopped when dbt starts (`stop_suite_worker`): Great
Expectations' modules and the batches' memory (~200 MB and up to 1 GB at national scale)
leave with it, so the Dagster process that goes on to run dbt beside dbt's own stays as
small as a run without suites (the build's peak memory goal, issue 12). A check with
nothing to read starts no child and imports no Great Expectations."""

import contextlib
import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import dagster as dg
import duckdb

from expectations.check import TableCheck, check_table
from expectations.tables import (
    PASSES,
    PASSES_DDL,
    TABLES,
    not_passed,
    suite_version,
)
from ingest.engine import connect, on_server
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from ingest.store import RAW_SCHEMA
from orchestration.defs.raw import raw_key
from orchestration.defs.resources import Warehouse
from orchestration.postgres import create_passes

T = TypeVar("T")


@functools.cache
def suite_worker() -> ProcessPoolExecutor:
    """The process the suites run in: spawned, not forked (a fork of a process whose
    DuckDB thread pools have run can deadlock), one for the run's checks."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def stop_suite_worker() -> None:
    """End the suites' process, if one was started (its memory goes with it)."""
    if suite_worker.cache_info().currsize:
        suite_worker().shutdown()
        suite_worker.cache_clear()


def has_pending(home: KepuHome, table: str, suite: str) -> bool:
    """Whether raw `table` holds a row whose load has not passed `suite` (making the table
    of passes where missing)."""
    relation = f'{RAW_SCHEMA}."{table}"'
    query = f"select exists (select 1 from {relation} where {not_passed(relation, table, suite)})"
    if on_server():
        with connect() as con:
            create_passes(con)
            return con.execute(query).fetchone()[0]
    with duckdb.connect(str(home.warehouse)) as con:
        for ddl in PASSES_DDL:
            con.execute(ddl)
        return con.execute(query).fetchone()[0]


def gx_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name=f"gx_{table}",
        blocking=True,
        description=f"Great Expectations suite raw_{table} on the rows of every load of the "
        "raw table (on the server's when KEPU_ENGINE=postgres) that has not passed this "
        "version of it, read in batches by load and key; the loads that pass are recorded "
        f"({PASSES}) and not read again.",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        suite = suite_version()
        home = warehouse.home
        # a load waits until the suite has read and recorded (the server serialises its own)
        held = contextlib.nullcontext() if on_server() else warehouse_lock(home, f"gx_{table}")
        with held:
            found = TableCheck(True, 0, 0, 0, ())
            if has_pending(home, table, suite):
                arguments = (table, suite, str(home.warehouse), dict(os.environ))
                found = in_suite_worker(check_table, *arguments)
        return dg.AssetCheckResult(
            passed=found.success,
            metadata={
                "suite_version": suite,
                "rows": found.rows,
                "loads": found.loads,
                "expectations": found.evaluated,
                "failures": dg.MetadataValue.md(
                    "\n".join(f"- {f}" for f in found.failures) or "none"
                ),
            },
        )

    return _check


def in_suite_worker(function: Callable[..., T], *arguments: object) -> T:
    """`function(*arguments)` in the suites' process; a process that died (killed, out of
    memory) is replaced for the next check and this one fails."""
    try:
        return suite_worker().submit(function, *arguments).result()
    except BrokenProcessPool:
        suite_worker.cache_clear()
        raise


gx_checks = [gx_check(table) for table in TABLES]
