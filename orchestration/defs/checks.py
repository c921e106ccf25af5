"""Great Expectations suites as blocking checks on the raw tables."""

import contextlib
from collections.abc import Iterator

import dagster as dg
import duckdb
import pandas as pd

from expectations.tables import TABLES, duckdb_batches
from ingest.engine import on_server
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from orchestration.defs.raw import raw_key
from orchestration.defs.resources import Warehouse
from orchestration.postgres import raw_batches


@contextlib.contextmanager
def warehouse_batches(
    home: KepuHome, table: str, key: list[str]
) -> Iterator[Iterator[pd.DataFrame]]:
    """The warehouse's raw `table` in batches by `key` (`expectations.tables`), read
    under the loader's lock (a load waits until the suite has read the table)."""
    with (
        warehouse_lock(home, f"gx_{table}"),
        duckdb.connect(str(home.warehouse)) as con,
    ):
        yield duckdb_batches(con, f"raw.{table}", key)


def gx_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name=f"gx_{table}",
        blocking=True,
        description=f"Great Expectations suite raw_{table} on the whole raw table (on the "
        "server's when KEPU_ENGINE=postgres), read in batches by its key.",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        # Great Expectations is imported by the runs that check, not by every process
        # that loads the definitions (expectations/tables.py)
        from expectations.suites import unique_key, validate_batches

        key = unique_key(table)
        batches = (
            raw_batches(table, key)
            if on_server()
            else warehouse_batches(warehouse.home, table, key)
        )
        with batches as frames:
            result = validate_batches(table, frames)
        return dg.AssetCheckResult(
            passed=result.success,
            metadata={
                "rows": result.rows,
                "expectations": result.evaluated,
                "failures": dg.MetadataValue.md(
                    "\n".join(f"- {f}" for f in result.failures) or "none"
                ),
            },
        )

    return _check


gx_checks = [gx_check(table) for table in TABLES]
