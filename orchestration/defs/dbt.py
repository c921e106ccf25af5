"""The dbt project as Dagster assets; its data tests' results are one observation per
tested asset.

dagster-dbt can make every data test an asset check, but then a build writes two events
per test (planned, evaluated) to Dagster's event log: with ~550 tests that was over 1,000
of a demo build's ~1,350 events and half its time on a single machine's SQLite storage.
The tests still run inside `dbt build` (a failing `error` test fails the build and nothing
is published); their results are read once from dbt's run_results.json and reported per
asset (`TESTS_METADATA`), published as `validation_result` and shown in the Dagster UI as
the asset's observations.
"""

import functools
import os
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from uuid import uuid4

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)
from dagster_dbt.asset_utils import get_asset_check_key_for_test

from ingest.engine import on_server
from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from orchestration import incremental, postgres, suite_worker
from orchestration.build_state import forget_build
from orchestration.dbt_tests import TESTS_METADATA
from orchestration.defs.project import built_nodes, dbt_project
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


# dbt tests are not asset checks (see the module's note); the default translator settings
# only name a test the way an asset check of it would be named.
TRANSLATOR = KepuTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=False))
TEST_NAMING = KepuTranslator()
TEST_OUTCOMES = {"pass", "fail", "warn", "error"}  # a skipped test has no outcome
PARTIAL_PARSE = "partial_parse.msgpack"  # where dbt writes and looks for a parse to reuse


def test_observations(invocation: DbtCliInvocation) -> Iterator[dg.AssetObservation]:
    """One observation per asset whose data tests this invocation ran: every test's name
    (as an asset check of it would be named), dbt's status and its failing rows."""
    manifest = invocation.manifest
    tests: dict[dg.AssetKey, list[dict]] = defaultdict(list)
    for result in invocation.get_artifact("run_results.json")["results"]:
        unique_id, status = result["unique_id"], result["status"]
        if not unique_id.startswith("test.") or status not in TEST_OUTCOMES:
            continue
        key = get_asset_check_key_for_test(manifest, TEST_NAMING, unique_id, project=dbt_project)
        if key is None:  # a singular test over several models: the first one it reads
            node = manifest["nodes"][unique_id]
            upstream = node["depends_on"]["nodes"][0]
            props = manifest["nodes"].get(upstream) or manifest["sources"][upstream]
            key = dg.AssetCheckKey(TEST_NAMING.get_asset_key(props), node["name"])
        tests[key.asset_key].append(
            {"check_name": key.name, "status": status, "failures": result.get("failures")}
        )
    for asset_key, records in sorted(tests.items(), key=lambda item: item[0].to_user_string()):
        failed = [r["check_name"] for r in records if r["status"] != "pass"]
        yield dg.AssetObservation(
            asset_key=asset_key,
            metadata={
                TESTS_METADATA: dg.MetadataValue.json(records),
                "tests_passed": len(records) - len(failed),
                "tests_failed": len(failed),
                "failed": dg.MetadataValue.md("\n".join(f"- {n}" for n in failed) or "none"),
            },
        )


