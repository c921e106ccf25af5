"""The warehouse on a PostgreSQL server (issue 13): the raw tables copied in, the dbt
project built there.

The loader lands files on the server itself (`ingest/store.py`). `copy_raw_tables` moves
the raw tables of an existing DuckDB warehouse into the server's `raw` schema (COPY, one
transaction under the loader's lock: a reader sees all of them or none).

dbt-postgres runs no Python models, and the survey intervals need t and beta quantiles
that SQL does not have. On PostgreSQL the build therefore runs in three steps: dbt up to
the interval models, the intervals computed by `survey.intervals` (the functions the
DuckDB Python models call: one code path for the numbers) and written as the two
interval tables, then dbt for everything downstream of them. Every step writes into the
build's own schemas (`marts_build_…`), which `postgres_publish` switches into place.

A late file's run (`orchestration.incremental`) builds only the models downstream of the
tables it fills, when the published layers are a whole build of this code and no load has
landed since that build began but this run's (`partial_base`, `still_extends`): the other
models keep their published schema (the dbt var `published_nodes`), so that the models it
builds read them there, and publishing moves them into the new layers.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import psycopg

from expectations.tables import (
    BATCH_ROWS,
    PASSES_DDL,
    PendingRows,
    not_passed,
    pending_rows,
    pending_sql,
    record_sql,
)
from ingest.engine import connect, duckdb_config, open_connection
from ingest.load import raw_table_ddl
from ingest.store import (
    LOAD_LOCK_KEY,
    array_literal,
    copy_from_server,
    copy_to_server,
    postgres_type,
)
from orchestration.defs.project import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    built_nodes,
    manifest,
    project_digest,
)

RAW_SCHEMA = "raw"
INTERMEDIATE_SCHEMA = "intermediate"
# dbt's artifacts of a build run here: the DuckDB manifest Dagster reads stays as it is.
TARGET_PATH = DBT_PROJECT_DIR / "target" / "postgres"
# The schemas dbt writes (dbt_project.yml's `+schema`s): a build writes them all anew.
LAYERS = ("rules", "staging", "intermediate", "marts")
# pg_advisory_lock(BUILD_LOCK_CLASS, hashtext(suffix)): held by the process running a
# build's step, from the claim until it is published or dropped (or the process ends)
# ('kepb' in ASCII; the loader's and publishing's keys are single bigints, a separate
# space of keys).
BUILD_LOCK_CLASS = 0x6B657062
# One row per build under way: the Dagster run whose steps carry it from one process to
# the next, or null when one process holds the lock from the build to its publication.
CLAIMS = "builds.claims"
# One row: the build the published layers are (written by publishing), the digest of the
# code that built it and the last load it was built from (`load_watermark`).
PUBLISHED = "builds.published"
# A claim naming a run is kept while Dagster says the run is in progress, but no longer
# than this many hours: a run whose worker was killed may stay "started" for ever.
CLAIM_HOURS_SETTING = "KEPU_BUILD_CLAIM_HOURS"
DEFAULT_CLAIM_HOURS = 24.0
# Dagster's executors that run every step of a run in one process (`kepu build` and
# `kepu ingest` execute in process): the lock held by that process spans the run.
ONE_PROCESS_EXECUTORS = {"execute_in_process_executor", "in_process"}
# A build's schema: a layer and the build's suffix (`build_suffix`).
BUILD_SCHEMA = re.compile(rf"^(?:{'|'.join(LAYERS)})(_build_[a-z0-9]+)$")
# The sessions holding the locks of the builds this process is running, by suffix.
_CLAIMED: dict[str, psycopg.Connection] = {}
# The Python models, computed here instead on PostgreSQL: the model each reads from and
# the function of survey.intervals computing it (`interval_function`).
INTERVAL_MODELS = {
    "int_survey_intervals": ("int_survey_estimates", "add_intervals"),
    "int_survey_gap_intervals": ("int_survey_gaps", "add_gap_intervals"),
}


def interval_function(model: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """survey.intervals' function computing the interval model `model`, imported only
    when intervals are computed: it imports scipy (2-3 s), and every process that loads
    the definitions imports this module."""
    from survey import intervals

    return getattr(intervals, INTERVAL_MODELS[model][1])


def copy_raw_tables(warehouse: Path, environ: Mapping[str, str] = os.environ) -> dict[str, int]:
    """Replace the server's `raw` schema with the raw tables of a DuckDB warehouse, in one
    transaction; the rows copied, by table."""
    source = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            name
            for (name,) in source.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [RAW_SCHEMA],
            ).fetchall()
        ]
        copied = {}
        with connect(environ) as con, con.transaction():
            # no load lands on the server while its raw schema is replaced
            con.execute("select pg_advisory_xact_lock(%s)", [LOAD_LOCK_KEY])
            con.execute(f"drop schema if exists {RAW_SCHEMA} cascade")
            con.execute(f"create schema {RAW_SCHEMA}")
            for table in tables:
                copied[table] = _copy_table(source, con, table)
                # the planner's statistics: without them it plans every table as tiny
                con.execute(f'analyze {RAW_SCHEMA}."{table}"')
        return copied
    finally:
        source.close()


def table_columns(
    con: duckdb.DuckDBPyConnection, schema: str, catalog: str | None = None
) -> dict[str, dict[str, str]]:
    """Each table of `schema` (in `catalog`, else the current database) and its columns'
    DuckDB types, in order: what rows copied from the server are typed by."""
    in_catalog = "table_catalog = ?" if catalog else "table_catalog = current_database()"
    columns = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        f"where {in_catalog} and table_schema = ? order by table_name, ordinal_position",
        [catalog, schema] if catalog else [schema],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in columns:
        tables.setdefault(table, {})[column] = kind
    return tables


def _raw_types(local: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every raw table created in `local` as the loader makes it (`raw_table_ddl`), and
    its columns' DuckDB types, in order: what the server's rows are copied into."""
    local.execute(raw_table_ddl())
    return table_columns(local, RAW_SCHEMA)


