"""Rows of the marts as plain Python: the helpers every reader of the report package uses."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any, TypeVar

import duckdb

R = TypeVar("R")
# The registry separates the names in a list column (departments, responsible units) with
# a fullwidth semicolon: a data format of the marts, not a word shown to users.
REGISTRY_LIST_SEPARATOR = "\N{FULLWIDTH SEMICOLON}"


def fetch_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()]


def record(cls: type[R], row: dict[str, Any], **computed: Any) -> R:
    """A record from a mart row: each field from the column of its name, unless given."""
    names = [f.name for f in fields(cls) if f.name not in computed]
    return cls(**{name: row[name] for name in names}, **computed)


def plain(value: Any) -> Any:
    """Decimals (thresholds, settings) as floats, so formatting treats all numbers alike."""
    return float(value) if isinstance(value, Decimal) else value


def names(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split(REGISTRY_LIST_SEPARATOR)) if joined else ()
