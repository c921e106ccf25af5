"""The raw tables a Great Expectations suite checks (`expectations.suites`), and how a suite
reads them (the loads not yet passed, in batches), named apart from the suites so that the
processes that load the Dagster definitions and run dbt never import Great Expectations:
only the suites' own process does (`orchestration.suite_worker`, or a check's own step
under Dagster's multiprocess executor; its ~200 MB of modules beside dbt's during the
whole build were the build's peak, issue 12). The suites' tables are these, in this order
(tests/test_expectations.py)."""

import functools
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from typing import TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from ingest.home import REPO_ROOT

T = TypeVar("T")
ARROW_STRING = pd.StringDtype("pyarrow")

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

# What the suites are built from (the specs' domains, bounds and the 科普统计 items)
SUITE_SOURCES = tuple(
    REPO_ROOT / path
    for path in ("expectations/suites.py", "ingest/specs.py", "dbt_project/seeds/kp_indicators.csv")
)
# A suite reads its table in batches of about this many rows.
BATCH_ROWS = 250_000

# The loads whose rows of a table passed its suite, by suite (`suite_version`): each load's
# rows are checked once. In the warehouse the checks write to (the DuckDB file, or the
# server), beside the raw schema and never copied with it.
PASSES_SCHEMA = "checks"
PASSES = f"{PASSES_SCHEMA}.suite_passes"
PASSES_DDL = (
    f"create schema if not exists {PASSES_SCHEMA}",
    f"""create table if not exists {PASSES} (
        table_name varchar not null,
        load_id integer not null,
        suite varchar not null,
        rows bigint not null,
        checked_at timestamp with time zone not null,
        primary key (table_name, suite, load_id)
    )""",
)


@dataclass(frozen=True)
class Batch:
    """Rows a suite reads at once: those of `loads` in `relation` (all of each, or the
    `part`-th of `parts` shares of one load, by a hash of the suite's key)."""

    relation: str
    loads: tuple[int | None, ...]
    rows: int
    part: int = 0
    parts: int = 1

    def sql(self, key: list[str], hashed: str) -> str:
        """The query reading the batch; `hashed` is the engine's hash of `{columns}`."""
        where = loads_condition(self.loads)
        if self.parts > 1:
            share = f"{hashed.format(columns=', '.join(key))} % {self.parts} = {self.part}"
            where = f"({where}) and {share}"
        return f"select * from {self.relation} where {where}"


def loads_condition(loads: Iterable[int | None]) -> str:
    """The condition on a raw table's rows that `loads` landed (None: rows without a load).
    The range lets the engine skip the storage of other loads (rows land a load at a time,
    in load order): a batch reads its own rows, not the table."""
    loads = list(loads)
    known = sorted(int(load) for load in loads if load is not None)
    conditions = []
    if known:
        listed = ", ".join(map(str, known))
        conditions.append(f"(load_id between {known[0]} and {known[-1]} and load_id in ({listed}))")
    if len(known) < len(loads):
        conditions.append("load_id is null")
    return " or ".join(conditions)


@functools.cache
def suite_version() -> str:
    """What the suites' verdicts depend on besides the rows: their code (expectations/
    suites.py and what it is built from) and Great Expectations' release.
    A load passed under another version is checked again. Read from the files, not the
    suites, so that a run with nothing to check imports no Great Expectations."""
    digest = hashlib.sha256(version("great-expectations").encode())
    for path in SUITE_SOURCES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def not_passed(relation: str, table: str, suite: str) -> str:
    """The condition on the rows of `relation` (the raw `table`) whose load has not passed
    `suite` (a row without a load never has)."""
    return (
        f"not exists (select 1 from {PASSES} as p where p.table_name = '{table}' "
        f"and p.suite = '{suite}' and p.load_id = {relation}.load_id)"
    )


def pending_sql(relation: str, where: str = "true") -> str:
    """Each load of `relation`'s rows `where` holds, with its rows, in load order (rows
    without a load as NULL, last)."""
    return (
        f"select load_id, count(*) from {relation} where {where} "
        "group by load_id order by load_id nulls last"
    )


