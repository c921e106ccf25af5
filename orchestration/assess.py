"""Assessments as of a date: the warehouse rebuilt from what was known then, then reported.

An assessment copies the raw tables (append-only: corrections are new loads) into its own
DuckDB file and runs the dbt project on it with `as_of` (only periods up to that date)
and `vintage` (only loads received by that date, unless the evaluator asks for the
latest data). Regenerating a 2023 assessment in 2025 therefore gives the 2023 numbers,
whatever corrections were loaded since.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

import vocabulary
from ingest.engine import on_server
from ingest.home import ASSESSMENT_SNAPSHOT, KepuHome
from ingest.lock import exclusive, warehouse_lock
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.publish import publish_marts

# The project's own sources: what dbt reads to build the marts (not its target/ or logs/).
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def dbt_project_digest(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """SHA-256 over the dbt project's source files, by relative path and content."""
    digest = hashlib.sha256()
    for name in DBT_SOURCES:
        top = project_dir / name
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def raw_signature(con: duckdb.DuckDBPyConnection, database: str) -> list[list]:
    """Per raw table of `database`: its columns, row count and newest load.

    Raw is append-only and every load lands whole or not at all, so a new load changes
    the count and the newest load id of each table it adds rows to."""
    tables = con.execute(
        "select table_name, string_agg(column_name || ' ' || data_type, ', ' "
        "order by column_index) from duckdb_columns() "
        "where database_name = ? and schema_name = 'raw' group by table_name order by 1",
        [database],
    ).fetchall()
    return [
        [table, columns, *con.execute(
            f"select count(*), max(load_id) from {database}.raw.{table}"
        ).fetchone()]
        for table, columns in tables
    ]  # fmt: skip


def build_assessment_warehouse(home: KepuHome, as_of: date, latest_data: bool) -> Path:
    """A DuckDB file with the marts as of `as_of`, built by dbt from a copy of raw.

    The build is reused when nothing it depends on changed since it was made: the same raw
    rows (nothing loaded since), the same dbt project and the same date. Its fingerprint is
    written last, after the snapshot is published, so a build that failed or was cut short
    is never reused."""
    folder = home.assessment(as_of, latest_data)
    database = folder / "warehouse.duckdb"
    # One build of an assessment at a time: a second request for it waits, then reuses it.
    with exclusive(home.assessments / f"{folder.name}.lock"):
        # Raw is read under the writer lock, so a load or build in progress is waited for
        # rather than seen half-way or met with DuckDB's lock error.
        with warehouse_lock(home, f"assessment as of {folder.name}"):
            source = _raw_source(home, folder)
            fingerprint = _fingerprint(source, as_of, latest_data)
            fingerprint_file = folder / "fingerprint.json"
            if (
                fingerprint_file.exists()
                and fingerprint_file.read_text() == fingerprint
                and (folder / ASSESSMENT_SNAPSHOT).exists()
            ):
                return database
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            _copy_raw(source, database)
        _build(folder, database, as_of, latest_data)
        publish_marts(database, folder / ASSESSMENT_SNAPSHOT, f"assessment as of {folder.name}")
        fingerprint_file.write_text(fingerprint)
    return database


def _raw_source(home: KepuHome, folder: Path) -> Path:
    """The DuckDB file whose raw tables the assessment reads: the home's warehouse, or on
    a PostgreSQL server (KEPU_ENGINE=postgres) a copy of the server's raw tables taken in
    one snapshot, beside the assessment's folder."""
    if not on_server():
        return home.warehouse
    from orchestration.postgres import copy_raw_from_server

    return copy_raw_from_server(folder.with_name(f"{folder.name}.server-raw.duckdb"))


def _fingerprint(source: Path, as_of: date, latest_data: bool) -> str:
    """What an assessment's build depends on: the raw rows, the dbt project, the date."""
    with duckdb.connect() as con:
        con.execute(f"attach '{source}' as source (read_only)")
        return json.dumps(
            {
                "raw": raw_signature(con, "source"),
                "dbt_project": dbt_project_digest(),
                "as_of": as_of.isoformat(),
                "latest_data": latest_data,
            },
            default=str,
        )


