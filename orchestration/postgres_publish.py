"""Publishing on the PostgreSQL server (issue 13): a build's schemas renamed into place in
one transaction, the previous ones kept beside them until the next publish.

A build writes schemas of its own (`marts_build_…`, `postgres.build`) while readers keep
reading `marts`; a build that fails leaves `marts` as it was. Publishing first completes
the build's marts (`snapshot_info`, `validation_result`) and commits them, so that every
row of the new schema is committed before the switch. Then one transaction takes ACCESS
EXCLUSIVE locks on the published marts, `snapshot_info` first, and renames every layer
aside (`marts` → `marts_previous`, the one before dropped) and the build's into place.

The locks make the switch wait for each reader whose transaction has read a published
mart, and a reader arriving meanwhile waits for the switch and then reads the new schema
whole. A reader that opens its transaction by reading `snapshot_info` (the dashboard
shows it anyway) therefore sees the old marts or the new ones, never a mix.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime

import dagster as dg
import pandas as pd
import psycopg

from ingest.engine import connect, connection_settings, server_frame
from orchestration.postgres import LAYERS, build_suffix, claim_build, drop_build, release_build
from orchestration.publish import (
    MARTS_SCHEMA,
    MicrodataRefused,
    Snapshot,
    is_synthetic_sql,
    microdata,
)

PREVIOUS_SUFFIX = "_previous"
SNAPSHOT_INFO = "snapshot_info"
VALIDATION_RESULT = "validation_result"
# pg_advisory_xact_lock's key: two publishes switch one after the other (a fixed number
# no other lock of this database uses: the loader's is ingest.store.LOAD_LOCK_KEY).
PUBLISH_LOCK = 0x6B657076


def publish(
    build_id: str,
    validations: pd.DataFrame | None = None,
    environ: Mapping[str, str] = os.environ,
    runs: dg.DagsterInstance | None = None,
) -> Snapshot:
    """Publish the marts the build `build_id` wrote (`postgres.build`): what it holds is
    checked and described, then switched into place; a refused build's schemas are
    dropped, the published ones untouched. The sweep of ended builds asks `runs` (the
    Dagster instance) about the runs claims name."""
    suffix = build_suffix(build_id)
    claim_build(suffix, environ, runs=runs)
    try:
        with connect(environ) as con:
            with con.transaction():
                snapshot = _describe(con, MARTS_SCHEMA + suffix, build_id, validations)
            with con.transaction():
                _switch(con, suffix)
    except BaseException:
        drop_build(suffix, environ)
        raise
    release_build(suffix)
    return Snapshot(published_location(environ), *snapshot)


def published_location(environ: Mapping[str, str] = os.environ) -> str:
    """Where readers find the published marts: the server, its database and the schema."""
    settings = connection_settings(environ)
    where = f"postgresql://{settings['host']}:{settings['port']}/{settings['dbname']}"
    return f"{where}#{MARTS_SCHEMA}"


def read_published(sql: str, environ: Mapping[str, str] = os.environ) -> pd.DataFrame:
    """One query of the published marts, by their unqualified names, in a read-only
    transaction; the frame typed as DuckDB's `.df()` types it. FileNotFoundError when the
    server has published nothing."""
    with connect(environ) as con:
        con.read_only = True
        if not tables_of(con, MARTS_SCHEMA):
            where = published_location(environ)
            raise FileNotFoundError(f"nothing published at {where}: run `kepu build` first")
        con.execute(f"set local search_path to {MARTS_SCHEMA}")
        return server_frame(con.execute(sql))


def tables_of(con: psycopg.Connection, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = %s and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
    ]


def _describe(
    con: psycopg.Connection, schema: str, build_id: str, validations: pd.DataFrame | None
) -> tuple[dict[str, int], datetime, bool]:
    """Refuse microdata; write `snapshot_info` (and `validation_result`) into the build's
    marts; the rows by table, the publishing time and whether the data is synthetic."""
    tables = tables_of(con, schema)
    assert tables, "publish runs after dbt has built the marts"
    columns = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = %s",
        [schema],
    ).fetchall()
    refused = microdata(columns)
    if refused:
        raise MicrodataRefused(", ".join(refused))
    counts = {
        table: con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
        for table in tables
    }
    published_at = datetime.now(UTC)
    is_synthetic = bool(con.execute(is_synthetic_sql(schema)).fetchone()[0])
    con.execute(
        f"create table {schema}.{SNAPSHOT_INFO} (build_id text, published_at timestamptz, "
        "is_synthetic boolean, tables jsonb)"
    )
    con.execute(
        f"insert into {schema}.{SNAPSHOT_INFO} values (%s, %s, %s, %s)",
        [build_id, published_at, is_synthetic, json.dumps(counts)],
    )
    if validations is not None:
        _write_frame(con, f"{schema}.{VALIDATION_RESULT}", validations)
    return counts, published_at, is_synthetic


def _write_frame(con: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    types = ", ".join(
        f'"{name}" {"boolean" if pd.api.types.is_bool_dtype(kind) else "text"}'
        for name, kind in frame.dtypes.items()
    )
    con.execute(f"create table {table} ({types})")
    with con.cursor().copy(f"copy {table} from stdin") as copy:
        for row in frame.astype(object).itertuples(index=False):
            copy.write_row(tuple(row))


def _switch(con: psycopg.Connection, suffix: str) -> None:
    """In the caller's transaction: wait for the readers of the published marts, then
    rename each published layer to `…_previous` and the build's into its place."""
    con.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
    published = tables_of(con, MARTS_SCHEMA)
    if published:
        # snapshot_info first: a reader that opened with it holds it, and nothing else
        # the switch is waiting for (no deadlock)
        ordered = sorted(published, key=lambda table: (table != SNAPSHOT_INFO, table))
        names = ", ".join(f'{MARTS_SCHEMA}."{table}"' for table in ordered)
        con.execute(f"lock table {names} in access exclusive mode")
    existing = {
        name for (name,) in con.execute("select nspname::text from pg_namespace").fetchall()
    }
    for layer in LAYERS:
        if layer + suffix not in existing:
            continue
        if layer in existing:
            con.execute(f"drop schema if exists {layer}{PREVIOUS_SUFFIX} cascade")
            con.execute(f"alter schema {layer} rename to {layer}{PREVIOUS_SUFFIX}")
        con.execute(f"alter schema {layer}{suffix} rename to {layer}")
