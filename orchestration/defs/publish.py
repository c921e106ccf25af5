"""The published snapshot: what dashboards and `kepu sql` read."""

import dagster as dg

from orchestration.defs.dbt import kepu_dbt_models
from orchestration.defs.resources import Warehouse
from orchestration.publish import publish


@dg.asset(
    deps=[spec.key for spec in kepu_dbt_models.specs if spec.group_name == "marts"],
    group_name="published",
    kinds={"duckdb"},
)
def published_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Every mart copied into a read-only snapshot file, swapped in atomically."""
    snapshot = publish(warehouse.home, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": snapshot.path,
            "published_at": snapshot.published_at.isoformat(),
            "is_synthetic": snapshot.is_synthetic,
            **{f"rows_{table}": count for table, count in snapshot.tables.items()},
        }
    )
