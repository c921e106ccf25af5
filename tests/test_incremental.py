"""A late file rebuilds only what depends on it (orchestration.incremental) and publishes
what a full build of the same warehouse publishes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from ingest.home import KepuHome
from ingest.load import load_files
from orchestration import build_state, incremental
from orchestration.defs.project import DBT_PROJECT_DIR
from tests.helpers import REGIONS_ROWS, write_sheet
from tests.test_crash import KEPU, REPO, _env
from tests.test_dashboard_upload import POPULATION, copy_home, edited

SHENZHEN_ROW, RESIDENT_COLUMN = 3, "C"  # 440300's resident population (万人) in the return
CORRECTED_RESIDENT = 1800.00  # the demo return says 1789.60
PER_CAPITA = (
    "select numerator_value, denominator_value, value from fct_indicator_value "
    "where indicator_code = 'per_capita_funding' and region_code = '440300' and year = 2024"
)

STALE_FORM = (
    "insert into intermediate.int_kp_forms_current values "
    "('kp_persons', '330304X', 2024, '', 'full_time_staff', 'person', 1.0, null, 1)"
)
FORMS_OF_STALE_UNIT = (
    "select count(*) from intermediate.int_kp_forms_current where unit_code = '330304X'"
)


def _built_home(demo_home: KepuHome, target: Path) -> KepuHome:
    """A copy of the demo home with the record that its warehouse is a whole build."""
    home = copy_home(demo_home, target)
    shutil.copy2(demo_home.root / "build.json", home.root / "build.json")
    return home


def _latest_run(home: KepuHome) -> dg.DagsterRun:
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        return instance.get_runs(limit=1)[0]


def _published(home: KepuHome) -> dict[str, pd.DataFrame]:
    """Every table of the snapshot, rows in a fixed order."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        tables = [name for (name,) in con.execute("show tables").fetchall()]
        return {t: con.execute(f"select * from {t} order by all").df() for t in tables}


