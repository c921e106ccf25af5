"""`kepu bench rebuild`: a full rebuild from files to the published snapshot, beside a plain
DuckDB script doing the same work in the same run, and one late county return after it.

The files are those `kepu generate --scale S` writes (made in the bench folder if not
given). Stages, each in a process of its own whose peak memory is the largest resident
set of it and its children (dbt runs as a child), sampled from /proc:

- ours, load: `kepu ingest --no-build` of every file into a fresh home: archive, parse,
  type and check every cell, check against the warehouse, land one file per transaction;
- ours, build: `kepu build`: the raw tables' Great Expectations suites on every load
  (none has passed them yet), the Dagster job's dbt build (models, data and unit tests)
  and publishing the snapshot;
- floor, read: the plain script reads the same files: DuckDB's `read_csv` for csv and
  python-calamine for workbooks, every cell as text, nothing checked;
- floor, transform: the plain script computes the same marts: the SQL of every dbt model,
  compiled once by dbt (untimed, as writing the script would be), run table by table in
  dependency order on a copy of our raw tables and seeds, the interval models through the
  same `survey.intervals` functions; no dbt, no Dagster, no tests, no publishing.
  Its marts are compared with ours: same rows, same numbers;
- incremental: one county's 科普统计 return arriving after the full build (a workbook of
  that county's units for the latest year) through `kepu ingest`: load, build, publish.

With `engine` postgres (or both) the same files and the same late return go through the
same commands with KEPU_ENGINE=postgres, into a database of the bench's own
(`BENCH_DATABASE`, made anew) on the server the KEPU_POSTGRES_* environment names, else on
a throw-away cluster the bench starts and removes (`pg_cluster`). On its own cluster the
server's processes are sampled too (the postmaster's tree, by proportional set size so
that the shared buffers every backend maps count once); a server named by the environment
may be on another machine, and its memory is not measured. The server's published marts
are copied into a DuckDB file and compared by `compare_marts` with DuckDB's (or, without
a DuckDB run, the floor's).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.home import KepuHome
from orchestration.bench import Stage

if TYPE_CHECKING:  # annotations only
    import pandas as pd

SAMPLE_SECONDS = 0.25
GOALS = {"rebuild_over_floor": 2.0, "incremental_share": 0.10, "peak_mb": 2048}
ENGINES = ("duckdb", "postgres", "both")
BENCH_DATABASE = "kepu_bench_rebuild"
# Facts of each engine's own load of the files, not computed from them: when it ran and
# where its home archived the file. Set aside when the server's marts are compared.
LOAD_EVENT_COLUMNS = ("loaded_at", "archived_path")


@dataclasses.dataclass(frozen=True)
class ServerRebuild:
    """The same rebuild on PostgreSQL: the server it ran on, its stages, its marts
    compared with DuckDB's (or the floor's when DuckDB did not run)."""

    server: str
    memory_measure: str
    load: Stage
    build: Stage
    incremental: Stage
    marts_compared_with: str
    marts_compared: int
    marts_differing: dict[str, str]

    @property
    def seconds(self) -> float:
        return self.load.seconds + self.build.seconds


@dataclasses.dataclass(frozen=True)
class BenchResult:
    scale: str
    files: int
    file_mb: float
    rows: dict[str, int]
    load: Stage | None  # DuckDB's stages: None when only the server's ran
    build: Stage | None
    floor_read: Stage
    floor_transform: Stage
    incremental: Stage | None
    marts_compared: int  # DuckDB's marts (or the server's) compared with the floor's
    marts_differing: dict[str, str]
    memory_measure: str = "peak RSS of the stage's process and its children, sampled /proc"
    postgres: ServerRebuild | None = None

    @property
    def ours_seconds(self) -> float | None:
        return None if self.load is None else self.load.seconds + self.build.seconds

    @property
    def floor_seconds(self) -> float:
        return self.floor_read.seconds + self.floor_transform.seconds


def _trees_kb(root: int, server: int | None = None) -> int:
    """Resident kilobytes of `root` and every descendant (one pass over /proc), plus the
    proportional set size of `server` and its descendants when given."""
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
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total = sum(sizes.get(pid, 0) for pid in _descendants(root, children))
    if server is not None:
        total += sum(map(_pss_kb, _descendants(server, children)))
    return total


def _descendants(root: int, children: dict[int, list[int]]) -> Iterator[int]:
    stack = [root]
    while stack:
        pid = stack.pop()
        yield pid
        stack.extend(children.get(pid, []))


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: its shared pages divided among their sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass  # ended between the listing and the reading
    return 0


def run_measured(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    server: int | None = None,
    name: str = "",
) -> Stage:
    """Run a command; its wall seconds and the peak resident memory of its process tree,
    with the tree of the server process `server` when given (a database the command
    uses). A failing command raises with its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], _trees_kb(process.pid, server))

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
    stage = Stage(seconds, peak[0] / 1024)
    # a line per stage as it ends: a national run takes hours, and one stopped before its
    # report still leaves what it measured in its log
    said = name or " ".join(a for a in argv[3:5] if not a.startswith("/"))
    said += f" ({env['KEPU_ENGINE']})" if env and "KEPU_ENGINE" in env else ""
    print(f"  {said}: {stage.seconds:,.1f} s, peak {stage.peak_rss_mb:,.0f} MB", file=sys.stderr)
    return stage


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
    and the (schema, table) of every seed. Compiled as a full refresh: an incremental
    model's SQL then computes its whole table, as the plain script needs."""
    from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    env = {**os.environ, "KEPU_HOME": str(home.root), "DBT_TARGET_PATH": str(target)}
    subprocess.run(
        [DBT_EXECUTABLE, "compile", "--select", "resource_type:model", "--full-refresh", "--quiet"],
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

    from orchestration.postgres import INTERVAL_MODELS, interval_function
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
                upstream, compute = INTERVAL_MODELS[name][0], interval_function(name)
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


def compare_marts(
    ours: Path, floor: Path, set_aside: Collection[str] = ()
) -> tuple[int, dict[str, str]]:
    """Every mart of our warehouse against the floor's, row by row in one order, but for
    the columns `set_aside`: the marts that differ (same rows; numbers equal to 1e-9
    relative, as the same SQL summing in another thread order differs in the last
    digits)."""
    import duckdb
    import numpy as np

    differing = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{ours}' as ours (read_only)")
        con.execute(f"attach '{floor}' as floor (read_only)")
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = 'ours' and table_schema = 'marts' "
            "order by table_name, ordinal_position"
        ).fetchall()
        marts: dict[str, list[str]] = {}
        for name, column in columns:
            marts.setdefault(name, [])
            if column not in set_aside:
                marts[name].append(f'"{column}"')
        for name, kept in marts.items():
            select = f"select {', '.join(kept)} from {{}}.marts.{name} order by all"
            left = con.execute(select.format("ours")).df()
            try:
                right = con.execute(select.format("floor")).df()
            except duckdb.Error as error:  # a mart or a column missing
                differing[name] = str(error).splitlines()[0]
                continue
            if left.shape != right.shape:
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
    return county_return(county, seed + 1, folder)


