"""Assessments as of a date: the warehouse rebuilt from what was known then, then reported.

An assessment copies the raw tables (append-only: corrections are new loads) into its own
DuckDB file and runs the dbt project on it with `as_of` (only periods up to that date)
and `vintage` (only loads received by that date, unless the evaluator asks for the
latest data). Regenerating a 2023 assessment in 2025 therefore gives the 2023 numbers,
whatever corrections were loaded since.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from ingest.home import KepuHome
from orchestration.defs.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.publish import publish_marts

KINDS = ("midterm", "final", "monitoring")
SNAPSHOT = "snapshot.duckdb"  # the assessment's marts, published for the dashboard


def assessment_dir(home: KepuHome, as_of: date, latest_data: bool) -> Path:
    return home.root / "assessments" / f"{as_of.isoformat()}{'-latest' if latest_data else ''}"


def build_assessment_warehouse(home: KepuHome, as_of: date, latest_data: bool) -> Path:
    """A DuckDB file with the marts as of `as_of`, built by dbt from a copy of raw."""
    folder = assessment_dir(home, as_of, latest_data)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = folder / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"attach '{home.warehouse}' as source (read_only)")
        con.execute("create schema raw")
        tables = con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'source' and schema_name = 'raw'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table raw.{table} as select * from source.raw.{table}")
        con.execute("detach source")
    variables = {"as_of": as_of.isoformat()}
    if not latest_data:
        variables["vintage"] = as_of.isoformat()
    completed = subprocess.run(
        [DBT_EXECUTABLE, "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(folder / "target"),
         "--vars", json.dumps(variables), "--exclude", "test_type:unit"],
        env={**os.environ, "KEPU_WAREHOUSE": str(database)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"dbt build as of {as_of} failed:\n{completed.stdout[-4000:]}")
    publish_marts(database, folder / SNAPSHOT, f"assessment as of {folder.name}")
    return database


def vintage_note(as_of: date, latest_data: bool) -> tuple[str, str]:
    if latest_data:
        return (
            f"数据截至{as_of.isoformat()}所属期间；采用报告生成时已入库的最新数据（含之后的更正）。",
            f"Periods up to {as_of.isoformat()}; the latest data loaded when the report "
            "was generated, including later corrections.",
        )
    return (
        f"数据截至{as_of.isoformat()}：仅使用该日期前报送入库的数据及所属期间。",
        f"Data as of {as_of.isoformat()}: only periods up to that date and only data "
        "received by then.",
    )


def assess(
    home: KepuHome,
    *,
    plan_ids: Sequence[str],
    as_of: date,
    kind: str,
    langs: Sequence[str],
    formats: Sequence[str],
    out_dir: Path,
    latest_data: bool = False,
) -> list[Path]:
    """Build the warehouse as of `as_of` once, then write each plan's report per language."""
    from orchestration.report import render_assessment

    database = build_assessment_warehouse(home, as_of, latest_data)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute("set schema 'marts'")
        known = {row[0] for row in con.execute("select plan_id from dim_plan").fetchall()}
        unknown = sorted(set(plan_ids) - known)
        if unknown:
            raise KeyError(f"no plan {', '.join(unknown)} as of {as_of}; known: {sorted(known)}")
        for plan_id in plan_ids:
            for lang in langs:
                note = vintage_note(as_of, latest_data)[0 if lang == "zh" else 1]
                written += render_assessment(
                    con, plan_id=plan_id, as_of=as_of, kind=kind, lang=lang,
                    out_dir=out_dir, formats=formats, vintage_note=note,
                )  # fmt: skip
    return written