def copy_raw_from_server(target: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """The server's raw tables copied into a new DuckDB file `target` (replaced), all read
    in one snapshot of the server: what reads raw rows on DuckDB (assessments as of a
    date) reads this file."""
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as local, connect(environ) as con:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        on_server = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                [RAW_SCHEMA],
            ).fetchall()
        }
        for table, typed in _raw_types(local).items():
            if table in on_server:
                copy_from_server(con, f'{RAW_SCHEMA}."{table}"', local, typed)
    return target


# The advisory lock under which the table of suite passes is made on the server: not the
# loader's, which a load holds.
PASSES_LOCK_KEY = LOAD_LOCK_KEY + 1


def create_passes(con: psycopg.Connection) -> None:
    """The server's table of suite passes, where missing (under a lock of its own:
    concurrent CREATE ... IF NOT EXISTS can collide)."""
    with con.transaction():
        con.execute("select pg_advisory_xact_lock(%s)", [PASSES_LOCK_KEY])
        for ddl in PASSES_DDL:
            con.execute(ddl)


@contextlib.contextmanager
def server_pending(
    table: str,
    suite: str,
    environ: Mapping[str, str] = os.environ,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[PendingRows]:
    """The server's rows of raw `table` that have not passed `suite`, for the Great
    Expectations suites: copied once (one COPY, one scan, one snapshot) into a DuckDB file
    of its own that spills to disk within the engine's memory limit, and read in batches
    there, as the DuckDB warehouse's rows are; the loads that pass recorded on the server.
    Asking the server for each batch scanned the table once per batch: 48 scans of the
    national survey responses."""
    relation = f'{RAW_SCHEMA}."{table}"'
    with (
        tempfile.TemporaryDirectory(prefix="kepu-gx-") as folder,
        duckdb.connect(str(Path(folder) / "copied.duckdb"), config=duckdb_config()) as local,
        connect(environ) as con,
    ):
        # one scan of the server's table: its rows of loads not passed, counted here
        copy_from_server(
            con, relation, local, _raw_types(local)[table], not_passed(relation, table, suite)
        )
        con.commit()
        pending = local.execute(pending_sql(relation)).fetchall()

        def record(loads: list[tuple[int, int]]) -> None:
            if loads:
                with con.transaction():
                    con.execute(record_sql(table, suite, loads))

        yield pending_rows(local, relation, pending, record, batch_rows)


def _copy_table(source: duckdb.DuckDBPyConnection, con: psycopg.Connection, table: str) -> int:
    """One raw table: created with PostgreSQL's types, its rows streamed by COPY
    (`ingest.store.copy_to_server`, the loader's own); the rows copied."""
    relation = source.table(f"{RAW_SCHEMA}.{table}")
    named = list(zip(relation.columns, map(str, relation.types), strict=True))
    columns = ", ".join(f'"{name}" {postgres_type(kind)}' for name, kind in named)
    con.execute(f'create table {RAW_SCHEMA}."{table}" ({columns})')
    values = ", ".join(
        array_literal(name) if kind.endswith("[]") else f'"{name}"' for name, kind in named
    )
    query = f'select {values} from {RAW_SCHEMA}."{table}"'
    copy_to_server(source, query, con, f'{RAW_SCHEMA}."{table}"', [n for n, _ in named])
    return source.execute(f'select count(*) from {RAW_SCHEMA}."{table}"').fetchone()[0]


def dbt(arguments: list[str], environ: Mapping[str, str] = os.environ) -> None:
    """One dbt command on the `postgres` target; raises when it fails."""
    subprocess.run(
        [DBT_EXECUTABLE, *arguments],
        cwd=DBT_PROJECT_DIR,
        env={**environ, "KEPU_ENGINE": "postgres", "DBT_TARGET_PATH": str(TARGET_PATH)},
        check=True,
    )


def build_suffix(build_id: str) -> str:
    """The suffix of the schemas one build writes (marts_build_1a2b3c4d): its own, so that
    the published layers stay as they are until publishing renames it into place."""
    return "_build_" + "".join(c for c in build_id.lower() if c.isalnum())[:12]


def build_steps(
    suffix: str, selected: set[str] | None = None
) -> tuple[list[str] | None, list[str] | None]:
    """The two dbt builds around the intervals: up to the interval models, then everything
    downstream of them; into the schemas ending in `suffix`. With `selected` (the names of
    the models and seeds a late file's run builds) only those, the others read where they
    are published; a step with nothing to build is None.

    Unit tests are DuckDB's: their fixtures are written in its SQL (list literals), and
    they test the logic, which the comparison of the marts covers on PostgreSQL."""
    variables: dict[str, object] = {"build_schema_suffix": suffix}
    if selected is not None:
        nodes, _ = project_graph()
        variables["published_nodes"] = sorted(set(nodes.values()) - selected)
    build = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps(variables),
    ]
    if selected is None:
        # one argument each, the models separated by spaces (dbt's union): dagster-dbt
        # takes one value after --select or --exclude
        intervals = " ".join(INTERVAL_MODELS)
        downstream = " ".join(f"{model}+" for model in INTERVAL_MODELS)
        return (
            [*build, "--exclude", downstream],
            [*build, "--select", downstream, "--exclude", intervals],
        )
    after_intervals = downstream_of(set(INTERVAL_MODELS))
    before = sorted(selected - after_intervals)
    after = sorted(selected & after_intervals - set(INTERVAL_MODELS))
    return (
        [*build, "--select", " ".join(before)] if before else None,
        [*build, "--select", " ".join(after)] if after else None,
    )