def county_return(county: pd.DataFrame, seed: int, folder: Path) -> Path:
    """The 科普统计 return of `county` (one row: `generator.kepu_statistics.returns`) for
    the latest calibrated year, drawn with `seed`, as a workbook of its own in `folder`."""
    from generator import kepu_statistics

    year = max(kepu_statistics.CALIBRATED_YEARS)
    frames = kepu_statistics.returns(county, [year], seed)
    (path,) = kepu_statistics.write_workbooks(frames, county, folder)
    return path


def run(
    scale: str, files_dir: Path | None, folder: Path, seed: int, engine: str = "duckdb"
) -> BenchResult:
    """Every stage in order, each in a process of its own, in `folder`: the rebuild on
    DuckDB and on the server, the floor, the marts compared, the late return on each."""
    from orchestration.postgres import copy_raw_from_server

    assert engine in ENGINES, engine
    folder.mkdir(parents=True, exist_ok=True)
    if files_dir is None:
        files_dir = folder / "files"
        if not any(files_dir.glob("*")):
            seeded = ["generate", "--scale", scale, "-o", str(files_dir), "--seed", str(seed)]
            run_measured(_kepu(*seeded))
    files = sorted(p for p in files_dir.iterdir() if p.suffix in (".csv", ".xlsx"))
    late = late_county_return(scale, seed, folder / "late")
    home = _fresh_home(folder / "home")
    env = {**os.environ, "KEPU_HOME": str(home.root), "KEPU_ENGINE": "duckdb"}
    on_duckdb = engine != "postgres"
    with contextlib.ExitStack() as stack:
        load, build = _rebuild(files, env) if on_duckdb else (None, None)
        server = stack.enter_context(_server()) if engine != "duckdb" else None
        if server:
            server_env = {
                **os.environ, **server.environ, "KEPU_ENGINE": "postgres",
                "KEPU_HOME": str(_fresh_home(folder / "home-postgres").root),
            }  # fmt: skip
            load_pg, build_pg = _rebuild(files, server_env, server.postmaster)
            if not on_duckdb:  # the floor's raw tables and seeds: the server's
                copy_raw_from_server(home.ensure().warehouse, server.environ)
                _seed(home)
        floor_read_stage, transform, floor_db = _floor(home, files, folder)
        compared, differing = compare_marts(home.warehouse, floor_db) if on_duckdb else (0, {})
        rows = _raw_rows(home.warehouse)
        if server:  # both full rebuilds, before either late return
            reference = home.warehouse if on_duckdb else floor_db
            copied = server_marts(reference, server.environ, folder / "server_marts.duckdb")
            compared_pg, differing_pg = compare_marts(reference, copied, LOAD_EVENT_COLUMNS)
        incremental = run_measured(_kepu("ingest", str(late)), env) if on_duckdb else None
        postgres = None
        if server:
            postgres = ServerRebuild(
                server=server.said,
                memory_measure=(
                    "the client's process tree (RSS) and the server's (PSS)"
                    if server.postmaster
                    else "the client's process tree only: the server's memory is not measured"
                ),
                load=load_pg,
                build=build_pg,
                incremental=run_measured(_kepu("ingest", str(late)), server_env, server.postmaster),
                marts_compared_with="duckdb" if on_duckdb else "floor",
                marts_compared=compared_pg,
                marts_differing=differing_pg,
            )
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
        postgres=postgres,
    )


