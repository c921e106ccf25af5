"""`kepu bench rebuild`: a full rebuild from files to the published snapshot, beside a plain
DuckDB script doing the same work in the same run, and one late county return after it.

The files are those `kepu generate --scale S` writes (made in the bench folder if not
given). Stages, each in a process of its own whose peak memory is the largest resident
set of it and its children (dbt runs as a child), sampled from /proc:

- ours, load: `kepu ingest --no-build` of every file into a fresh home: archive, parse,
  type and check every cell, check against the warehouse, land one file per transaction;
- ours, build: `kepu build`: the Dagster job's dbt build (models and data tests), the
  Great Expectations suites, publishing the snapshot;
- floor, read: the plain script reads the same files: DuckDB's `read_csv` for csv and
  python-calamine for workbooks, every cell as text, nothing checked;
- floor, transform: the plain script computes the same marts: the SQL of every dbt model,
  compiled once by dbt (untimed, as writing the script would be), run table by table in
  dependency order on a copy of our raw tables and seeds, the interval models through the
  same `survey.intervals` functions; no dbt, no Dagster, no tests, no publishing.
  Its marts are compared with ours: same rows, same numbers;
- incremental: one county's 科普统计 return arriving after the full build (a workbook of
  that county's units for the latest year) through `kepu ingest`: load, build, publish.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ingest.home import KepuHome
from orchestration.bench import Stage

SAMPLE_SECONDS = 0.25
GOALS = {"rebuild_over_floor": 2.0, "incremental_share": 0.10, "peak_mb": 2048}


@dataclasses.dataclass(frozen=True)
class BenchResult:
    scale: str
    files: int
    file_mb: float
    rows: dict[str, int]
    load: Stage
    build: Stage
    floor_read: Stage
    floor_transform: Stage
    incremental: Stage
    marts_compared: int
    marts_differing: dict[str, str]
    memory_measure: str = "peak RSS of the stage's process and its children, sampled /proc"

    @property
    def ours_seconds(self) -> float:
        return self.load.seconds + self.build.seconds

    @property
    def floor_seconds(self) -> float:
        return self.floor_read.seconds + self.floor_transform.seconds


def _tree_rss_kb(root: int) -> int:
    """Resident kilobytes of `root` and every descendant (one pass over /proc)."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        sizes[pid] = int(fields[21]) * page_kb
    total, stack = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while stack:
        pid = stack.pop()
        total += sizes.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_measured(argv: Sequence[str], env: dict[str, str] | None = None) -> Stage:
    """Run a command; its wall seconds and the peak resident memory of its process tree.
    A failing command raises with its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise RuntimeError(
            f"{' '.join(argv[:3])}… failed ({process.returncode}):\n{output[-4000:]}"
        )
    return Stage(seconds, peak[0] / 1024)


def _kepu(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *arguments]


def _python(call: str) -> list[str]:
    return [sys.executable, "-c", call]


def floor_read(files: Sequence[Path]) -> dict[str, int]:
    """The plain script's reading: every file's cells as text, nothing checked; the rows
    read by file."""
    import duckdb
    from python_calamine import CalamineWorkbook

    rows = {}
    with duckdb.connect() as con:
        for path in files:
            if path.suffix == ".csv":
                con.execute(
                    "create or replace table cells as select * from "
                    "read_csv(?, all_varchar = true, header = false)",
                    [str(path)],
                )
                rows[path.name] = con.execute("select count(*) from cells").fetchone()[0]
            else:
                book = CalamineWorkbook.from_path(str(path))
                rows[path.name] = sum(
                    len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names
                )
                book.close()
    return rows


def _compiled_models(home: KepuHome, target: Path) -> tuple[list[dict], list[tuple[str, str]]]:
    """Every dbt model with its compiled SQL, in dependency order (dbt compile, untimed),
    and the (schema, table) of every seed."""
    from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    env = {**os.environ, "KEPU_HOME": str(home.root), "DBT_TARGET_PATH": str(target)}
    subprocess.run(
        [DBT_EXECUTABLE, "compile", "--select", "resource_type:model", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        env=env,
        check=True,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    ordered: list[dict] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed:
            return
        placed.add(key)
        for upstream in models[key]["depends_on"]["nodes"]:
            if upstream in models:
                place(upstream)
        ordered.append(models[key])

    for key in sorted(models):
        place(key)
    seeds = [
        (n["schema"], n["alias"] or n["name"])
        for n in manifest["nodes"].values()
        if n["resource_type"] == "seed"
    ]
    return ordered, seeds


def floor_transform(warehouse: Path, models_json: Path, floor_db: Path) -> int:
    """The plain script's transform: our raw tables and seeds copied untimed into a fresh
    database named as ours, then every model's compiled SQL run in order (timed by the
    caller, which times this whole function); the models built."""
    import duckdb

    from orchestration.postgres import INTERVAL_MODELS
    from survey.intervals import typed_like

    models = json.loads(models_json.read_text())
    con = duckdb.connect()
    try:
        con.execute(f"attach '{floor_db}' as {warehouse.stem}")
        con.execute(f"use {warehouse.stem}")
        for model in models:
            schema, name = model["schema"], model["name"]
            con.execute(f"create schema if not exists {schema}")
            if model["language"] == "python":
                upstream, compute = INTERVAL_MODELS[name]
                source = con.sql(f"select * from {schema}.{upstream}")
                typed_like(con, source, compute(source.df()), name).create(f"{schema}.{name}")
                continue
            kind = "view" if model["config"]["materialized"] == "view" else "table"
            con.execute(f"create {kind} {schema}.{name} as {model['compiled_code']}")
        return len(models)
    finally:
        con.close()


def _prepare_floor(home: KepuHome, folder: Path) -> tuple[Path, Path]:
    """The floor's database holding a copy of our raw tables and seeds, and the models'
    compiled SQL in order (both untimed)."""
    import duckdb

    models, seeds = _compiled_models(home, folder / "dbt-target")
    models_json = folder / "models.json"
    models_json.write_text(json.dumps(models))
    floor_db = folder / f"{home.warehouse.stem}.duckdb"
    floor_db.unlink(missing_ok=True)
    with duckdb.connect(str(floor_db)) as con:
        con.execute(f"attach '{home.warehouse}' as ours (read_only)")
        raw = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'ours' and table_schema = 'raw' and table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, name in [*raw, *seeds]:
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{name} as select * from ours.{schema}.{name}")
    return floor_db, models_json


def compare_marts(ours: Path, floor: Path) -> tuple[int, dict[str, str]]:
    """Every mart of our warehouse against the floor's, row by row in one order: the
    marts that differ (same rows; numbers equal to 1e-9 relative, as the same SQL summing
    in another thread order differs in the last digits)."""
    import duckdb
    import numpy as np

    differing = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{ours}' as ours (read_only)")
        con.execute(f"attach '{floor}' as floor (read_only)")
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'ours' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for name in marts:
            left = con.execute(f"select * from ours.marts.{name} order by all").df()
            right = con.execute(f"select * from floor.marts.{name} order by all").df()
            if left.shape != right.shape or list(left.columns) != list(right.columns):
                differing[name] = f"{left.shape} vs {right.shape}"
                continue
            columns = [
                column
                for column in left.columns
                if not (
                    left[column].equals(right[column])
                    or (
                        left[column].dtype.kind == "f"
                        and np.allclose(left[column], right[column], rtol=1e-9, equal_nan=True)
                    )
                )
            ]
            if columns:
                differing[name] = ", ".join(columns)
    return len(marts), differing


def _raw_rows(warehouse: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        return {
            name: con.execute(f"select count(*) from raw.{name}").fetchone()[0]
            for (name,) in tables
        }


def late_county_return(scale: str, seed: int, folder: Path) -> Path:
    """One county's 科普统计 return for the latest calibrated year, as a workbook of its
    own (the first county of the scale's hierarchy; its forms drawn with another seed, as
    a county sending its return late, or again corrected, would)."""
    from generator import kepu_statistics
    from generator.hierarchy import scale_hierarchy

    year = max(kepu_statistics.CALIBRATED_YEARS)
    counties = scale_hierarchy(scale, seed).counties_frame()
    county = counties[counties["year"] == year].drop(columns="year").head(1)
    frames = kepu_statistics.returns(county, [year], seed + 1)
    (path,) = kepu_statistics.write_workbooks(frames, county, folder)
    return path


def run(scale: str, files_dir: Path | None, folder: Path, seed: int) -> BenchResult:
    """Every stage in order, each in a process of its own, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if files_dir is None:
        files_dir = folder / "files"
        if not any(files_dir.glob("*")):
            seeded = ["generate", "--scale", scale, "-o", str(files_dir), "--seed", str(seed)]
            run_measured(_kepu(*seeded))
    files = sorted(p for p in files_dir.iterdir() if p.suffix in (".csv", ".xlsx"))
    home = KepuHome(folder / "home")
    if home.root.exists():
        import shutil

        shutil.rmtree(home.root)
    env = {**os.environ, "KEPU_HOME": str(home.root)}
    load = run_measured(_kepu("ingest", "--no-build", *map(str, files)), env)
    build = run_measured(_kepu("build"), env)
    listed = folder / "files.json"
    listed.write_text(json.dumps([str(p) for p in files]))
    floor_read_stage = run_measured(
        _python(
            "import json, pathlib; from orchestration.bench_rebuild import floor_read; "
            f"floor_read([pathlib.Path(p) for p in json.load(open({str(listed)!r}))])"
        )
    )
    floor_db, models_json = _prepare_floor(home, folder)
    transform = run_measured(
        _python(
            "import pathlib; from orchestration.bench_rebuild import floor_transform; "
            f"floor_transform(pathlib.Path({str(home.warehouse)!r}), "
            f"pathlib.Path({str(models_json)!r}), pathlib.Path({str(floor_db)!r}))"
        )
    )
    compared, differing = compare_marts(home.warehouse, floor_db)
    rows = _raw_rows(home.warehouse)
    late = late_county_return(scale, seed, folder / "late")
    incremental = run_measured(_kepu("ingest", str(late)), env)
    return BenchResult(
        scale=scale,
        files=len(files),
        file_mb=sum(p.stat().st_size for p in files) / (1 << 20),
        rows=rows,
        load=load,
        build=build,
        floor_read=floor_read_stage,
        floor_transform=transform,
        incremental=incremental,
        marts_compared=compared,
        marts_differing=differing,
    )