def _reported(invocation: DbtCliInvocation, events: Iterable) -> Iterator:
    """The invocation's asset events without dagster-dbt's observation per test (the
    module's note), then one observation per tested asset; raises dbt's error after
    them, so that a failing test is reported before the step fails."""
    for event in events:
        if not isinstance(event, dg.AssetObservation):
            yield event
    yield from test_observations(invocation)
    error = invocation.get_error()
    if error is not None:
        raise error


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
)
def kepu_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build`: staging views, intermediate and mart tables, and the data tests. The
    unit tests check the models' code, not the data: they run in `make test`
    (tests/test_dbt.py), not in every build of the users' data (36 nodes, a minute).

    dbt writes the warehouse its profile names from the process environment (KEPU_WAREHOUSE,
    else KEPU_HOME's), the one the `warehouse` resource names too. A subset of the models
    runs only the tests whose models are all in it (cautious indirect selection): a
    relationship test of fct_plan_target does not run when only dim_region is built.
    The build holds the home's writer lock: a load waits for it, and it for a load.
    On the server (KEPU_ENGINE=postgres) the build runs in the steps `server_build` takes.
    The raw tables' suites are done by now (blocking checks): their process ends first."""
    suite_worker.stop()
    if on_server():
        yield from server_build(context, dbt)
        return
    build = ["build", "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test"]
    if incremental.PARTIAL_TAG not in context.run.tags:
        # Only a late file's partial run extends the incremental models' rows: any other
        # build computes them whole, so no row of other code or of other loads stays.
        build.append("--full-refresh")
    home = KepuHome.from_env()
    target = _run_target(context)
    with warehouse_lock(home, "dbt build"):
        forget_build(home)  # until this build publishes, however it was launched
        build += duckdb_threads(Path(os.environ.get("KEPU_WAREHOUSE", home.warehouse)))
        _reuse_parse(home, target)
        invocation = dbt.cli(build, context=context, raise_on_error=False, target_path=target)
        yield from _reported(invocation, invocation.stream())
        _keep_parse(home, target)


# A DuckDB build runs two models or tests at once, unless KEPU_DBT_THREADS says otherwise
# (dbt_project/profiles.yml, one), when the raw tables hold this many rows: then one
# model's SQL overlaps dbt's own work on another (national scale, 27 million rows: the
# build took 128.7 s instead of 137.2 s); below it dbt's Python is most of a build and two
# threads contend for it (the demo's build took 48-52 s instead of 40-44 s).
LARGE_BUILD_ROWS = 1_000_000


def duckdb_threads(warehouse: Path, environ: Mapping[str, str] = os.environ) -> list[str]:
    """dbt's `--threads` for a build of `warehouse` (none: the profile's)."""
    if "KEPU_DBT_THREADS" in environ or not warehouse.is_file() or (os.cpu_count() or 1) < 2:
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (rows,) = con.execute(
            "select coalesce(sum(estimated_size), 0) from duckdb_tables() where schema_name = 'raw'"
        ).fetchone()
    return ["--threads", "2"] if rows >= LARGE_BUILD_ROWS else []


def _run_target(context: dg.AssetExecutionContext) -> Path:
    """The build's own dbt target folder, where and as dagster-dbt would make it: in
    DBT_TARGET_PATH (else the project's target folder)."""
    root = Path(os.environ.get("DBT_TARGET_PATH", dbt_project.target_path))
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid4().hex[:7]}"
    return (root if root.is_absolute() else dbt_project.project_dir / root) / name


def _reuse_parse(home: KepuHome, target: Path) -> None:
    """The home's last parse of the project, where dbt looks for one (dagster-dbt would
    copy the shared target folder's, parsed for whichever warehouse parsed it last: dbt
    then parses the whole project again, 8 s of a national late return, because its
    profile, which names the warehouse's path, has changed). dbt checks the parse against
    the project's files, profile and variables and parses again whatever differs, so an
    old one costs time, never correctness."""
    if home.dbt_parse.is_file():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(home.dbt_parse, target / PARTIAL_PARSE)


def _keep_parse(home: KepuHome, target: Path) -> None:
    """This build's parse, for the home's next build."""
    parsed = target / PARTIAL_PARSE
    if parsed.is_file():
        kept = home.dbt_parse.with_suffix(".partial")
        shutil.copyfile(parsed, kept)
        kept.replace(home.dbt_parse)


def server_build(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """The build on PostgreSQL, into this run's own schemas (`postgres.build_steps`): dbt up
    to the interval models, the intervals, dbt for the rest; the published schemas stay as
    they are until `published_snapshot` switches them. A failed build drops its schemas.

    dagster-dbt would add its own `--select` to each step, and two `--select`s are their
    union, so each step runs without the context and its events are turned into this
    asset's outputs and test observations here. A late file's run (`incremental`) builds
    only its models when the build it extends is still the published one and no other
    load has landed since (`server_extends`); any other run of some of the models builds
    them all, as does a late file's run that cannot extend: the published schema is
    switched whole. The build is claimed here until it is published
    (`postgres.claim_step`): no other build sweeps its schemas while this step's process
    holds its lock, nor between steps while Dagster says the run is in progress."""
    suffix = postgres.claim_step(context)
    extends = server_extends(context)
    names = dbt_node_names()
    selected = None
    if extends is not None:
        selected = {names[key] for key in context.selected_asset_keys if key in names}
    postgres.start_build(suffix, extends)
    before, after = postgres.build_steps(suffix, selected)
    try:
        if before:
            yield from _streamed(context, dbt, before)
        postgres.write_all_intervals(suffix, selected)
        for key, name in names.items():
            if name in postgres.INTERVAL_MODELS and key in context.selected_asset_keys:
                yield dg.Output(None, output_name=key.to_python_identifier())
        if after:
            yield from _streamed(context, dbt, after)
    except BaseException:
        postgres.drop_build(suffix)
        raise


def server_extends(context: dg.AssetExecutionContext) -> str | None:
    """The published build a late file's run builds on (its `incremental.PARTIAL_TAG`),
    if it is still the published one and every load landed since it began is the run's
    own; else None: every model is built."""
    base = context.run.tags.get(incremental.PARTIAL_TAG)
    if not base:
        return None
    own = {
        load["load_id"]
        for record in incremental.run_records(context, dg.DagsterEventType.ASSET_MATERIALIZATION)
        if record.asset_key == raw_key("load_audit")
        for load in record.asset_materialization.metadata["loads"].value
        if load.get("load_id") is not None
    }
    return base if postgres.still_extends(base, own) else None


@functools.cache
def dbt_node_names() -> dict[dg.AssetKey, str]:
    """Each dbt model's, seed's and snapshot's asset key and its name."""
    return {TRANSLATOR.get_asset_key(node): node["name"] for node in built_nodes().values()}


def _streamed(context: dg.AssetExecutionContext, dbt: DbtCliResource, arguments: list[str]):
    invocation = dbt.cli(
        arguments,
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=TRANSLATOR,
        raise_on_error=False,
    )
    events = (
        asset_event
        for event in invocation.stream_raw_events()
        for asset_event in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=TRANSLATOR,
            context=context,
            target_path=invocation.target_path,
            project=dbt_project,
        )
    )
    yield from _reported(invocation, events)