def project_graph() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The project's models, seeds and snapshots (unique id: name) and every node's
    children, from the manifest the definitions were made from."""
    nodes = {unique_id: node["name"] for unique_id, node in built_nodes().items()}
    return nodes, manifest()["child_map"]


def downstream_of(names: set[str]) -> set[str]:
    """The models `names` name and every model, seed or snapshot built from them."""
    nodes, children = project_graph()
    todo = [unique_id for unique_id, name in nodes.items() if name in names]
    reached: set[str] = set()
    while todo:
        unique_id = todo.pop()
        if unique_id in reached or unique_id not in nodes:
            continue
        reached.add(unique_id)
        todo.extend(children.get(unique_id, ()))
    return {nodes[unique_id] for unique_id in reached}


def write_all_intervals(
    suffix: str, selected: set[str] | None = None, environ: Mapping[str, str] = os.environ
) -> None:
    """The interval tables of the build's intermediate schema (those `selected`, when a
    late file's run builds some models), in one transaction."""
    with connect(environ) as con, con.transaction():
        for model, (upstream, _) in INTERVAL_MODELS.items():
            if selected is not None and model not in selected:
                continue
            built = selected is None or upstream in selected
            source = INTERMEDIATE_SCHEMA + (suffix if built else "")
            con.execute(f"create schema if not exists {INTERMEDIATE_SCHEMA}{suffix}")
            compute = interval_function(model)
            write_intervals(con, INTERMEDIATE_SCHEMA + suffix, model, upstream, compute, source)


def build(build_id: str, environ: Mapping[str, str] = os.environ) -> str:
    """`dbt build` on the server into the build's own schemas: up to the interval models,
    the intervals, the rest; the schemas' suffix. A failed build drops its schemas."""
    suffix = build_suffix(build_id)
    claim_build(suffix, environ)
    start_build(suffix, None, environ)
    before, after = build_steps(suffix)
    try:
        dbt(before, environ)
        write_all_intervals(suffix, environ=environ)
        dbt(after, environ)
    except BaseException:
        drop_build(suffix, environ)
        raise
    return suffix


