"""The published marts of either engine as rows that compare alike: the tests that build
the same warehouse on DuckDB and on PostgreSQL read both through these."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd

from ingest.engine import connect


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
