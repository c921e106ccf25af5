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

A build of some models (a late file's: `postgres.build_steps`) extends the published one:
in the same transaction, before the renames, every table and view of a published layer
that the build did not make is moved into the build's layer, once it is checked that the
build it extends is still the published one. What it moves was computed from inputs the
late file left alone, and reads only such tables, so the new layers are whole.
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
from orchestration.defs.project import project_digest
from orchestration.postgres import (
    LAYERS,
    PUBLISHED,
    build_record,
    build_suffix,
    claim_build,
    drop_build,
    release_build,
)
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
# What ALTER … SET SCHEMA moves, by pg_class.relkind (indexes move with their tables).
RELATION_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}


class PublishedMeanwhile(Exception):
    """Another build was published while a late file's build of some models ran: the
    published layers are no longer the build it extends."""

    def __init__(self, extends: str, published: str | None):
        super().__init__(
            f"the build {published} was published while this one, which builds only what "
            f"a late file changed on top of the build {extends}, ran: nothing is published "
            "from it. Run `kepu build` to build every model from the files landed."
        )


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
            with con.transaction():  # each its own: no transaction spans them
                extends, watermark = build_record(con, suffix)
            with con.transaction():
                snapshot = _describe(con, suffix, build_id, validations, extends)
            with con.transaction():
                _switch(con, suffix, extends)
                con.execute(f"delete from {PUBLISHED}")
                con.execute(
                    f"insert into {PUBLISHED} values (%s, %s, %s, now())",
                    [build_id, project_digest(), watermark],
                )
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
    con: psycopg.Connection,
    suffix: str,
    build_id: str,
    validations: pd.DataFrame | None,
    extends: str | None,
) -> tuple[dict[str, int], datetime, bool]:
    """Refuse microdata; write `snapshot_info` (and `validation_result`) into the build's
    marts; the rows by table (of the marts a build that `extends` the published one
    carries over, as published), the publishing time and whether the data is synthetic."""
    schema = MARTS_SCHEMA + suffix
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
    if extends is not None:
        (published,) = con.execute(f"select tables from {MARTS_SCHEMA}.{SNAPSHOT_INFO}").fetchone()
        carried = set(tables_of(con, MARTS_SCHEMA)) - set(tables) - NOT_CARRIED
        counts |= {table: published[table] for table in sorted(carried)}
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


def _switch(con: psycopg.Connection, suffix: str, extends: str | None) -> None:
    """In the caller's transaction: wait for the readers of the published marts; for a
    build that `extends` the published one, move what it did not make into its layers;
    then rename each published layer to `…_previous` and the build's into its place."""
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
    if extends is not None:
        row = con.execute(f"select build_id from {PUBLISHED}").fetchone()
        if row is None or row[0] != extends:
            raise PublishedMeanwhile(extends, row[0] if row else None)
        for layer in LAYERS:
            if layer in existing and layer + suffix in existing:
                _carry(con, layer, layer + suffix)
    for layer in LAYERS:
        if layer + suffix not in existing:
            continue
        if layer in existing:
            con.execute(f"drop schema if exists {layer}{PREVIOUS_SUFFIX} cascade")
            con.execute(f"alter schema {layer} rename to {layer}{PREVIOUS_SUFFIX}")
        con.execute(f"alter schema {layer}{suffix} rename to {layer}")


# Written by every publish for its own build: never carried from the one before.
NOT_CARRIED = {SNAPSHOT_INFO, VALIDATION_RESULT}


def _carry(con: psycopg.Connection, layer: str, build: str) -> None:
    """Move every table and view of the published `layer` that the build's `build` schema
    lacks into it (a catalogue change: no row is copied)."""
    relations = (
        "select c.relname::text, c.relkind::text from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind = any(%s)"
    )
    kinds = list(RELATION_KINDS)
    built = {name for name, _ in con.execute(relations, [build, kinds]).fetchall()}
    for name, kind in con.execute(relations, [layer, kinds]).fetchall():
        if name not in built and name not in NOT_CARRIED:
            con.execute(f'alter {RELATION_KINDS[kind]} {layer}."{name}" set schema {build}')