def last_load(con: psycopg.Connection) -> int:
    """The last load landed on the server (load ids only grow: `ingest.store`), 0 for none."""
    if con.execute("select to_regclass('raw.load_audit')").fetchone()[0] is None:
        return 0
    return con.execute("select coalesce(max(load_id), 0) from raw.load_audit").fetchone()[0]


def start_build(suffix: str, extends: str | None, environ: Mapping[str, str] = os.environ) -> None:
    """Record in the build's claim, before dbt reads a raw row, the last load it is built
    from and the published build it extends (a late file's run of some models), or none."""
    with connect(environ) as con:
        con.execute(
            f"update {CLAIMS} set extends = %s, load_watermark = %s where suffix = %s",
            [extends, last_load(con), suffix],
        )


def build_record(con: psycopg.Connection, suffix: str) -> tuple[str | None, int | None]:
    """The published build the build `suffix` extends (None: it built every model) and the
    last load it was built from (None: not recorded)."""
    row = con.execute(
        f"select extends, load_watermark from {CLAIMS} where suffix = %s", [suffix]
    ).fetchone()
    return row if row else (None, None)


def partial_base(environ: Mapping[str, str] = os.environ) -> str | None:
    """The published build a late file's run may extend: the published layers are a whole
    build of this code and no load has landed since it began. None otherwise."""
    with connect(environ) as con:
        published = _published_build(con)
        if published is None:
            return None
        build_id, digest, watermark = published
        if digest != project_digest() or watermark != last_load(con):
            return None
        return build_id


