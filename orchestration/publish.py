"""Publish the marts as one read-only snapshot file, swapped into place atomically.

Dashboards and `kepu sql` only ever open the snapshot. It is written beside the old one
and renamed over it, so a reader sees either the previous complete build or the new one;
a failed build never gets here and leaves the previous snapshot in place.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.home import KepuHome

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Snapshot:
    path: str
    tables: dict[str, int]
    published_at: datetime
    is_synthetic: bool


def publish(home: KepuHome, build_id: str) -> Snapshot:
    """Copy every table of the warehouse's `marts` schema into the published snapshot."""
    home.ensure()
    return publish_marts(home.warehouse, home.published, build_id)


def publish_marts(source: Path, target: Path, build_id: str) -> Snapshot:
    """Copy the `marts` schema of `source` into a new file and rename it over `target`."""
    partial = target.with_name(f".kepu-{uuid.uuid4().hex}.duckdb")
    published_at = datetime.now(UTC)
    con = duckdb.connect(str(source))
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
        con.execute(f"attach '{partial}' as snapshot")
        counts = {}
        for table in tables:
            con.execute(f"create table snapshot.{table} as select * from {MARTS_SCHEMA}.{table}")
            counts[table] = con.execute(f"select count(*) from snapshot.{table}").fetchone()[0]
        is_synthetic = bool(
            con.execute(
                "select coalesce(bool_or(is_synthetic), false) from snapshot.fct_load_audit "
                "where load_status = 'accepted'"
            ).fetchone()[0]
        )
        con.execute(
            "create table snapshot.snapshot_info as select ? as build_id, ? as published_at, "
            "? as is_synthetic",
            [build_id, published_at, is_synthetic],
        )
        con.execute("detach snapshot")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(partial, target)
    return Snapshot(str(target), counts, published_at, is_synthetic)


def open_snapshot(home: KepuHome | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot."""
    home = home or KepuHome.from_env()
    if not home.published.exists():
        raise FileNotFoundError(
            f"no published snapshot at {home.published}: run `kepu demo` or `kepu build` first"
        )
    return duckdb.connect(str(home.published), read_only=True)
