"""Great Expectations suites as blocking checks on the raw tables: each load's rows are
checked once, by the suite's version (`expectations.tables.suite_version`), in a process
of the suites' own (`orchestration.suite_worker`). A check with nothing to read starts
no process and imports no Great Expectations."""

import contextlib
import os

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
from orchestration import suite_worker
from orchestration.defs.raw import raw_key
from orchestration.defs.resources import Warehouse
from orchestration.postgres import create_passes


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
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        suite = suite_version()
        home = warehouse.home
        # a load waits until the suite has read and recorded (the server serialises its own)
        held = contextlib.nullcontext() if on_server() else warehouse_lock(home, f"gx_{table}")
        with held:
            found = TableCheck(True, 0, 0, 0, ())
            if has_pending(home, table, suite):
                arguments = (table, suite, str(home.warehouse), dict(os.environ))
                if suite_worker.wanted(context):
                    found = suite_worker.run(check_table, *arguments)
                else:
                    found = check_table(*arguments)
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


gx_checks = [gx_check(table) for table in TABLES]
