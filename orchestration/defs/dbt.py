"""The dbt project as Dagster assets; its tests surface as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingest.engine import on_server
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from orchestration import postgres
from orchestration.build_state import forget_build
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
    The build holds the home's writer lock: a load waits for it, and it for a load.
    On the server (KEPU_ENGINE=postgres) the build runs in the steps `server_build` takes."""
    if on_server():
        yield from server_build(context, dbt)
        return
    build = ["build", "--indirect-selection", "cautious"]
    home = KepuHome.from_env()
    with warehouse_lock(home, "dbt build"):
        forget_build(home)  # until this build publishes, however it was launched
        yield from dbt.cli(build, context=context).stream()


def server_build(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """The build on PostgreSQL, into this run's own schemas (`postgres.build_steps`): dbt up
    to the interval models, the intervals, dbt for the rest; the published schemas stay as
    they are until `published_snapshot` switches them. A failed build drops its schemas.

    dagster-dbt would add its own `--select` to each step, and two `--select`s are their
    union, so each step runs without the context and its events are turned into this
    asset's outputs and checks here. A run of some of the models builds them all: the
    published schema is switched whole. The build is claimed here until it is published
    (`postgres.claim_step`): no other build sweeps its schemas while this step's process
    holds its lock, nor between steps while Dagster says the run is in progress."""
    suffix = postgres.claim_step(context)
    before, after = postgres.build_steps(suffix)
    translator = KepuTranslator()
    try:
        yield from _streamed(context, dbt, before, translator)
        postgres.write_all_intervals(suffix)
        for model in postgres.INTERVAL_MODELS:
            key = dg.AssetKey([model])
            if key in context.selected_asset_keys:
                yield dg.Output(None, output_name=key.to_python_identifier())
        yield from _streamed(context, dbt, after, translator)
    except BaseException:
        postgres.drop_build(suffix)
        raise


def _streamed(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    arguments: list[str],
    translator: DagsterDbtTranslator,
):
    invocation = dbt.cli(
        arguments, manifest=dbt_project.manifest_path, dagster_dbt_translator=translator
    )
    for event in invocation.stream_raw_events():
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=translator,
            context=context,
            target_path=invocation.target_path,
            project=dbt_project,
        )
