"""The published snapshot: what dashboards and `kepu sql` read."""

from collections.abc import Iterable

import dagster as dg
import pandas as pd

from ingest.engine import on_server
from ingest.home import KepuHome
from orchestration import incremental, postgres_publish
from orchestration.build_state import record_build
from orchestration.dbt_tests import test_results
from orchestration.defs.dbt import kepu_dbt_models
from orchestration.defs.resources import Warehouse
from orchestration.publish import MARTS_SCHEMA, Rebuilt, open_snapshot, publish


@dg.asset(
    deps=[spec.key for spec in kepu_dbt_models.specs if spec.group_name == "marts"],
    group_name="published",
    kinds={"duckdb"},
)
def published_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Every mart copied into a read-only snapshot file, swapped in atomically; on the
    server (KEPU_ENGINE=postgres), this run's schemas renamed into place."""
    checks = validations(context)
    since = context.run.tags.get(incremental.PARTIAL_TAG)
    if since:
        checks = with_earlier_results(checks, earlier_results(warehouse.home))
    if on_server():  # the marts it did not rebuild are carried over on the server itself
        snapshot = postgres_publish.publish(context.run.run_id, checks, runs=context.instance)
    else:
        rebuilt = None
        if since:
            rebuilt = Rebuilt(since, rebuilt_marts(context.run.asset_selection or ()))
        snapshot = publish(warehouse.home, context.run.run_id, checks, rebuilt)
        record_build(warehouse.home, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": snapshot.path,
            "published_at": snapshot.published_at.isoformat(),
            "is_synthetic": snapshot.is_synthetic,
            **{f"rows_{table}": count for table, count in snapshot.tables.items()},
        }
    )


def rebuilt_marts(selected: Iterable[dg.AssetKey]) -> frozenset[str]:
    """The marts among a run's selected assets: those a run of a subset rebuilt."""
    return frozenset(key.path[-1] for key in selected if key.path[0] == MARTS_SCHEMA)


VALIDATION_COLUMNS = ["check_kind", "asset_key", "check_name", "passed", "severity"]


def check_kind(check_name: str) -> str:
    """gx, load or dbt (check_kind code), from the names the check modules give."""
    if check_name.startswith("gx_"):
        return "gx"
    return "load" if check_name == "all_files_accepted" else "dbt"


def validations(context: dg.AssetExecutionContext) -> pd.DataFrame:
    """Every check this run evaluated before publishing, as codes: the Great Expectations
    suites on the raw tables (`gx_*`) and the loader's own check, run when files are
    loaded (asset checks), and dbt's data tests (one observation per tested asset,
    `orchestration.defs.dbt.test_observations`)."""
    rows = []
    for record in incremental.run_records(context, dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        rows.append(
            {
                "check_kind": check_kind(evaluation.check_name),
                "asset_key": evaluation.asset_key.to_user_string(),
                "check_name": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value.lower(),
            }
        )
    for record in incremental.run_records(context, dg.DagsterEventType.ASSET_OBSERVATION):
        observation = record.event_log_entry.asset_observation
        rows.extend({"check_kind": "dbt", **result} for result in test_results(observation))
    return pd.DataFrame(rows, columns=VALIDATION_COLUMNS).astype(
        {"check_kind": str, "asset_key": str, "check_name": str, "passed": bool, "severity": str}
    )


def earlier_results(home: KepuHome) -> pd.DataFrame:
    """The check results of the published snapshot."""
    query = f"select {', '.join(VALIDATION_COLUMNS)} from validation_result"
    if on_server():
        return postgres_publish.read_published(query)
    with open_snapshot(home) as con:
        return con.execute(query).df()


def with_earlier_results(checks: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """A run that rebuilt a subset evaluated only the checks of that subset; every other
    check keeps its `earlier` result, from the snapshot this one replaces (whose tables it
    also keeps), so validation_result holds the latest result of every check."""
    evaluated = set(zip(checks["asset_key"], checks["check_name"], strict=True))
    kept = [
        (key, name) not in evaluated
        for key, name in zip(earlier["asset_key"], earlier["check_name"], strict=True)
    ]
    return pd.concat([checks, earlier[kept]], ignore_index=True).astype(checks.dtypes.to_dict())
