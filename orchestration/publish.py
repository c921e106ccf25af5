"""Publish the marts as one read-only snapshot file, swapped into place atomically.

Dashboards and `kepu sql` only ever open the snapshot. It is written beside the old one,
flushed to disk and renamed over it, so a reader sees either the previous complete build
or the new one (a reader that opened the old file keeps reading it whole), a failed or
killed build leaves the previous snapshot in place, and a reader never contends with a
writer for a lock. Respondent-level microdata never leaves the warehouse: a mart with a
respondent column is refused here, for the snapshot and every assessment snapshot alike.

A build that rebuilt some of the marts (a late file, `orchestration.incremental`) starts
its snapshot as a copy of the file the whole build it extends published, and replaces the
marts it rebuilt: the others are that build's tables, unchanged in the warehouse since.
Copying the file costs a fraction of writing every mart again (a national late county
return: 6 of the marts, a 294 MB snapshot). Any doubt (no snapshot, or one that another
build published) copies every mart.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest.engine import duckdb_config
from ingest.home import KepuHome, fsync
from ingest.lock import warehouse_lock

MARTS_SCHEMA = "marts"
# Columns that identify a survey respondent or hold their answers: never published.
MICRODATA_COLUMNS = frozenset({"respondent_id", "response"})
# A cell beginning with one of these is a formula to Excel or LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Snapshot:
    path: str
    tables: dict[str, int]
    published_at: datetime
    is_synthetic: bool


@dataclass(frozen=True)
class Rebuilt:
    """The marts a build rebuilt (`marts`) on the whole build `since`, whose published
    snapshot holds the rest as they are in the warehouse."""

    since: str
    marts: frozenset[str]


def publish(
    home: KepuHome,
    build_id: str,
    validations: pd.DataFrame | None = None,
    rebuilt: Rebuilt | None = None,
) -> Snapshot:
    """Copy every table of the warehouse's `marts` schema into the published snapshot (or
    only the `rebuilt` ones into a copy of the current snapshot), holding the home's writer
    lock (re-entrant: a `kepu build` already holds it), with the build's check results as
    `validation_result` when given."""
    home.ensure()
    with warehouse_lock(home, "publish"):
        for stale in home.published.parent.glob(".kepu-*.duckdb*"):
            stale.unlink(missing_ok=True)  # left by a publish that was killed
        return publish_marts(home.warehouse, home.published, build_id, validations, rebuilt)


class MicrodataRefused(Exception):
    """A mart holds respondent-level columns; it is not published."""


def microdata(columns: Iterable[tuple[str, str]]) -> list[str]:
    """`table.column` of each (table, column) that identifies a respondent or holds their
    answers, sorted: what publishing refuses, on either engine."""
    return sorted(f"{table}.{column}" for table, column in columns if column in MICRODATA_COLUMNS)


def _microdata(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[str]:
    columns = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [MARTS_SCHEMA],
    ).fetchall()
    return microdata((table, column) for table, column in columns if table in tables)


def is_synthetic_sql(schema: str) -> str:
    """Whether any accepted load was synthetic (the demo's data): the query, on either
    engine, over the marts in `schema`."""
    return (
        f"select coalesce(bool_or(is_synthetic), false) from {schema}.fct_load_audit "
        "where load_status = 'accepted'"
    )


def kept_marts(target: Path, rebuilt: Rebuilt | None) -> set[str]:
    """The marts of the snapshot `target` that a build that `rebuilt` some marts keeps:
    none unless `target` was published by the whole build it extends."""
    if rebuilt is None or not target.is_file():
        return set()
    with duckdb.connect(str(target), read_only=True) as con:
        (published_by,) = con.execute("select build_id from snapshot_info").fetchone()
        tables = {name for (name,) in con.execute("show tables").fetchall()}
    if published_by != rebuilt.since:
        return set()
    return tables - rebuilt.marts - {"snapshot_info", "validation_result"}


def publish_marts(
    source: Path,
    target: Path,
    build_id: str,
    validations: pd.DataFrame | None = None,
    rebuilt: Rebuilt | None = None,
) -> Snapshot:
    """Copy the `marts` schema of `source` into a new file and rename it over `target`;
    `validations` (one row per check the build evaluated) becomes `validation_result`.
    With `rebuilt`, the new file starts as a copy of `target` and only the marts not kept
    (`kept_marts`) are copied."""
    partial = target.with_name(f".kepu-{uuid.uuid4().hex}.duckdb")
    published_at = datetime.now(UTC)
    con = duckdb.connect(str(source), config=duckdb_config())
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        assert tables, "publish runs after dbt has built the marts"
        microdata = _microdata(con, tables)
        if microdata:
            raise MicrodataRefused(", ".join(microdata))
        kept = kept_marts(target, rebuilt) & set(tables)
        if kept:
            shutil.copyfile(target, partial)
        con.execute(f"attach '{partial}' as snapshot")
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'snapshot'"
        ).fetchall():
            if table not in kept:
                con.execute(f"drop table snapshot.{table}")
        counts = {}
        for table in tables:
            if table not in kept:
                con.execute(
                    f"create table snapshot.{table} as select * from {MARTS_SCHEMA}.{table}"
                )
            counts[table] = con.execute(f"select count(*) from snapshot.{table}").fetchone()[0]
        is_synthetic = bool(con.execute(is_synthetic_sql("snapshot")).fetchone()[0])
        con.execute(
            "create table snapshot.snapshot_info as select ? as build_id, ? as published_at, "
            "? as is_synthetic",
            [build_id, published_at, is_synthetic],
        )
        if validations is not None:
            con.register("validations", validations)
            con.execute("create table snapshot.validation_result as select * from validations")
            con.unregister("validations")
        con.execute("detach snapshot")
        fsync(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(partial, target)
    fsync(target.parent)
    return Snapshot(str(target), counts, published_at, is_synthetic)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with an apostrophe
    (OWASP CSV injection): for every CSV or xlsx written from the warehouse. Numbers are
    left alone: a negative number is not a formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            text = safe[column]
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            safe[column] = text.mask(risky, "'" + text.astype(str))
    return safe


def open_snapshot(home: KepuHome | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot."""
    home = home or KepuHome.from_env()
    if not home.published.exists():
        raise FileNotFoundError(
            f"no published snapshot at {home.published}: run `kepu demo` or `kepu build` first"
        )
    return duckdb.connect(str(home.published), read_only=True)
