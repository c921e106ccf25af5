"""The raw tables a Great Expectations suite checks (`expectations.suites`), named apart from
the suites so that the Dagster definitions declare a check per table without importing
Great Expectations: the process that runs `kepu build`, which runs no suite, would hold
its ~170 MB of modules beside dbt's during the whole build (issue 12: the build's peak).
The suites' tables are these, in this order (tests/test_expectations.py)."""

import gc
from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb
import pandas as pd

T = TypeVar("T")

TABLES = (
    "regions",
    "population",
    "funding_returns",
    "plans",
    "plan_reviews",
    "indicators",
    "targets",
    "measures",
    "departments",
    "survey_rules",
    "survey_rule_minima",
    "survey_waves",
    "survey_items",
    "survey_respondents",
    "survey_responses",
    "measurement_rules",
    "unit_register",
    "facilities",
    "activities",
    "entity_register",
    "measure_reports",
    "evaluator_notes",
    "kp_units",
    "kp_persons",
    "kp_venues",
    "kp_funding",
    "kp_media",
    "kp_activities",
    "load_audit",
)

# A suite reads its table in batches of about this many rows.
BATCH_ROWS = 250_000


def batch_queries(
    relation: str, rows: int, key: list[str], hashed: str, batch_rows: int = BATCH_ROWS
) -> list[str]:
    """The queries reading `relation` (of `rows` rows) in batches of about `batch_rows`:
    its rows partitioned by a hash of `key`, the columns of the suite's one uniqueness
    expectation (tests/test_expectations.py), `hashed` the engine's hash of them (a
    non-negative integer; `{columns}` where they go). Rows of the same key meet in one
    batch and every other expectation is row by row, so a table passes its suite exactly
    when each batch does, and a suite holds a batch in memory, not the table. Measured
    on the national survey responses (12 million rows, DuckDB): read whole, 77 s and a
    7.3 GB peak (on the server, where the rows came as Python tuples, a late return
    peaked at 18 GB: issue 12); in batches of 250,000, 119 s and 888 MB. A server's
    table is copied into DuckDB once and read in batches there (`orchestration.postgres.
    raw_batches`): on the server each batch was a scan of the table, and a national late
    return's suites took 12 minutes (5.5 read whole)."""
    parts = max(1, -(-rows // batch_rows))
    if parts == 1:
        return [f"select * from {relation}"]
    where = f"{hashed.format(columns=', '.join(key))} % {parts}"
    return [f"select * from {relation} where {where} = {part}" for part in range(parts)]


def read_batches(queries: list[str], read: Callable[[str], T]) -> Iterator[T]:
    """Each of `queries` read by `read`, when the suite asks for it. Before each batch but
    the first, a full collection: a validation leaves its batch's arrays in reference
    cycles, which Python frees only at its next full collection (without one, the
    national survey responses' 48 batches grew the process by 1.7 GB). A collection
    costs ~0.25 s in a run's process, and most tables are one batch, which pays none."""
    for number, sql in enumerate(queries):
        if number:
            gc.collect()
        yield read(sql)


def duckdb_batches(
    con: duckdb.DuckDBPyConnection, relation: str, key: list[str], batch_rows: int = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """`relation` of DuckDB's `con` in batches by `key`, each as `.df()` gives it: what a
    suite reads, on either engine."""
    (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
    queries = batch_queries(relation, rows, key, "hash({columns})", batch_rows)
    return read_batches(queries, lambda sql: con.execute(sql).df())