def _rebuild(
    files: Sequence[Path], env: Mapping[str, str], server: int | None = None
) -> tuple[Stage, Stage]:
    """Our load of every file, then our build, on the engine `env` names."""
    load = run_measured(_kepu("ingest", "--no-build", *map(str, files)), env, server)
    return load, run_measured(_kepu("build"), env, server)


def _floor(home: KepuHome, files: Sequence[Path], folder: Path) -> tuple[Stage, Stage, Path]:
    """The plain script's two stages on the same files and on `home`'s raw tables; its
    database."""
    listed = folder / "files.json"
    listed.write_text(json.dumps([str(p) for p in files]))
    read = run_measured(
        _python(
            "import json, pathlib; from orchestration.bench_rebuild import floor_read; "
            f"floor_read([pathlib.Path(p) for p in json.load(open({str(listed)!r}))])"
        ),
        name="floor read",
    )
    floor_db, models_json = _prepare_floor(home, folder)
    transform = run_measured(
        _python(
            "import pathlib; from orchestration.bench_rebuild import floor_transform; "
            f"floor_transform(pathlib.Path({str(home.warehouse)!r}), "
            f"pathlib.Path({str(models_json)!r}), pathlib.Path({str(floor_db)!r}))"
        ),
        name="floor transform",
    )
    return read, transform, floor_db


def _fresh_home(root: Path) -> KepuHome:
    if root.exists():
        import shutil

        shutil.rmtree(root)
    return KepuHome(root)


@dataclasses.dataclass(frozen=True)
class Server:
    environ: dict[str, str]  # KEPU_POSTGRES_* of the bench's own database
    postmaster: int | None  # when the bench started the server
    said: str


@contextlib.contextmanager
def _server(environ: Mapping[str, str] = os.environ) -> Iterator[Server]:
    """The server the environment names (KEPU_POSTGRES_HOST set), else a throw-away
    cluster, with a database of the bench's own made anew on it."""
    from ingest.engine import connect, connection_settings
    from orchestration.pg_cluster import throwaway_cluster

    with contextlib.ExitStack() as stack:
        if environ.get("KEPU_POSTGRES_HOST"):
            named = {k: v for k, v in environ.items() if k.startswith("KEPU_POSTGRES_")}
            settings = connection_settings(named)
            said = f"the server KEPU_POSTGRES_* names ({settings['host']}:{settings['port']})"
            postmaster = None
        else:
            cluster = stack.enter_context(throwaway_cluster())
            named, postmaster = cluster.environ, cluster.postmaster_pid
            said = f"a throw-away cluster the bench started ({_server_version()})"
        with connect(named) as con:
            con.autocommit = True
            con.execute(f"drop database if exists {BENCH_DATABASE}")
            con.execute(f"create database {BENCH_DATABASE}")
        yield Server({**named, "KEPU_POSTGRES_DATABASE": BENCH_DATABASE}, postmaster, said)


def _server_version() -> str:
    from orchestration.pg_cluster import binary

    version = subprocess.run([binary("postgres"), "--version"], capture_output=True, text=True)
    return version.stdout.strip()