def plan_batches(
    relation: str, pending: list[tuple[int | None, int]], batch_rows: int = BATCH_ROWS
) -> list[Batch]:
    """The batches a suite reads the `pending` loads (load, rows) of `relation` in: loads
    in order, as many to a batch as fit in about `batch_rows`; a load of more rows in
    shares by a hash of the suite's key, the columns of its one uniqueness expectation,
    which begins with load_id (tests/test_expectations.py). Rows of the same key meet in
    one batch and every other expectation is row by row, so the loads pass the suite
    exactly when each batch does, and a suite holds a batch in memory, not the table.

    Measured on the national survey responses (12 million rows, DuckDB): read whole,
    77 s and a 7.3 GB peak; in 48 batches by a hash of the key over the whole table,
    each batch a scan of it, 16 s of reading; by loads, each batch reads its own rows."""
    batches: list[Batch] = []
    loads: list[int | None] = []
    rows = 0
    for load, count in pending:
        if count > batch_rows:
            parts = -(-count // batch_rows)
            batches += [Batch(relation, (load,), count, part, parts) for part in range(parts)]
            continue
        if loads and rows + count > batch_rows:
            batches.append(Batch(relation, tuple(loads), rows))
            loads, rows = [], 0
        loads.append(load)
        rows += count
    if loads:
        batches.append(Batch(relation, tuple(loads), rows))
    return batches


def passed_loads(
    pending: list[tuple[int | None, int]], batches: list[Batch], passed: list[bool]
) -> list[tuple[int, int]]:
    """The `pending` loads (load, rows) every batch of which passed (`passed`, one per batch
    of `batches`): those to record as having passed the suite. A row without a load is
    never recorded (it fails the suite's lineage expectation)."""
    failed = {
        load for batch, ok in zip(batches, passed, strict=True) if not ok for load in batch.loads
    }
    return [(load, rows) for load, rows in pending if load is not None and load not in failed]


def record_sql(table: str, suite: str, loads: list[tuple[int, int]]) -> str:
    """The statement recording that `loads` (load, rows) of `table` passed `suite` now
    (both engines run it; a load recorded already stays as it was)."""
    values = ", ".join(
        f"('{table}', {int(load)}, '{suite}', {int(rows)}, current_timestamp)"
        for load, rows in loads
    )
    return f"insert into {PASSES} values {values} on conflict do nothing"


@dataclass(frozen=True)
class PendingRows:
    """A raw table's rows not yet checked by the suite's version, as an engine holds them:
    `pending` loads (load, rows) in `batches`; `frames(key)` reads them (the suite's key,
    known once Great Expectations is imported); `record(loads)` writes that `loads`
    passed."""

    pending: list[tuple[int | None, int]]
    batches: list[Batch]
    frames: Callable[[list[str]], Iterator[pd.DataFrame]]
    record: Callable[[list[tuple[int, int]]], None]


def pending_rows(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    pending: list[tuple[int | None, int]],
    record: Callable[[list[tuple[int, int]]], None],
    batch_rows: int = BATCH_ROWS,
) -> PendingRows:
    """The `pending` loads of `relation` in DuckDB's `con`, in batches."""
    batches = plan_batches(relation, pending, batch_rows)
    return PendingRows(pending, batches, lambda key: duckdb_batches(con, batches, key), record)


def read_batches(queries: list[str], read: Callable[[str], T]) -> Iterator[T]:
    """Each of `queries` read by `read`, when the suite asks for it. Before each batch but
    the first, a full collection: a validation leaves its batch's arrays in reference
    cycles, which Python frees only at its next full collection (without one, the
    national survey responses' 48 batches grew the process by 1.7 GB). The objects alive
    before the first batch (the modules of Dagster, dbt and GX) are collected once and
    frozen out of the others until the last batch is read: traversing them cost each
    collection ~0.17 s, 8 s over those 48 batches. Most tables are one batch, which pays
    none of this."""
    several = len(queries) > 1
    if several:
        gc.collect()
        gc.freeze()
    try:
        for number, sql in enumerate(queries):
            if number:
                gc.collect()
            yield read(sql)
    finally:
        if several:
            gc.unfreeze()


def as_frame(table: pa.Table) -> pd.DataFrame:
    """A batch's rows as the suite reads them: numbers and dates as `.df()` gives them
    (NumPy arrays; NULL in an integer column makes it float), text in Arrow's string
    arrays, which GX's null, set and pattern checks read without a Python object per
    cell: a quarter less time than `.df()`'s object columns on the national respondents."""
    strings = {pa.string(): ARROW_STRING, pa.large_string(): ARROW_STRING}
    return table.to_pandas(types_mapper=strings.get, date_as_object=False)


def duckdb_batches(
    con: duckdb.DuckDBPyConnection, batches: list[Batch], key: list[str]
) -> Iterator[pd.DataFrame]:
    """`batches` of DuckDB's `con`, each as the suite reads it: what a suite reads, on
    either engine."""
    queries = [batch.sql(key, "hash({columns})") for batch in batches]
    return read_batches(queries, lambda sql: as_frame(con.execute(sql).to_arrow_table()))