def write_json(result: BenchResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = dataclasses.asdict(result) | {
        "ours_seconds": result.ours_seconds,
        "floor_seconds": result.floor_seconds,
        "goals": GOALS,
    }
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return path


def report(result: BenchResult) -> str:
    """The table the command prints: each stage beside its floor, the goals' ratios."""
    ratio = result.ours_seconds / result.floor_seconds
    share = result.incremental.seconds / result.ours_seconds
    peak = max(s.peak_rss_mb for s in (result.load, result.build, result.incremental))
    lines = [
        f"full rebuild, {result.scale} scale: {result.files} files, {result.file_mb:,.0f} MB, "
        f"{sum(result.rows.values()):,} raw rows",
        "",
        "| stage | ours s | peak MB | floor stage | floor s | peak MB |",
        "|---|---|---|---|---|---|",
        _row("load (parse, type, check, land)", result.load, "read (cells as text)",
             result.floor_read),
        _row("build (dbt + GX + publish)", result.build, "transform (models' SQL)",
             result.floor_transform),
        f"| **total** | **{result.ours_seconds:,.1f}** | | | **{result.floor_seconds:,.1f}** | |",
        "",
        f"ours ÷ floor: {ratio:.2f} (goal ≤ {GOALS['rebuild_over_floor']:.0f})",
        f"one late county return (load + build + publish): {result.incremental.seconds:,.1f} s, "
        f"{share:.1%} of the full rebuild (goal ≤ {GOALS['incremental_share']:.0%}), "
        f"peak {result.incremental.peak_rss_mb:,.0f} MB",
        f"peak memory of our stages: {peak:,.0f} MB (goal ≤ {GOALS['peak_mb']:,} MB)",
        f"marts compared with the floor's: {result.marts_compared}, differing: "
        + (", ".join(f"{k} ({v})" for k, v in result.marts_differing.items()) or "none"),
        f"memory: {result.memory_measure}",
    ]  # fmt: skip
    return "\n".join(lines)


def _row(name: str, stage: Stage, floor_name: str, floor: Stage) -> str:
    return (
        f"| {name} | {stage.seconds:,.1f} | {stage.peak_rss_mb:,.0f} | {floor_name} | "
        f"{floor.seconds:,.1f} | {floor.peak_rss_mb:,.0f} |"
    )


def default_folder() -> Path:
    return Path(tempfile.gettempdir()) / "kepu-bench-rebuild"
