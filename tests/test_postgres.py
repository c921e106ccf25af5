"""The dbt project on PostgreSQL (issue 13): the demo's raw tables copied into a real,
throw-away PostgreSQL cluster, built there, and every published mart compared with
DuckDB's."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pytest

from dashboards.server import free_port
from ingest.home import KepuHome
from orchestration.postgres import build, connect, copy_raw_tables
from orchestration.publish import MARTS_SCHEMA

# Debian's package keeps the binaries out of PATH, under /usr/lib/postgresql/NN/bin.
POSTGRES_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)


def postgres_binary(name: str) -> str:
    path = shutil.which(name) or next(
        (f"{d}/{name}" for d in POSTGRES_BIN_DIRS if os.path.exists(f"{d}/{name}")), None
    )
    if path is None:
        pytest.fail(f"{name} not found: install PostgreSQL (make system)")
    return path


@pytest.fixture(scope="session")
def postgres_env() -> Iterator[dict[str, str]]:
    """A throw-away cluster (initdb into a temporary directory, a free port), stopped and
    removed afterwards; the environment that names it (KEPU_POSTGRES_*). initdb refuses
    to run as root: as root, the cluster runs as `nobody` in a directory it owns."""
    root = tempfile.mkdtemp(prefix="kepu-pg-")
    as_user = ["runuser", "-u", "nobody", "--"] if os.getuid() == 0 else []
    if as_user:
        shutil.chown(root, user="nobody")
    data, port = f"{root}/data", free_port()
    run = {"check": True, "capture_output": True, "cwd": root}
    subprocess.run(
        [*as_user, postgres_binary("initdb"), "-D", data, "-U", "kepu", "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8"],
        **run,
    )  # fmt: skip
    pg_ctl = postgres_binary("pg_ctl")
    options = f"-p {port} -k {root} -h 127.0.0.1"
    subprocess.run(
        [*as_user, pg_ctl, "-D", data, "-l", f"{root}/log", "-o", options, "-w", "start"], **run
    )
    try:
        environ = {"KEPU_POSTGRES_HOST": "127.0.0.1", "KEPU_POSTGRES_PORT": str(port)}
        with psycopg.connect(
            host="127.0.0.1", port=port, user="kepu", dbname="postgres", autocommit=True
        ) as con:
            con.execute("create database kepu")
        yield {**os.environ, **environ}
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", data, "-m", "fast", "stop"], **run)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_demo(demo_home: KepuHome, postgres_env: dict[str, str]) -> dict[str, int]:
    """The demo's raw tables copied to the server and the dbt project built there; the
    rows copied, by table."""
    copied = copy_raw_tables(demo_home.warehouse, postgres_env)
    build(postgres_env)
    return copied


def duckdb_frames(warehouse, schema: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
        return {name: con.execute(f"select * from {schema}.{name}").df() for (name,) in tables}
    finally:
        con.close()


def postgres_frame(environ: dict[str, str], schema: str, table: str) -> pd.DataFrame:
    with connect(environ) as con:
        cursor = con.execute(f'select * from {schema}."{table}"')
        columns = [column.name for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def comparable(value: object) -> object:
    """One spelling for a value either engine returns: numbers as float, lists as tuples,
    dates as datetimes, nulls as None."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(comparable(v) for v in value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | Decimal | np.integer | np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())  # DuckDB's dates reach pandas as timestamps
    return value


def rows(frame: pd.DataFrame) -> list[tuple]:
    """The rows as comparable tuples, in an order both engines give alike (numbers rounded
    for the sort only)."""
    records = [tuple(comparable(v) for v in row) for row in frame.itertuples(index=False)]
    return sorted(records, key=sort_key)


def sort_key(record: tuple) -> str:
    return repr(tuple(round(v, 6) if isinstance(v, float) else v for v in record))


def same_value(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return bool(np.isclose(left, right, rtol=1e-9, atol=1e-9))
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(same_value, left, right))
    return left == right


def test_the_raw_tables_reach_postgresql_whole(
    demo_home: KepuHome, postgres_demo: dict[str, int], postgres_env: dict[str, str]
) -> None:
    raw = duckdb_frames(demo_home.warehouse, "raw")
    assert postgres_demo == {name: len(frame) for name, frame in raw.items()}
    assert postgres_demo["survey_responses"] > 100_000
    respondents = postgres_frame(postgres_env, "raw", "survey_respondents")
    assert rows(respondents) == rows(raw["survey_respondents"])


def test_every_published_mart_built_on_postgresql_equals_duckdbs(
    demo_home: KepuHome, postgres_demo: dict[str, int], postgres_env: dict[str, str]
) -> None:
    marts = duckdb_frames(demo_home.warehouse, MARTS_SCHEMA)
    with connect(postgres_env) as con:
        on_server = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = %s and table_type = 'BASE TABLE'",
                [MARTS_SCHEMA],
            ).fetchall()
        }
    assert on_server == set(marts)
    assert len(marts) > 20
    differences = {}
    for name, expected in marts.items():
        actual = postgres_frame(postgres_env, MARTS_SCHEMA, name)
        assert list(actual.columns) == list(expected.columns), name
        left, right = rows(actual), rows(expected)
        assert len(left) == len(right), name
        unequal = [
            (column, a[i], e[i])
            for a, e in zip(left, right, strict=True)
            for i, column in enumerate(expected.columns)
            if not same_value(a[i], e[i])
        ]
        if unequal:
            differences[name] = unequal[:3]
    assert differences == {}