def still_extends(base: str, own_loads: set[int], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether `base` is still the published build and every load landed since it began is
    one of `own_loads` (the run's): then a run of the models downstream of the run's
    tables makes, with the published others, what a whole build would."""
    with connect(environ) as con:
        published = _published_build(con)
        if published is None or published[0] != base or published[2] is None:
            return False
        later = con.execute(
            "select distinct load_id from raw.load_audit where load_id > %s", [published[2]]
        ).fetchall()
    return {load_id for (load_id,) in later} <= own_loads


def _published_build(con: psycopg.Connection) -> tuple[str, str, int | None] | None:
    """(build id, project digest, last load) of the published build, if recorded."""
    if con.execute("select to_regclass(%s)", [PUBLISHED]).fetchone()[0] is None:
        return None
    return con.execute(
        f"select build_id, project_digest, load_watermark from {PUBLISHED}"
    ).fetchone()


def claim_build(
    suffix: str,
    environ: Mapping[str, str] = os.environ,
    run_id: str | None = None,
    runs: dg.DagsterInstance | None = None,
) -> None:
    """Hold the lock of the build `suffix` (kept until it is published or dropped, or this
    process ends) and record its claim, naming `run_id` when the build's steps run in
    processes of their own (the first claim of a build names it; later ones keep it).
    Then sweep the builds of others (`sweep_builds`, asking `runs` about their runs).
    Every build and every publish starts here."""
    session = _CLAIMED.get(suffix)
    if session is None:
        session = open_connection(environ)
        session.autocommit = True
        session.execute("select pg_advisory_lock(%s, hashtext(%s))", [BUILD_LOCK_CLASS, suffix])
        _CLAIMED[suffix] = session
    _create_claims(session)
    session.execute(
        f"insert into {CLAIMS} (suffix, run_id) values (%s, %s) on conflict (suffix) do nothing",
        [suffix, run_id],
    )
    sweep_builds(environ, runs)


def claim_step(context: dg.AssetExecutionContext) -> str:
    """Claim the build of the step's run (`claim_build`); its suffix. A run whose steps
    each run in a process of their own (the daemon's multiprocess executor) has no process
    holding its lock between steps: its claim names the run, and the run's status in the
    Dagster instance keeps its schemas meanwhile. A run in one process names none."""
    suffix = build_suffix(context.run.run_id)
    one_process = context.job_def.executor_def.name in ONE_PROCESS_EXECUTORS
    run_id = None if one_process else context.run.run_id
    claim_build(suffix, run_id=run_id, runs=context.instance)
    return suffix


def release_build(suffix: str) -> None:
    """Forget the build's claim and let go of its lock: it is published, or its schemas
    are dropped."""
    session = _CLAIMED.pop(suffix, None)
    if session is not None:
        with session:  # closed, the lock released, even if the delete fails
            session.execute(f"delete from {CLAIMS} where suffix = %s", [suffix])


def sweep_builds(
    environ: Mapping[str, str] = os.environ, runs: dg.DagsterInstance | None = None
) -> list[str]:
    """Drop the schemas and the claims of every build that has ended unpublished; their
    suffixes. A build has ended when no session holds its lock and its claim names no run,
    or a run that `runs` (the Dagster instance) knows to be finished, or was made longer
    ago than KEPU_BUILD_CLAIM_HOURS. A run that `runs` does not know, or no `runs` at all,
    keeps its build until then. Each build is judged and dropped holding its lock, so no
    step of it can start meanwhile."""
    hours = claim_hours(environ)
    with connect(environ) as con:
        con.autocommit = True
        _create_claims(con)
        names = con.execute("select nspname::text from pg_namespace").fetchall()
        suffixes = {m[1] for (name,) in names if (m := BUILD_SCHEMA.match(name))}
        suffixes |= {suffix for (suffix,) in con.execute(f"select suffix from {CLAIMS}")}
        swept = []
        for suffix in sorted(suffixes):
            with con.transaction():
                take = "select pg_try_advisory_xact_lock(%s, hashtext(%s))"
                if not con.execute(take, [BUILD_LOCK_CLASS, suffix]).fetchone()[0]:
                    continue
                claim = con.execute(
                    f"select run_id, claimed_at > now() - make_interval(secs => %s) "
                    f"from {CLAIMS} where suffix = %s",
                    [hours * 3600, suffix],
                ).fetchone()
                if claim and claim[0] and claim[1] and _in_progress(claim[0], runs):
                    continue
                _drop_schemas(con, suffix)
                con.execute(f"delete from {CLAIMS} where suffix = %s", [suffix])
                swept.append(suffix)
    return swept


def claim_hours(environ: Mapping[str, str] = os.environ) -> float:
    """KEPU_BUILD_CLAIM_HOURS: how long a claim naming a run keeps its build at most."""
    value = environ.get(CLAIM_HOURS_SETTING, "").strip()
    try:
        hours = float(value) if value else DEFAULT_CLAIM_HOURS
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise ValueError(f"{CLAIM_HOURS_SETTING} must be a positive number of hours, not {value!r}")
    return hours


def _in_progress(run_id: str, runs: dg.DagsterInstance | None) -> bool:
    """Whether the run may still be under way: unknown to `runs`, or not finished."""
    if runs is None:
        return True
    run = runs.get_run_by_id(run_id)
    return run is None or not run.is_finished


def _create_claims(con: psycopg.Connection) -> None:
    """The claims table and the published build's record, once: a transaction lock keeps
    two first builds from both creating them (a key of the builds' class no suffix hashes
    to but by chance)."""
    with con.transaction():
        con.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", [BUILD_LOCK_CLASS, CLAIMS])
        con.execute(f"create schema if not exists {CLAIMS.split('.')[0]}")
        con.execute(
            f"create table if not exists {CLAIMS} (suffix text primary key, run_id text, "
            "claimed_at timestamptz not null default now())"
        )
        # added after the first servers were set up
        con.execute(f"alter table {CLAIMS} add column if not exists extends text")
        con.execute(f"alter table {CLAIMS} add column if not exists load_watermark integer")
        con.execute(
            f"create table if not exists {PUBLISHED} (build_id text not null, "
            "project_digest text not null, load_watermark integer, "
            "published_at timestamptz not null)"
        )


def drop_build(suffix: str, environ: Mapping[str, str] = os.environ) -> None:
    """Drop the schemas of one build (a failed one: the published layers are untouched),
    forget its claim and let go of its lock."""
    with connect(environ) as con:
        _drop_schemas(con, suffix)
    release_build(suffix)


def _drop_schemas(con: psycopg.Connection, suffix: str) -> None:
    for layer in LAYERS:
        con.execute(f"drop schema if exists {layer}{suffix} cascade")


def write_intervals(
    con: psycopg.Connection,
    schema: str,
    model: str,
    upstream: str,
    compute,
    source: str | None = None,
) -> None:
    """The table `model` in `schema`: the rows of `upstream` (in `source`, else `schema`)
    with the columns `compute` adds, the upstream columns keeping their types (as the
    DuckDB model's `typed_like`)."""
    source = source or schema
    cursor = con.execute(f"select * from {source}.{upstream}")
    names = [column.name for column in cursor.description]
    frame = compute(pd.DataFrame(cursor.fetchall(), columns=names))
    added = [name for name in frame.columns if name not in names]
    con.execute(f"drop table if exists {schema}.{model} cascade")
    con.execute(
        f"create table {schema}.{model} as select *, "
        + ", ".join(f'null::double precision as "{name}"' for name in added)
        + f" from {source}.{upstream} with no data"
    )
    with con.cursor().copy(f"copy {schema}.{model} from stdin") as copy:
        for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            copy.write_row(tuple(row))
    con.execute(f"analyze {schema}.{model}")