def _copy_raw(source: Path, database: Path) -> None:
    """The raw tables of `source`, copied into the assessment's own DuckDB file."""
    with duckdb.connect(str(database)) as con:
        con.execute(f"attach '{source}' as source (read_only)")
        con.execute("create schema raw")
        tables = con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'source' and schema_name = 'raw'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table raw.{table} as select * from source.raw.{table}")
        con.execute("detach source")


def _build(folder: Path, database: Path, as_of: date, latest_data: bool) -> None:
    """dbt build of the assessment's file as of `as_of` (and its vintage)."""
    variables = {"as_of": as_of.isoformat()}
    if not latest_data:
        variables["vintage"] = as_of.isoformat()
    command = [
        DBT_EXECUTABLE,
        "build",
        "--quiet",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(folder / "target"),
        "--vars",
        json.dumps(variables),
        "--exclude",
        "test_type:unit",
    ]
    # The profile reads KEPU_WAREHOUSE: this build writes the assessment's own file, a
    # DuckDB file whichever engine holds the warehouse.
    environment = {**os.environ, "KEPU_ENGINE": "duckdb", "KEPU_WAREHOUSE": str(database)}
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dbt build as of {as_of} failed:\n{completed.stdout[-4000:]}")


def vintage_note(as_of: date, latest_data: bool, lang: str) -> str:
    """Which data the assessment used, for the report's cover."""
    key = "assessment.vintage_latest_data" if latest_data else "assessment.vintage_as_received"
    return vocabulary.text(key, lang, as_of=as_of.isoformat())


class AssessmentRefused(ValueError):
    """A request `kepu assess` cannot carry out, said in the user's language."""


def plans_to_assess(
    con: duckdb.DuckDBPyConnection, requested: Sequence[str], as_of: date, lang: str
) -> tuple[list[str], list[str]]:
    """The plans to assess and those `all` skips, read from the warehouse as of `as_of`.

    A plan exists at `as_of` when its registry rows had been received by then (the
    warehouse's vintage) and its period has begun. `all` takes every such plan and names
    the others; a plan named explicitly that does not exist then is refused."""
    existing = [
        plan_id
        for (plan_id,) in con.execute(
            "select plan_id from marts.dim_plan where period_start <= ? order by plan_id",
            [as_of.year],
        ).fetchall()
    ]
    if list(requested) == ["all"]:
        rows = con.execute("select distinct plan_id from raw.plans").fetchall()
        registered = {plan_id for (plan_id,) in rows}
        return existing, sorted(registered - set(existing))
    missing = [plan_id for plan_id in requested if plan_id not in existing]
    if missing:
        raise AssessmentRefused(
            vocabulary.text(
                "assessment.no_such_plan",
                lang,
                plans=vocabulary.listing(missing, lang),
                as_of=as_of.isoformat(),
                known=vocabulary.listing(existing, lang),
            )
        )
    return list(requested), []


def assess(
    home: KepuHome,
    *,
    plan_ids: Sequence[str],
    as_of: date,
    kind: str,
    langs: Sequence[str],
    formats: Sequence[str],
    out_dir: Path | None = None,
    latest_data: bool = False,
    skipped: list[str] | None = None,
) -> list[Path]:
    """Build the warehouse as of `as_of` once, then write each plan's report per language,
    into `out_dir` or, by default, the plan's folder of reports in `home`.

    `plan_ids` may be `["all"]`: every plan that exists at `as_of`; the plans it leaves
    out are appended to `skipped` when given."""
    from orchestration.report import render_assessment

    database = build_assessment_warehouse(home, as_of, latest_data)
    written: list[Path] = []
    with duckdb.connect(str(database), read_only=True) as con:
        plans, left_out = plans_to_assess(con, plan_ids, as_of, langs[0])
        if skipped is not None:
            skipped += left_out
        con.execute("set schema 'marts'")
        for plan_id in plans:
            folder = out_dir or home.plan_reports(plan_id)
            folder.mkdir(parents=True, exist_ok=True)
            for lang in langs:
                written += render_assessment(
                    con,
                    plan_id=plan_id,
                    as_of=as_of,
                    kind=kind,
                    lang=lang,
                    out_dir=folder,
                    formats=formats,
                    vintage_note=vintage_note(as_of, latest_data, lang),
                )
    return written
