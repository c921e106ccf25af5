"""Great Expectations suites as blocking checks on the raw tables: each load's rows are
checked once, by the suite's version (`expectations.tables.suite_version`)."""

import contextlib
from collections.abc import Iterator

import dagster as dg
import duckdb

from expectations.tables import (
    PASSES,
    PASSES_DDL,
    TABLES,
    PendingRows,
    not_passed,
    passed_loads,
    passes_rows,
    pending_rows,
    pending_sql,
    release_memory,
    suite_version,
)
from ingest.engine import on_server
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from ingest.store import RAW_SCHEMA
from orchestration.defs.raw import raw_key
from orchestration.defs.resources import Warehouse
from orchestration.postgres import server_pending


@contextlib.contextmanager
def warehouse_pending(home: KepuHome, table: str, suite: str) -> Iterator[PendingRows]:
    """The warehouse's rows of `table` that have not passed `suite`, read and recorded
    under the loader's lock (a load waits until the suite has read them)."""
    with (
        warehouse_lock(home, f"gx_{table}"),
        duckdb.connect(str(home.warehouse)) as con,
    ):
        for ddl in PASSES_DDL:
            con.execute(ddl)
        relation = f"{RAW_SCHEMA}.{table}"
        pending = con.execute(pending_sql(relation, not_passed(relation, table, suite))).fetchall()

        def record(loads: list[tuple[int, int]]) -> None:
            if loads:
                values = passes_rows(table, suite, loads)
                con.execute(f"insert into {PASSES} values {values} on conflict do nothing")

        yield pending_rows(con, relation, pending, record)


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
        rows = (
            server_pending(table, suite)
            if on_server()
            else warehouse_pending(warehouse.home, table, suite)
        )
        with rows as found:
            metadata: dict[str, object] = {"suite_version": suite}
            if not found.batches:  # every load passed already: no GX to import
                return dg.AssetCheckResult(
                    passed=True, metadata={**metadata, "rows": 0, "loads": 0, "failures": "none"}
                )
            # Great Expectations is imported by the runs that check, not by every process
            # that loads the definitions (expectations/tables.py)
            from expectations.suites import unique_key, validate_batches

            result = validate_batches(table, found.frames(unique_key(table)))
            found.record(passed_loads(found.pending, found.batches, list(result.batches)))
        if len(found.batches) > 1:
            release_memory()
        return dg.AssetCheckResult(
            passed=result.success,
            metadata={
                **metadata,
                "rows": result.rows,
                "loads": len(found.pending),
                "expectations": result.evaluated,
                "failures": dg.MetadataValue.md(
                    "\n".join(f"- {f}" for f in result.failures) or "none"
                ),
            },
        )

    return _check


gx_checks = [gx_check(table) for table in TABLES]
