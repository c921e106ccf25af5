"""One raw table's suite on the rows of its loads that have not passed this version of it:
what a check runs in the suites' own process (`orchestration.defs.checks`), on either
engine, with the writer lock held by the process that asked (a load waits meanwhile).
Importing this module imports no Great Expectations: running `check_table` does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import duckdb

from expectations.tables import (
    PendingRows,
    not_passed,
    passed_loads,
    pending_rows,
    pending_sql,
    record_sql,
)
from ingest.engine import on_server
from ingest.store import RAW_SCHEMA


@dataclass(frozen=True)
class TableCheck:
    """What a check reports: whether the rows read passed, how many of how many loads,
    the suite's expectations and each failure."""

    success: bool
    rows: int
    loads: int
    evaluated: int
    failures: tuple[str, ...]


@contextlib.contextmanager
def warehouse_pending(warehouse: str, table: str, suite: str) -> Iterator[PendingRows]:
    """The DuckDB `warehouse`'s rows of `table` whose loads have not passed `suite`; the
    loads that pass are recorded in the same file."""
    with duckdb.connect(warehouse) as con:
        relation = f"{RAW_SCHEMA}.{table}"
        pending = con.execute(pending_sql(relation, not_passed(relation, table, suite))).fetchall()

        def record(loads: list[tuple[int, int]]) -> None:
            if loads:
                con.execute(record_sql(table, suite, loads))

        yield pending_rows(con, relation, pending, record)


def start_suites() -> None:
    """Import Great Expectations and make its context: the suites' fixed cost."""
    from expectations.suites import start

    start()


def check_table(table: str, suite: str, warehouse: str, environ: Mapping[str, str]) -> TableCheck:
    """Run `table`'s suite on its rows not yet passed under `suite`, in the warehouse
    `environ` names (the server's when KEPU_ENGINE=postgres, else the DuckDB file
    `warehouse`), and record the loads that pass."""
    # Great Expectations is imported here, in the suites' process, not by the process that
    # asks (expectations/tables.py)
    from expectations.suites import unique_key, validate_batches

    if on_server(environ):
        from orchestration.postgres import server_pending

        rows = server_pending(table, suite, environ)
    else:
        rows = warehouse_pending(warehouse, table, suite)
    with rows as found:
        if not found.batches:
            return TableCheck(True, 0, 0, 0, ())
        result = validate_batches(table, found.frames(unique_key(table)))
        found.record(passed_loads(found.pending, found.batches, list(result.batches)))
    return TableCheck(
        result.success, result.rows, len(found.pending), result.evaluated, result.failures
    )
