"""The dbt project as Dagster assets; its tests surface as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from orchestration.defs.project import dbt_project
from orchestration.defs.raw import raw_key


class KepuTranslator(DagsterDbtTranslator):
    """dbt sources are the raw-table assets; models and seeds are grouped by their schema:
    staging, intermediate, marts, and rules (the seeds)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_key(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=KepuTranslator(),
)
def kepu_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build`: staging views, intermediate views, mart tables, data and unit tests.

    dbt writes the warehouse its profile names from the process environment (KEPU_WAREHOUSE,
    else KEPU_HOME's), the one the `warehouse` resource names too. A subset of the models
    runs only the tests whose models are all in it (cautious indirect selection): a
    relationship test of fct_plan_target does not run when only dim_region is built.
    The build holds the home's writer lock: a load waits for it, and it for a load."""
    build = ["build", "--indirect-selection", "cautious"]
    with warehouse_lock(KepuHome.from_env(), "dbt build"):
        yield from dbt.cli(build, context=context).stream()
