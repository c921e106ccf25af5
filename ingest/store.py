"""Where a file lands: the home's DuckDB warehouse, or the raw schema of a PostgreSQL
server (KEPU_ENGINE=postgres, issue 13).

The loader checks and writes through a connection to a DuckDB database either way. On
DuckDB that database is the warehouse itself. On the server it is an in-memory database
holding the raw tables' definitions and, copied from the server under the load lock, the
tables the consistency checks read (`REFERENCE_TABLES`): the checks run unchanged, and a
file's rows, audit, problems and left-out rows are staged there by the same code, then
streamed to the server with COPY (DuckDB writes them as CSV) in one server transaction,
and the staging rolled back.

One loader at a time checks and writes: a session advisory lock on the server, held from
the first duplicate check to the last file's commit, as the home's file lock is on DuckDB.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg

from ingest.consistency import REFERENCE_TABLES

RAW_SCHEMA = "raw"
# What one write hands COPY: the CSV is streamed in blocks, never held whole.
COPY_BLOCK_BYTES = 1 << 20
# The advisory lock every server loader takes ('kepu' in ASCII): one key, one queue.
LOAD_LOCK_KEY = 0x6B657075
# DuckDB column types as PostgreSQL's; DECIMAL(p,s) keeps its precision.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BLOB": "bytea",
    "UUID": "uuid",
}


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type of a DuckDB column type (lists become arrays)."""
    if duckdb_type.endswith("[]"):
        return postgres_type(duckdb_type[:-2]) + "[]"
    if duckdb_type.startswith("DECIMAL"):
        return "numeric" + duckdb_type.removeprefix("DECIMAL")
    return POSTGRES_TYPES[duckdb_type]


def array_literal(column: str) -> str:
    """A DuckDB list as PostgreSQL's array literal text: {"a","b"}, elements quoted with
    their backslashes and double quotes escaped."""
    element = "'\"' || replace(replace(cast(x as varchar), '\\', '\\\\'), '\"', '\\\"') || '\"'"
    return (
        f'case when "{column}" is null then null else '
        f"'{{' || array_to_string(list_transform(\"{column}\", x -> {element}), ',') || '}}' "
        f'end as "{column}"'
    )


def copy_to_server(
    source: duckdb.DuckDBPyConnection,
    query: str,
    con: psycopg.Connection,
    table: str,
    columns: list[str],
) -> None:
    """The rows of a DuckDB `query` appended to the server's `table` (`columns` in the
    query's order): DuckDB writes them as CSV, streamed into COPY in blocks (no Python
    step per row). In CSV an unquoted empty field is null, a quoted one the empty text."""
    named = ", ".join(f'"{name}"' for name in columns)
    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "rows.csv"
        source.execute(f"copy ({query}) to '{rows}' (format csv, header false)")
        target = f"copy {table} ({named}) from stdin (format csv)"
        with rows.open("rb") as text, con.cursor().copy(target) as copy:
            while block := text.read(COPY_BLOCK_BYTES):
                copy.write(block)


def copy_from_server(
    con: psycopg.Connection,
    table: str,
    target: duckdb.DuckDBPyConnection,
    columns: dict[str, str],
    where: str = "true",
) -> None:
    """The server's `table` (its rows `where` holds) appended to DuckDB's table of the same
    name (`columns`: name → DuckDB type), through CSV the server writes and DuckDB reads
    with those types; lists travel as JSON (PostgreSQL's array text is not DuckDB's list
    text)."""
    named = ", ".join(f'"{name}"' for name in columns)
    lists = {name for name, kind in columns.items() if kind.endswith("]")}
    sent = ", ".join(f'to_json("{n}")::text' if n in lists else f'"{n}"' for n in columns)
    read = {name: "VARCHAR" if name in lists else kind for name, kind in columns.items()}
    types = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in read.items()) + "}"
    kept = ", ".join(f'"{n}"::json::{columns[n]}' if n in lists else f'"{n}"' for n in columns)
    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "rows.csv"
        source = f"copy (select {sent} from {table} where {where}) to stdout (format csv)"
        with rows.open("wb") as text, con.cursor().copy(source) as copy:
            for block in copy:
                text.write(block)
        target.execute(
            f"insert into {table} ({named}) select {kept} from read_csv('{rows}', "
            f"columns = {types}, header = false, auto_detect = false, allow_quoted_nulls = false)"
        )


