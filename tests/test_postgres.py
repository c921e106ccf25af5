"""The dbt project on PostgreSQL (issue 13): the demo's raw tables copied into a real,
throw-away PostgreSQL cluster, built there, and every published mart compared with
DuckDB's."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd

from ingest.engine import connect
from ingest.home import KepuHome
from orchestration.publish import MARTS_SCHEMA


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