def _seed(home: KepuHome) -> None:
    """dbt's seeds into `home`'s warehouse (the floor copies them with the raw tables)."""
    from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    env = {**os.environ, "KEPU_HOME": str(home.root), "KEPU_ENGINE": "duckdb"}
    env["KEPU_WAREHOUSE"] = str(home.warehouse)
    subprocess.run([DBT_EXECUTABLE, "seed", "--quiet"], cwd=DBT_PROJECT_DIR, env=env, check=True)


def server_marts(reference: Path, environ: Mapping[str, str], target: Path) -> Path:
    """The server's published marts copied into a new DuckDB file `target`, each table
    with the columns and types of the same mart in the DuckDB warehouse `reference`."""
    import duckdb

    from ingest.engine import connect
    from ingest.store import copy_from_server
    from orchestration.postgres import table_columns
    from orchestration.publish import MARTS_SCHEMA

    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as local, connect(environ) as con:
        local.execute(f"attach '{reference}' as reference (read_only)")
        local.execute(f"create schema {MARTS_SCHEMA}")
        for table, typed in table_columns(local, MARTS_SCHEMA, "reference").items():
            defined = ", ".join(f'"{name}" {kind}' for name, kind in typed.items())
            local.execute(f"create table {MARTS_SCHEMA}.{table} ({defined})")
            copy_from_server(con, f"{MARTS_SCHEMA}.{table}", local, typed)
    return target


def write_json(result: BenchResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = dataclasses.asdict(result) | {
        "ours_seconds": result.ours_seconds,
        "floor_seconds": result.floor_seconds,
        "postgres_seconds": result.postgres.seconds if result.postgres else None,
        "goals": GOALS,
    }
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return path


def report(result: BenchResult) -> str:
    """The table the command prints: each stage on each engine beside its floor, the
    goals' ratios."""
    server = result.postgres
    engines = [("DuckDB", result.load, result.build, result.incremental)] if result.load else []
    if server:
        engines.append(("PostgreSQL", server.load, server.build, server.incremental))
    peak = max(s.peak_rss_mb for _, *stages in engines for s in stages)
    head = "".join(f" {name} s | peak MB |" for name, *_ in engines)
    lines = [
        f"full rebuild, {result.scale} scale: {result.files} files, {result.file_mb:,.0f} MB, "
        f"{sum(result.rows.values()):,} raw rows",
        "",
        f"| stage |{head} floor stage | floor s | peak MB |",
        "|---|" + "---|---|" * len(engines) + "---|---|---|",
        _row("load (parse, type, check, land)", [e[1] for e in engines],
             "read (cells as text)", result.floor_read),
        _row("build (dbt + tests + publish)", [e[2] for e in engines],
             "transform (models' SQL)", result.floor_transform),
        "| **total** |" + "".join(f" **{e[1].seconds + e[2].seconds:,.1f}** | |" for e in engines)
        + f" | **{result.floor_seconds:,.1f}** | |",
        _row("one late county return (load + build + publish)", [e[3] for e in engines], "", None),
        "",
    ]  # fmt: skip
    for name, load, build, incremental in engines:
        total = load.seconds + build.seconds
        lines += [
            f"{name} ÷ floor: {total / result.floor_seconds:.2f} "
            f"(goal ≤ {GOALS['rebuild_over_floor']:.0f}); late return "
            f"{incremental.seconds / total:.1%} of its full rebuild "
            f"(goal ≤ {GOALS['incremental_share']:.0%})"
        ]
    lines.append(f"peak memory of our stages: {peak:,.0f} MB (goal ≤ {GOALS['peak_mb']:,} MB)")
    if result.load:
        lines.append(
            f"DuckDB's marts compared with the floor's: {result.marts_compared}, differing: "
            + _differing(result.marts_differing)
        )
    if server:
        lines += [
            f"PostgreSQL's published marts compared with {server.marts_compared_with}'s: "
            f"{server.marts_compared}, differing: " + _differing(server.marts_differing),
            f"PostgreSQL server: {server.server}; its memory: {server.memory_measure}",
        ]
    lines.append(f"memory: {result.memory_measure}")
    return "\n".join(lines)


def _differing(marts: dict[str, str]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in marts.items()) or "none"


def _row(name: str, stages: list[Stage], floor_name: str, floor: Stage | None) -> str:
    ours = "".join(f" {s.seconds:,.1f} | {s.peak_rss_mb:,.0f} |" for s in stages)
    floor_cells = f" {floor.seconds:,.1f} | {floor.peak_rss_mb:,.0f} |" if floor else " | |"
    return f"| {name} |{ours} {floor_name} |{floor_cells}"


def default_folder() -> Path:
    return Path(tempfile.gettempdir()) / "kepu-bench-rebuild"
