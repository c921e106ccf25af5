"""Which engine holds the warehouse, read from the environment: `KEPU_ENGINE`.

`duckdb` (the default) keeps everything in one file of the Kepu home, on one machine.
`postgres` keeps it on a shared server (issue 13), named by KEPU_POSTGRES_HOST, _PORT,
_USER, _PASSWORD and _DATABASE, the same variables the dbt profile's `postgres` output
reads. The loader, the build, publishing and the dashboard all ask here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
import numpy as np
import pandas as pd
import psycopg

ENGINES = ("duckdb", "postgres")


def engine(environ: Mapping[str, str] = os.environ) -> str:
    """The engine in force; a value other than the two is a configuration error."""
    chosen = environ.get("KEPU_ENGINE", "duckdb").strip().lower() or "duckdb"
    if chosen not in ENGINES:
        raise ValueError(f"KEPU_ENGINE must be one of {', '.join(ENGINES)}, not {chosen!r}")
    return chosen


def on_server(environ: Mapping[str, str] = os.environ) -> bool:
    return engine(environ) == "postgres"


# DuckDB's resources for every connection that writes the warehouse (the loader, dbt,
# publishing), each from its environment variable. DuckDB's own default is 80% of the
# machine's memory; within the limit a national rebuild spills to <warehouse>.tmp instead.
DUCKDB_SETTINGS = {"memory_limit": ("KEPU_DUCKDB_MEMORY_LIMIT", "2GB")}
# dbt's DuckDB in a build gets less (issue 12: a build's processes within 2 GB together).
# It runs beside the Dagster process that launched dbt (~0.4 GB) and holds dbt's own
# Python (~0.25 GB); DuckDB itself goes ~0.15 GB past its limit (what its buffer manager
# does not count). At 2GB a national build's dbt reached 2.3 GB and the build 3.3 GB; with
# 1GB the largest survey models and tests spill to <warehouse>.tmp instead. Read by the
# dbt profile (dbt_project/profiles.yml).
BUILD_MEMORY_LIMIT = ("KEPU_DUCKDB_BUILD_MEMORY_LIMIT", "1GB")


def duckdb_config(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The DuckDB settings in force (duckdb.connect's `config`)."""
    return {
        name: environ.get(variable, default)
        for name, (variable, default) in DUCKDB_SETTINGS.items()
    }


def export_duckdb_settings(environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Name every DuckDB setting in the environment, so dbt's profile reads the same."""
    for variable, default in [*DUCKDB_SETTINGS.values(), BUILD_MEMORY_LIMIT]:
        environ.setdefault(variable, default)


def connection_settings(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The server the dbt profile's `postgres` output names (KEPU_POSTGRES_*)."""
    return {
        "host": environ.get("KEPU_POSTGRES_HOST", "localhost"),
        "port": environ.get("KEPU_POSTGRES_PORT", "5432"),
        "user": environ.get("KEPU_POSTGRES_USER", "kepu"),
        "password": environ.get("KEPU_POSTGRES_PASSWORD", ""),
        "dbname": environ.get("KEPU_POSTGRES_DATABASE", "kepu"),
    }


class ServerUnreachable(Exception):
    """The server KEPU_POSTGRES_* names cannot be reached or refuses the connection: the
    settings or the server to check, not a bug. `fields` fill the label
    `server.unreachable`; the password is never among them."""

    def __init__(self, settings: Mapping[str, str], error: psycopg.OperationalError):
        reason = " ".join(str(error).split())
        if settings["password"]:
            reason = reason.replace(settings["password"], "***")
        self.fields = {
            "host": settings["host"],
            "port": settings["port"],
            "database": settings["dbname"],
            "user": settings["user"],
            "reason": reason,
        }
        super().__init__(f"cannot connect to {self.fields}")


def open_connection(environ: Mapping[str, str] = os.environ) -> psycopg.Connection:
    """A connection to the server, the caller's to close. ServerUnreachable when the
    server cannot be reached or refuses."""
    settings = connection_settings(environ)
    try:
        return psycopg.connect(**settings)
    except psycopg.OperationalError as error:
        raise ServerUnreachable(settings, error) from None


@contextmanager
def connect(environ: Mapping[str, str] = os.environ) -> Iterator[psycopg.Connection]:
    """A connection to the server; committed on leaving without an error."""
    with open_connection(environ) as con:
        yield con


def check_reachable(environ: Mapping[str, str] = os.environ) -> None:
    """ServerUnreachable unless the server accepts a connection now."""
    with connect(environ):
        pass


# PostgreSQL's types by name as DuckDB's DataFrame gives their DuckDB counterparts.
SERVER_FLOATS = frozenset({"numeric", "float4", "float8"})
SERVER_INTEGERS = {"int2": "int16", "int4": "int32", "int8": "int64"}
# DuckDB gives a timestamptz in its TimeZone setting, the machine's own zone by default.
DUCKDB_TIME_ZONE = duckdb.sql("select current_setting('TimeZone')").fetchone()[0]
SERVER_TIMES = {
    "date": "datetime64[us]",
    "timestamp": "datetime64[us]",
    "timestamptz": f"datetime64[us, {DUCKDB_TIME_ZONE}]",
}


def server_frame(cursor: psycopg.Cursor) -> pd.DataFrame:
    """The cursor's rows as DuckDB's `.df()` types them: numbers as floats (numeric too),
    integers and booleans nullable only when a null is present, dates and times as
    datetime64, arrays as numpy arrays."""
    columns = [column.name for column in cursor.description]
    frame = pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
    for column, described in zip(columns, cursor.description, strict=True):
        kind = psycopg.postgres.types.get(described.type_code)
        name = kind.name if kind else ""
        values = frame[column]
        if name in SERVER_FLOATS:
            frame[column] = pd.to_numeric(values).astype("float64")
        elif name in SERVER_INTEGERS:
            width = SERVER_INTEGERS[name]
            frame[column] = values.astype(width.capitalize() if values.isna().any() else width)
        elif name == "bool":
            frame[column] = values.astype("boolean" if values.isna().any() else "bool")
        elif name in SERVER_TIMES:
            utc = name == "timestamptz"
            frame[column] = pd.to_datetime(values, utc=utc).astype(SERVER_TIMES[name])
        elif name.startswith("_"):  # an array type
            frame[column] = values.map(lambda v: None if v is None else np.array(v, dtype=object))
    return frame