def test_a_late_population_return_rebuilds_its_dependants_and_equals_a_full_build(
    demo_home: KepuHome, tmp_path: Path
) -> None:
    home = _built_home(demo_home, tmp_path / "kepu")
    with duckdb.connect(str(home.published), read_only=True) as con:
        numerator, denominator, _ = con.execute(PER_CAPITA).fetchone()
    assert denominator == 17_896_000  # 1789.60 万人 as the demo return says
    late = tmp_path / "population_2024_corrected.xlsx"
    source = demo_home.demo / POPULATION
    late.write_bytes(edited(source, SHENZHEN_ROW, RESIDENT_COLUMN, CORRECTED_RESIDENT))

    done = subprocess.run(
        [*KEPU, "ingest", str(late)], env=_env(home), cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = _latest_run(home)
    whole = json.loads((demo_home.root / "build.json").read_text(encoding="utf-8"))["run_id"]
    assert run.tags.get(incremental.PARTIAL_TAG) == whole  # its snapshot holds the rest
    selected = {key.to_user_string() for key in run.asset_selection}
    assert {"raw/population", "marts/fct_indicator_value", "published_snapshot"} <= selected
    assert not selected & {"raw/survey_respondents", "intermediate/int_survey_estimates"}
    assert not selected & {"marts/fct_kp_statistic", "marts/fct_facility_coverage"}

    partial = _published(home)
    with duckdb.connect(str(home.published), read_only=True) as con:
        assert con.execute(PER_CAPITA).fetchone() == pytest.approx(
            (numerator, 18_000_000, numerator / 18_000_000), rel=1e-12
        )
    checks = partial["validation_result"]
    gx = set(checks.loc[checks["check_kind"] == "gx", "check_name"])
    assert {"gx_population", "gx_survey_respondents", "gx_regions"} <= gx  # kept from before
    assert checks["passed"].all()

    # A row the current forms' incremental model holds from other code: a full build
    # computes the model whole (--full-refresh), so it goes.
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(STALE_FORM)
    rebuilt = subprocess.run([*KEPU, "build"], env=_env(home), cwd=REPO, capture_output=True)
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()[-3000:]
    assert incremental.PARTIAL_TAG not in _latest_run(home).tags
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute(FORMS_OF_STALE_UNIT).fetchone() == (0,)
    # The full build started from the partial run's parse, kept in the home: dbt did not
    # parse the whole project again for a profile it had not parsed with.
    assert home.dbt_parse.is_file()
    [target] = (DBT_PROJECT_DIR / "target").glob(
        f"kepu_dbt_models-{_latest_run(home).run_id[:7]}-*"
    )
    log = "".join(part.read_text(encoding="utf-8") for part in target.glob("dbt.log*"))  # rotated
    assert "Running with dbt=" in log  # from its start
    assert "Unable to do partial parsing" not in log
    full = _published(home)
    assert partial.keys() == full.keys()
    for table in sorted(full.keys() - {"snapshot_info", "validation_result"}):
        pd.testing.assert_frame_equal(partial[table], full[table], obj=table)
    dbt_checks = {
        frame: set(
            map(tuple, snapshot["validation_result"].query("check_kind == 'dbt'").to_numpy())
        )
        for frame, snapshot in (("partial", partial), ("full", full))
    }
    assert dbt_checks["partial"] == dbt_checks["full"]
    assert len(dbt_checks["full"]) > 400  # every data test of the project


def test_a_warehouse_not_known_to_be_a_whole_build_of_this_code_is_rebuilt_whole(
    home: KepuHome, tmp_path: Path, definitions: dg.Definitions
) -> None:
    graph = definitions.resolve_asset_graph()

    def chosen(paths: list[Path]) -> list[dg.AssetKey] | None:
        return incremental.selection(incremental.base_build(home), paths, graph)

    header = ["地区代码", "年份", "常住人口(万人)", "户籍人口(万人)"]
    files = [write_sheet(tmp_path / "人口.xlsx", "人口", [header, ["330304", 2024, 97.7, 45.8]])]
    assert chosen(files) is None  # nothing recorded yet
    build_state.record_build(home, "run")
    subset = chosen(files)
    assert subset is not None and dg.AssetKey(["raw", "population"]) in subset
    assert dg.AssetKey(["intermediate", "int_survey_estimates"]) not in subset
    state = json.loads((home.root / "build.json").read_text(encoding="utf-8"))
    (home.root / "build.json").write_text(json.dumps(state | {"project_digest": "other code"}))
    assert chosen(files) is None
    build_state.record_build(home, "run")
    build_state.forget_build(home)  # what a dbt build does first
    assert chosen(files) is None
    build_state.record_build(home, "run")
    regions = write_sheet(tmp_path / "地区.xlsx", "地区", REGIONS_ROWS)
    [outcome] = load_files([regions], home)  # as `kepu ingest --no-build` and uploads do
    assert outcome.status == "accepted" and not home.build_record.exists()
    assert chosen(files) is None
    build_state.record_build(home, "run")
    unknown = tmp_path / "notes.csv"
    unknown.write_text("甲,乙\n1,2\n", encoding="utf-8")
    assert chosen([*files, unknown]) is None


def test_a_load_outside_the_announced_tables_is_told() -> None:
    selected = [dg.AssetKey(["raw", "population"]), dg.AssetKey(["marts", "fct_funding"])]
    loads = [{"rows": {"population": 4, "load_audit": 1}}, {"rows": {"funding_returns": 0}}]
    assert incremental.missed_tables(loads, selected) == {"load_audit"}
    loads.append({"rows": {"facilities": 3}})
    assert incremental.missed_tables(loads, selected) == {"load_audit", "facilities"}


def test_a_late_county_return_rebuilds_its_forms_and_the_load_reports_only(
    home: KepuHome, tmp_path: Path, definitions: dg.Definitions
) -> None:
    """A county's 科普统计 return appends load audit rows; the models that read the audit
    only to look up their own inputs' loads (AUDIT_LOOKUPS) and what is computed from them
    (literacy, funding, every indicator value) are not rebuilt for it."""
    from generator import SEED
    from orchestration.bench_rebuild import late_county_return

    late = late_county_return("district", SEED, tmp_path / "late")
    build_state.record_build(home, "run")
    graph = definitions.resolve_asset_graph()
    subset = incremental.selection(incremental.base_build(home), [late], graph)
    assert subset is not None
    models = {key.path[-1] for key in subset if key.path[0] not in ("raw", "staging")}
    assert models == {
        "int_kp_forms_current",
        "int_kp_units_current",
        "fct_kp_change_flag",
        "fct_kp_headline",
        "fct_kp_statistic",
        "fct_load_audit",
        "fct_load_outcome",
        "fct_load_problem",
        "published_snapshot",
    }
    assert dg.AssetKey(["raw", "load_audit"]) in subset
