"""The survey's large tables are built a wave at a time (macros/table_by_wave.sql): on the
demo, which has several waves, the cells and estimates equal what one statement over all
waves gives, the same macros rendered with plain Jinja and run on the demo's design; the
respondents' scores and the literacy estimates equal their models' SQL as dbt compiles it
outside a build, where no wave is set and one statement computes every wave."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingest.home import KepuHome
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.estimate import cell_proportions_sql, region_group_cells_sql

DIMENSIONS = ["sex", "urban_rural", "age_band", "education", "occupation"]
DOMAIN = ["wave_id", "region_code", "group_dimension", "group_value"]
CELL = [*DOMAIN, "stratum", "psu"]


ONE_STATEMENT_MODELS = ("int_survey_respondents_scored", "fct_literacy_estimate")


@pytest.fixture(scope="module")
def all_waves_sql(demo_home: KepuHome, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The SQL of each of ONE_STATEMENT_MODELS as `dbt compile` writes it for the demo's
    warehouse (before this module opens it: dbt takes the file's lock)."""
    target = tmp_path_factory.mktemp("compiled")
    env = {**os.environ, "KEPU_WAREHOUSE": str(demo_home.warehouse), "DBT_TARGET_PATH": str(target)}
    subprocess.run(
        [DBT_EXECUTABLE, "compile", "--select", *ONE_STATEMENT_MODELS, "--quiet"],
        cwd=DBT_PROJECT_DIR,
        env=env,
        check=True,
    )
    nodes = json.loads(Path(target, "manifest.json").read_text())["nodes"].values()
    return {n["name"]: n["compiled_code"] for n in nodes if n["name"] in ONE_STATEMENT_MODELS}


@pytest.fixture(scope="module")
def warehouse(demo_home: KepuHome, all_waves_sql: dict) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(demo_home.warehouse), read_only=True)
    yield connection
    connection.close()


def all_waves_cells(warehouse: duckdb.DuckDBPyConnection) -> str:
    """The cells of every wave in one statement: the domain regions as the model joins
    them (each region and its ancestors within the wave's coverage), then the macro."""
    warehouse.execute("""
        create or replace temp view domain_regions as
        select waves.wave_id, ancestors.region_code, ancestors.ancestor_code as domain_region_code
        from intermediate.int_survey_waves_current as waves
        inner join intermediate.int_region_ancestors as within_coverage
            on waves.region_code = within_coverage.ancestor_code
        inner join intermediate.int_region_ancestors as ancestors
            on within_coverage.region_code = ancestors.ancestor_code
    """)
    return region_group_cells_sql("intermediate.int_survey_design", "domain_regions", DIMENSIONS)


def test_the_demo_has_several_waves_each_with_its_own_cells(warehouse) -> None:
    waves = warehouse.sql("""
        select wave_id, count(*) from intermediate.int_survey_domain_cells
        group by wave_id order by wave_id
    """).fetchall()
    assert len(waves) >= 2
    assert all(count > 0 for _, count in waves)


def test_cells_built_a_wave_at_a_time_equal_one_statement_over_all_waves(warehouse) -> None:
    built = warehouse.sql("select * from intermediate.int_survey_domain_cells").df()
    expected = warehouse.sql(all_waves_cells(warehouse)).df()
    built = built.sort_values(CELL, ignore_index=True)
    expected = expected[built.columns].sort_values(CELL, ignore_index=True)
    assert len(built) == len(expected) > 1000
    assert built[CELL].equals(expected[CELL])
    assert built["sample_size"].tolist() == expected["sample_size"].tolist()
    for column in ("weighted_n", "weighted_yes"):
        np.testing.assert_allclose(built[column], expected[column], rtol=1e-12, atol=0)


def test_estimates_built_a_wave_at_a_time_equal_one_statement_over_all_waves(warehouse) -> None:
    warehouse.execute(f"create or replace temp table all_cells as {all_waves_cells(warehouse)}")
    built = warehouse.sql("select * from intermediate.int_survey_estimates").df()
    expected = warehouse.sql(
        cell_proportions_sql("intermediate.int_survey_design", "all_cells", DOMAIN[1:])
    ).df()
    built = built.sort_values(DOMAIN, ignore_index=True)
    expected = expected[built.columns].sort_values(DOMAIN, ignore_index=True)
    assert len(built) == len(expected) > 100
    assert built[DOMAIN].equals(expected[DOMAIN])
    for column in ("sample_size", "degrees_of_freedom", "lonely_strata"):
        assert built[column].tolist() == expected[column].tolist(), column
    # Σw of ~10^6 differs in its last bits with the order of summation
    np.testing.assert_allclose(built["weighted_n"], expected["weighted_n"], rtol=1e-12, atol=0)
    for column in ("estimate", "variance", "standard_error"):
        np.testing.assert_allclose(built[column], expected[column], rtol=0, atol=1e-12,
                                   equal_nan=True, err_msg=column)  # fmt: skip


def test_each_waves_overall_estimate_is_its_weighted_share_by_hand(warehouse) -> None:
    """Independent of the macros: per wave, the coverage region's overall ratio is
    Σ w·y / Σ w over the wave's adults in pandas."""
    design = warehouse.sql("select wave_id, weight, outcome from intermediate.int_survey_design")
    frame = design.df()
    by_hand = (
        frame.assign(weighted_yes=frame["weight"] * frame["outcome"])
        .groupby("wave_id")[["weight", "weighted_yes"]]
        .sum()
    )
    by_hand = by_hand["weighted_yes"] / by_hand["weight"]
    overall = warehouse.sql("""
        select estimates.wave_id, estimates.estimate
        from intermediate.int_survey_estimates as estimates
        inner join intermediate.int_survey_waves_current as waves
            on estimates.wave_id = waves.wave_id and estimates.region_code = waves.region_code
        where estimates.group_dimension = 'total'
    """)
    built = overall.df().set_index("wave_id")["estimate"]
    assert len(built) >= 2
    pd.testing.assert_series_equal(
        built.sort_index(), by_hand.loc[built.index].sort_index(), check_names=False,
        rtol=1e-12, atol=0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("intermediate.int_survey_respondents_scored", ["wave_id", "respondent_id"]),
        ("marts.fct_literacy_estimate", ["literacy_estimate_id"]),
    ],
)
def test_a_table_built_a_wave_at_a_time_equals_its_sql_over_all_waves(
    warehouse, all_waves_sql, model, key
) -> None:
    """Every respondent's score and every domain's estimate, flag and reason: the same
    rows as the model's one statement over every wave, the numbers to 1e-12."""
    built = warehouse.sql(f"select * from {model}").df().sort_values(key, ignore_index=True)
    expected = warehouse.sql(all_waves_sql[model.split(".")[1]]).df()
    expected = expected[built.columns].sort_values(key, ignore_index=True)
    assert built["wave_id"].nunique() >= 2
    assert len(built) == len(expected) > 1000
    numbers = [c for c in built.columns if pd.api.types.is_float_dtype(built[c])]
    others = [c for c in built.columns if c not in numbers]
    pd.testing.assert_frame_equal(built[others], expected[others])
    for column in numbers:
        np.testing.assert_allclose(built[column], expected[column], rtol=1e-12, atol=0,
                                   equal_nan=True, err_msg=column)  # fmt: skip
