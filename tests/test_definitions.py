"""The Dagster definitions: the asset graph they load, the assessment partitions, and the
assets materialized with `dg.materialize` on a temporary Kepu home."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import vocabulary
from expectations.tables import TABLES
from ingest.home import REPO_ROOT, KepuHome
from ingest.load import load_files
from tests.helpers import REGIONS_ROWS, write_sheet

REVIEW_POINTS = {
    "beijing-2021-2035.2025-checkpoint",
    "beijing-2021-2035.2035-checkpoint",
    "ouhai-2021-2025.2023-midterm",
    "ouhai-2021-2025.2025-final",
    "shenzhen-2017-2020.2020-final",
    "xx-city-2022.2022-monitoring",
    "xx-city-2022.2023-monitoring",
    "xx-city-2022.2024-monitoring",
    "xx-city-2022.2025-monitoring",
    "zengcheng-2016-2020.2020-final",
}


def _keys(specs: list[dg.AssetSpec]) -> set[str]:
    return {spec.key.to_user_string() for spec in specs}


def test_the_definitions_load_with_the_whole_asset_graph(definitions: dg.Definitions) -> None:
    from ingest.specs import ALL_SPECS

    specs = definitions.resolve_all_asset_specs()
    keys = _keys(specs)
    raw = {f"raw/{s.table}" for s in ALL_SPECS} | {
        "raw/survey_responses",
        "raw/load_audit",
        "raw/load_errors",
    }
    assert raw <= keys
    assert {"staging/stg_regions", "marts/fct_indicator_value", "marts/dim_region"} <= keys
    assert {"published_snapshot", "assessment_report"} <= keys
    # dbt's sources are the raw tables, its seeds the rules: no asset outside these groups.
    groups = {spec.group_name for spec in specs}
    layers = {"raw", "rules", "staging", "intermediate", "marts", "published", "assessments"}
    assert groups == layers
    graph = definitions.resolve_asset_graph()
    marts = {k for k in keys if k.startswith("marts/")}
    snapshot = graph.get(dg.AssetKey("published_snapshot"))
    assert {k.to_user_string() for k in snapshot.parent_keys} == marts
    # the asset checks are the loader's and the Great Expectations suites: dbt's ~550 data
    # tests run inside dbt build and report one observation per tested asset instead
    checks = {key.name for key in graph.asset_check_keys}
    assert checks == {f"gx_{table}" for table in TABLES} | {"all_files_accepted"}
    assert {j.name for j in definitions.jobs} == {"load_job", "build_job", "assessment_job"}
    assert [s.name for s in definitions.sensors] == ["inbox_sensor"]
    assert {s.name for s in definitions.schedules} == {"nightly_build", "review_schedule"}


def test_every_asset_has_a_description_and_kinds(definitions: dg.Definitions) -> None:
    specs = definitions.resolve_all_asset_specs()
    assert [s.key.to_user_string() for s in specs if not s.description or not s.kinds] == []
    kinds = {s.key.to_user_string(): s.kinds for s in specs}
    assert kinds["raw/regions"] == {"duckdb", "excel"}
    assert kinds["marts/dim_region"] == {"dbt", "duckdb"}
    assert kinds["assessment_report"] == {"docx", "xlsx"}


def test_every_assessment_partition_has_an_assessment_kind(definitions: dg.Definitions) -> None:
    from orchestration.reviews import ReviewPoint

    graph = definitions.resolve_asset_graph()
    partitions = graph.get(dg.AssetKey("assessment_report")).partitions_def
    keys = partitions.get_partition_keys()
    assert set(keys) == REVIEW_POINTS
    assert {ReviewPoint.from_key(k).kind for k in keys} == set(vocabulary.codes("assessment_kind"))


@pytest.mark.parametrize(
    ("key", "plan_id", "as_of", "kind"),
    [
        ("xx-city-2022.2023-monitoring", "xx-city-2022", date(2024, 3, 31), "monitoring"),
        ("ouhai-2021-2025.2023-midterm", "ouhai-2021-2025", date(2024, 3, 31), "midterm"),
        ("shenzhen-2017-2020.2020-final", "shenzhen-2017-2020", date(2021, 3, 31), "final"),
        ("beijing-2021-2035.2035-checkpoint", "beijing-2021-2035", date(2036, 3, 31), "final"),
    ],
)
def test_a_partition_names_the_plan_the_date_and_the_kind_of_its_assessment(
    key: str, plan_id: str, as_of: date, kind: str
) -> None:
    from orchestration.reviews import ReviewPoint

    point = ReviewPoint.from_key(key)
    assert (point.plan_id, point.as_of, point.kind) == (plan_id, as_of, kind)
    assert point.key == key


def test_the_review_schedule_asks_on_1_april_for_the_reviews_of_the_year_before() -> None:
    from orchestration.defs.assessments import review_schedule

    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 4, 1, 4))
    requests = list(review_schedule(context))
    assert sorted(r.partition_key for r in requests) == [
        "beijing-2021-2035.2025-checkpoint",
        "ouhai-2021-2025.2025-final",
        "xx-city-2022.2025-monitoring",
    ]


def _rows_added(result: dg.ExecuteInProcessResult, table: str) -> int:
    (materialization,) = [
        m
        for m in result.asset_materializations_for_node("raw_tables")
        if m.asset_key == dg.AssetKey(["raw", table])
    ]
    return materialization.metadata["rows_added"].value


def _count(home: KepuHome, table: str) -> int:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def test_raw_tables_land_a_file_once(
    definitions: dg.Definitions, home_env: KepuHome, tmp_path: Path
) -> None:
    from orchestration.defs.raw import raw_tables
    from orchestration.defs.resources import RESOURCES

    regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
    config = {"ops": {"raw_tables": {"config": {"paths": [str(regions)]}}}}
    first = dg.materialize([raw_tables], resources=RESOURCES, run_config=config)
    assert (_rows_added(first, "regions"), _rows_added(first, "funding_returns")) == (4, 0)
    assert (_count(home_env, "raw.regions"), _count(home_env, "raw.load_audit")) == (4, 1)

    again = dg.materialize([raw_tables], resources=RESOURCES, run_config=config)
    assert _rows_added(again, "regions") == 0
    (audit,) = [
        m
        for m in again.asset_materializations_for_node("raw_tables")
        if m.asset_key == dg.AssetKey(["raw", "load_audit"])
    ]
    assert [load["status"] for load in audit.metadata["loads"].value] == ["duplicate"]
    assert (_count(home_env, "raw.regions"), _count(home_env, "raw.load_audit")) == (4, 1)


def test_dbt_builds_the_region_dimension_from_the_latest_load(
    definitions: dg.Definitions, home_env: KepuHome, tmp_path: Path
) -> None:
    """The register as loaded, then a correction renaming the town: dim_region holds the
    latest name, and each region's depth is its number of ancestors (0 for the province)."""
    from orchestration.defs.dbt import kepu_dbt_models
    from orchestration.defs.resources import RESOURCES

    *register, town = REGIONS_ROWS
    assert town[:2] == ["330304901", "测试街道"]
    renamed = [*register, ["330304901", "娄桥街道", "乡镇", "330304"]]
    files = [
        write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS),
        write_sheet(tmp_path / "regions_corrected.xlsx", "地区", renamed),
    ]
    assert [o.status for o in load_files(files, home_env)] == ["accepted", "accepted"]
    selection = [
        "staging/stg_regions",
        "intermediate/int_regions_current",
        "intermediate/int_region_ancestors",
        "marts/dim_region",
    ]
    result = dg.materialize(
        [kepu_dbt_models],
        selection=dg.AssetSelection.assets(*(dg.AssetKey.from_user_string(k) for k in selection)),
        resources=RESOURCES,
    )
    assert result.success
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert materialized == set(selection)
    with duckdb.connect(str(home_env.warehouse), read_only=True) as con:
        regions = con.execute(
            "select region_code, region_name_zh, region_level, parent_region_code, depth, load_id"
            " from marts.dim_region order by region_code"
        ).fetchall()
    assert regions == [
        ("330000", "浙江省", "province", None, 0, 2),
        ("330300", "温州市", "prefecture", "330000", 1, 2),
        ("330304", "瓯海区", "county", "330300", 2, 2),
        ("330304901", "娄桥街道", "town", "330304", 3, 2),
    ]


