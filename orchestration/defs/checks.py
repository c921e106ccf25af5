"""Great Expectations suites as blocking checks on the raw tables."""

import dagster as dg
import duckdb

from expectations.tables import TABLES
from ingest.engine import on_server
from ingest.lock import warehouse_lock
from orchestration.defs.raw import raw_key
from orchestration.defs.resources import Warehouse
from orchestration.postgres import raw_frame


def gx_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name=f"gx_{table}",
        blocking=True,
        description=f"Great Expectations suite raw_{table} on the whole raw table (on the "
        "server's when KEPU_ENGINE=postgres).",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        # Great Expectations is imported by the runs that check, not by every process
        # that loads the definitions (expectations/tables.py)
        from expectations.suites import validate

        if on_server():
            frame = raw_frame(table)
        else:
            with (
                warehouse_lock(warehouse.home, f"gx_{table}"),
                duckdb.connect(str(warehouse.home.warehouse)) as con,
            ):
                frame = con.execute(f"select * from raw.{table}").df()
        result = validate(table, frame)
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