class LocalStore:
    """The home's DuckDB warehouse: checks and writes on the same connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def already_accepted(self, sha256: str) -> int | None:
        row = self.con.execute(
            "select min(load_id) from raw.load_audit where file_sha256 = ? and status = 'accepted'",
            [sha256],
        ).fetchone()
        return row[0] if row else None

    @contextmanager
    def landing(self) -> Iterator[int]:
        """One transaction around a file's writes; the file's load_id."""
        self.con.execute("begin transaction")
        try:
            yield self.con.execute(
                "select coalesce(max(load_id), 0) + 1 from raw.load_audit"
            ).fetchone()[0]
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise


class ServerStore:
    """The raw schema of the PostgreSQL server, with `con` (in-memory DuckDB holding the
    raw tables' definitions) for the checks and the staging of each file's rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection, server: psycopg.Connection):
        self.con, self.server = con, server
        self.server.autocommit = True  # transactions only where a block asks for one
        self.columns: dict[str, dict[str, str]] = {}
        for table, column, kind in con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [RAW_SCHEMA],
        ).fetchall():
            self.columns.setdefault(table, {})[column] = kind

    def already_accepted(self, sha256: str) -> int | None:
        if self.server.execute("select to_regclass('raw.load_audit')").fetchone()[0] is None:
            return None  # nothing was ever loaded on this server
        row = self.server.execute(
            "select min(load_id) from raw.load_audit "
            "where file_sha256 = %s and status = 'accepted'",
            [sha256],
        ).fetchone()
        return row[0] if row else None

    @contextmanager
    def locked(self, on_wait: Callable[[dict], None] | None = None) -> Iterator[None]:
        """Hold the load lock; the raw tables exist on the server and the reference
        tables are copied here. `on_wait` is told who holds the lock before waiting."""
        take = "select pg_try_advisory_lock(%s)"
        if not self.server.execute(take, [LOAD_LOCK_KEY]).fetchone()[0]:
            if on_wait is not None:
                on_wait(self.holder())
            self.server.execute("select pg_advisory_lock(%s)", [LOAD_LOCK_KEY])
        try:
            started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
            self.server.execute(
                "select set_config('application_name', %s, false)",
                [f"kepu ingest {os.getpid()} {started}"],
            )
            self.create_tables()
            self.refresh(REFERENCE_TABLES)
            yield
        finally:
            if not self.server.closed:
                self.server.execute("select pg_advisory_unlock(%s)", [LOAD_LOCK_KEY])

    def holder(self) -> dict:
        """Who holds the load lock, as its holder named itself (empty if nobody says)."""
        row = self.server.execute(
            "select a.application_name from pg_locks l join pg_stat_activity a using (pid) "
            "where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = %s",
            [LOAD_LOCK_KEY],
        ).fetchone()
        words = row[0].split() if row else []
        if len(words) != 4 or words[:2] != ["kepu", "ingest"] or not words[2].isdigit():
            return {}
        return {"pid": int(words[2]), "started_at": words[3], "purpose": "ingest"}

    def create_tables(self) -> None:
        """The raw schema, tables and columns the loader writes, where missing (idempotent;
        called under the lock, as concurrent CREATE ... IF NOT EXISTS can collide)."""
        present: dict[str, set[str]] = {}
        for table, column in self.server.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = %s",
            [RAW_SCHEMA],
        ).fetchall():
            present.setdefault(table, set()).add(column)
        with self.server.transaction():
            self.server.execute(f"create schema if not exists {RAW_SCHEMA}")
            for table, columns in self.columns.items():
                if table not in present:
                    typed = ", ".join(f'"{c}" {postgres_type(k)}' for c, k in columns.items())
                    self.server.execute(f'create table {RAW_SCHEMA}."{table}" ({typed})')
                    continue
                for column in columns.keys() - present[table]:
                    kind = postgres_type(columns[column])
                    self.server.execute(
                        f'alter table {RAW_SCHEMA}."{table}" add column "{column}" {kind}'
                    )

    def refresh(self, tables: set[str] | frozenset[str]) -> None:
        """Replace the local copies of `tables` with the server's current rows."""
        for table in sorted(tables):
            self.con.execute(f"delete from {RAW_SCHEMA}.{table}")
            copy_from_server(self.server, f"{RAW_SCHEMA}.{table}", self.con, self.columns[table])

    @contextmanager
    def landing(self) -> Iterator[int]:
        """One server transaction around a file's writes: the load_id is the server's next,
        the rows written under it here are copied to the server, then dropped here."""
        with self.server.transaction():
            load_id = self.server.execute(
                "select coalesce(max(load_id), 0) + 1 from raw.load_audit"
            ).fetchone()[0]
            self.con.execute("begin transaction")
            try:
                yield load_id
                landed = self._copy_load(load_id)
            finally:
                self.con.execute("rollback")
        self.refresh(landed & REFERENCE_TABLES)

    def _copy_load(self, load_id: int) -> set[str]:
        """Every raw table's rows of one load, staged here, appended on the server."""
        landed = set()
        for table, columns in self.columns.items():
            where = f"from {RAW_SCHEMA}.{table} where load_id = {int(load_id)}"
            if not self.con.execute(f"select count(*) {where}").fetchone()[0]:
                continue
            named = list(columns)
            values = ", ".join(
                array_literal(c) if columns[c].endswith("[]") else f'"{c}"' for c in named
            )
            query = f"select {values} {where}"
            copy_to_server(self.con, query, self.server, f'{RAW_SCHEMA}."{table}"', named)
            landed.add(table)
        return landed