def test_the_gx_check_fails_a_raw_table_the_loader_would_not_have_accepted(
    home: KepuHome, tmp_path: Path
) -> None:
    """A level written into raw behind the loader's back ('city' is no region level)."""
    from orchestration.defs.checks import gx_check
    from orchestration.defs.resources import Warehouse

    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("update raw.regions set level = 'city' where region_code = '330300'")
    check = gx_check("regions")
    for _ in range(2):  # a load that failed is not recorded: the next run reads it again
        result = check(dg.build_asset_check_context(), warehouse=Warehouse(home_dir=str(home.root)))
        assert not result.passed
        assert (result.metadata["rows"].value, result.metadata["loads"].value) == (4, 1)
        failures = result.metadata["failures"].value
        assert failures.startswith("- expect_column_values_to_be_in_set {'column': 'level'")
        assert "city" in failures
    with duckdb.connect(str(home.warehouse)) as con:
        assert con.execute("select count(*) from checks.suite_passes").fetchone() == (0,)


def test_a_suite_reads_a_load_once_until_its_version_changes(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from expectations.tables import suite_version
    from orchestration.defs import checks
    from orchestration.defs.resources import Warehouse

    warehouse = Warehouse(home_dir=str(home.root))
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    check = checks.gx_check("regions")

    def read() -> tuple[bool, int, int]:
        result = check(dg.build_asset_check_context(), warehouse=warehouse)
        return result.passed, result.metadata["rows"].value, result.metadata["loads"].value

    assert read() == (True, 4, 1)
    assert read() == (True, 0, 0)  # load 1 passed: not read again
    with duckdb.connect(str(home.warehouse)) as con:
        passes = con.execute("select table_name, load_id, suite, rows from checks.suite_passes")
        assert passes.fetchall() == [("regions", 1, suite_version(), 4)]
    # another version of the suites (their code, or Great Expectations') reads it again
    monkeypatch.setattr(checks, "suite_version", lambda: "0123456789abcdef")
    assert read() == (True, 4, 1)
    assert read() == (True, 0, 0)


SUITE_IN_ITS_PROCESS = """
import multiprocessing, sys
import dagster as dg
from orchestration import suite_worker
from orchestration.defs.checks import gx_check
from orchestration.defs.resources import Warehouse

check = gx_check("regions")
for _ in range(2):
    result = check(dg.build_asset_check_context(), warehouse=Warehouse(home_dir=sys.argv[1]))
    children = multiprocessing.active_children()
    print(result.passed, result.metadata["rows"].value, len(children))
print("great_expectations" in sys.modules)
suite_worker.stop()
print(len(multiprocessing.active_children()), [c.is_alive() for c in children])
"""


def test_the_suites_run_in_a_process_of_their_own_that_ends_before_dbt(
    home: KepuHome, tmp_path: Path
) -> None:
    """The Dagster process that goes on to run dbt never imports Great Expectations: the
    suites' process does, and is stopped when dbt starts (`suite_worker.stop`)."""
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    ran = subprocess.run(
        [sys.executable, "-c", SUITE_IN_ITS_PROCESS, str(home.root)],
        capture_output=True, text=True, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    assert ran.stdout.split("\n")[:4] == ["True 4 1", "True 0 1", "False", "0 [False]"]


def _check_regions(root: str) -> None:
    """A check that starts the suites' process, in a multiprocessing child of the test."""
    from orchestration.defs.checks import gx_check
    from orchestration.defs.resources import Warehouse

    context = dg.build_asset_check_context()
    assert gx_check("regions")(context, warehouse=Warehouse(home_dir=root)).passed


def test_a_multiprocessing_child_whose_check_started_the_suites_process_exits(
    home: KepuHome, tmp_path: Path
) -> None:
    """Such a child waits for its own children as it exits, before the executor's exit
    hook would stop the suites' process: it stops it first (a step of Dagster's
    multiprocess executor is such a child, and waited for ever)."""
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    child = multiprocessing.get_context("spawn").Process(
        target=_check_regions, args=(str(home.root),)
    )
    child.start()
    child.join(timeout=90)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert (alive, child.exitcode) == (False, 0)


def test_kepu_build_checks_the_rows_no_suite_has_passed_before_it_builds(
    home_env: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows landed without a build (`kepu ingest --no-build`) and failing a suite stop
    `kepu build` before dbt: nothing is built or published from them."""
    from orchestration.run import run_job

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home_env)
    with duckdb.connect(str(home_env.warehouse)) as con:
        con.execute("update raw.regions set level = 'city' where region_code = '330300'")
    outcome = run_job("build_job", quiet=True)
    assert (outcome.success, outcome.failed_checks) == (False, ["raw/regions:gx_regions"])
    with duckdb.connect(str(home_env.warehouse), read_only=True) as con:
        schemas = con.execute("select schema_name from information_schema.schemata").fetchall()
    assert {name for (name,) in schemas} & {"staging", "intermediate", "marts"} == set()
    assert not home_env.published.exists()


def test_the_project_is_parsed_again_only_when_its_manifest_would_differ(
    definitions: dg.Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prepare` skips `dbt parse` while the manifest was parsed from these files by this
    dbt for this engine, and parses when the manifest was rewritten or the engine changed."""
    from orchestration.defs import project

    parses = []

    class Dbt:  # counts the parses; the manifest stays the one the session parsed
        def __init__(self, **_: object) -> None:
            pass

        def cli(self, arguments: list[str], **_: object) -> Dbt:
            parses.append(arguments)
            return self

        def wait(self) -> None:
            pass

    # the real prepare first: another test's dbt (a seed, an assessment's vintage build)
    # may have rewritten the manifest since the session parsed it, and then this parses
    project.prepare.cache_clear()
    project.prepare()
    monkeypatch.setattr(project, "dbt_cli", Dbt)
    stamp = project.dbt_project.manifest_path.parent / project.PARSED_STAMP
    assert stamp.read_text() == project.parsed_stamp()
    project.prepare.cache_clear()
    project.prepare()
    assert parses == []

    manifest = project.dbt_project.manifest_path
    written = manifest.stat().st_mtime_ns
    os.utime(manifest, ns=(written, written + 1_000_000_000))  # another dbt wrote it
    project.prepare.cache_clear()
    project.prepare()
    assert parses == [["parse", "--quiet"]]
    assert stamp.read_text() == project.parsed_stamp()

    monkeypatch.setenv("KEPU_ENGINE", "postgres")
    assert "postgres" in project.parsed_stamp()
    assert stamp.read_text() != project.parsed_stamp()
    project.prepare.cache_clear()
    project.prepare()
    assert len(parses) == 2
    monkeypatch.setenv("KEPU_ENGINE", "duckdb")
    project.prepare.cache_clear()
    project.prepare()  # the stamp says postgres now: the session's duckdb manifest parsed
    assert len(parses) == 3


def test_the_dbt_resource_knows_dbts_version_without_running_it_and_opens_no_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The version dagster-dbt would learn from `dbt --version` (read here the same way),
    known without that process; no adapter opened in this process. Both still replace what
    dagster-dbt's `cli` calls, so each invocation is spared them."""
    import inspect
    import re
    import subprocess

    import dagster_dbt.core.resource
    from dagster_dbt import DbtCliResource

    from orchestration.defs.project import DBT_EXECUTABLE, dbt_cli

    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True)
    expected = re.search(r"(\d+\.\d+\.\d+)", printed.stdout).group(1)

    def run_nothing(*args: object, **kwargs: object) -> bytes:
        raise AssertionError(f"a process was run: {args}")

    monkeypatch.setattr(dagster_dbt.core.resource, "check_output", run_nothing)
    resource = dbt_cli()
    assert str(resource._cli_version) == expected
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    calls = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in calls
    assert "self._initialize_dbt_core_adapter(" in calls


def test_a_large_warehouse_is_built_two_models_at_a_time_unless_the_setting_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two dbt threads from LARGE_BUILD_ROWS raw rows on (here 10), else the profile's one;
    KEPU_DBT_THREADS, when set, is left to the profile."""
    from orchestration.defs import dbt as dbt_defs

    monkeypatch.setattr(dbt_defs, "LARGE_BUILD_ROWS", 10)
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.regions as select range as r from range(6)")
        con.execute("create table raw.population as select range as r from range(3)")
        con.execute("create table main.elsewhere as select range as r from range(50)")
    assert dbt_defs.duckdb_threads(warehouse, {}) == []  # 9 raw rows
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw.population values (3)")
    assert dbt_defs.duckdb_threads(warehouse, {}) == ["--threads", "2"]  # 10
    assert dbt_defs.duckdb_threads(warehouse, {"KEPU_DBT_THREADS": "1"}) == []
    assert dbt_defs.duckdb_threads(tmp_path / "none.duckdb", {}) == []
