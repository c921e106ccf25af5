"""Literacy estimates in the warehouse: calibrated levels, the same numbers as `kepu
estimate` and `svy`, pooled parent regions, gaps with their SE, suppression."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingest.home import KepuHome
from orchestration.estimate import estimate
from orchestration.svy_reference import svy_proportions

SECTIONS = ["科学知识", "科学方法", "科学精神与思想", "应用能力"]


def published(home: KepuHome, sql: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(sql, params or []).df()


def wave_design(home: KepuHome, wave_id: str) -> pd.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select * from intermediate.int_survey_design where wave_id = ?", [wave_id]
        ).df()


def workbook_respondents(home: KepuHome, wave_id: str) -> pd.DataFrame:
    """The wave's respondents sheet read by pandas, not by the project's reader."""
    frame = pd.read_excel(home.demo / f"survey_{wave_id}.xlsx", sheet_name="受访者")
    frame.columns = [str(c).split(" / ")[-1] for c in frame.columns]
    return frame


@pytest.mark.parametrize(
    ("wave_id", "region_code", "published_percent"),
    [("beijing-2020", "110000", 24.07), ("ouhai-2025", "330304", 17.60)],
)
def test_demo_waves_hit_their_calibration_levels(
    demo_home: KepuHome, wave_id: str, region_code: str, published_percent: float
) -> None:
    row = published(
        demo_home,
        "select estimate, quality_flag from fct_literacy_estimate where wave_id = ? "
        "and region_code = ? and group_dimension = 'total'",
        [wave_id, region_code],
    ).iloc[0]
    assert round(row.estimate * 100, 2) == published_percent
    assert row.quality_flag == "present"


def test_the_district_estimate_pools_all_its_towns_microdata(demo_home: KepuHome) -> None:
    """Recomputed from the workbook: literate = section total ≥ 70, adults 18–69 only."""
    respondents = workbook_respondents(demo_home, "ouhai-2023")
    adults = respondents[respondents["age"].between(18, 69)]
    literate = adults[SECTIONS].sum(axis=1) >= 70
    expected = np.average(literate, weights=adults["weight"])
    district = published(
        demo_home,
        "select estimate, sample_size from fct_literacy_estimate where wave_id = 'ouhai-2023' "
        "and region_code = '330304' and group_dimension = 'total'",
    ).iloc[0]
    assert district.estimate == pytest.approx(expected, abs=1e-12)
    assert district.sample_size == len(adults) < len(respondents)
    towns = published(
        demo_home,
        "select sum(sample_size) as n from fct_literacy_estimate where wave_id = 'ouhai-2023' "
        "and length(region_code) = 9 and group_dimension = 'total'",
    ).iloc[0]
    assert towns.n == district.sample_size


def test_the_warehouse_kepu_estimate_and_svy_agree_on_a_demo_wave(demo_home: KepuHome) -> None:
    design = wave_design(demo_home, "ouhai-2023")
    options = dict(weight="weight", psu="psu", outcome="outcome", strata="stratum",
                   domain="education", fpc="fpc", lonely="adjust")  # fmt: skip
    cli = estimate(design, **options).set_index("domain")
    reference = svy_proportions(design, **options).set_index("domain")
    warehouse = (
        published(
            demo_home,
            "select group_value as domain, estimate, standard_error, degrees_of_freedom, "
            "ci_logit_lower, ci_beta_upper from fct_literacy_estimate where wave_id = 'ouhai-2023' "
            "and region_code = '330304' and group_dimension = 'education'",
        )
        .set_index("domain")
        .loc[cli.index]
    )
    for column in ("estimate", "standard_error", "ci_logit_lower", "ci_beta_upper"):
        np.testing.assert_allclose(warehouse[column], cli[column], rtol=0, atol=1e-12)
    np.testing.assert_allclose(warehouse["estimate"], reference.loc[cli.index, "estimate"],
                               rtol=0, atol=1e-9)  # fmt: skip
    np.testing.assert_allclose(warehouse["standard_error"], reference.loc[cli.index, "se"],
                               rtol=0, atol=1e-9)  # fmt: skip
    assert warehouse["degrees_of_freedom"].tolist() == reference.loc[cli.index, "df"].tolist()


def test_the_gap_between_men_and_women_has_the_se_of_the_difference(demo_home: KepuHome) -> None:
    """Independent numpy: linearised PSU totals of the difference, with fpc, per stratum."""
    design = wave_design(demo_home, "beijing-2024")
    z = np.zeros(len(design))
    for sex, sign in (("male", 1.0), ("female", -1.0)):
        member = (design["sex"] == sex).to_numpy()
        w, y = design["weight"].to_numpy() * member, design["outcome"].to_numpy()
        p = (w * y).sum() / w.sum()
        z += sign * w * (y - p) / w.sum()
    totals = pd.DataFrame({"stratum": design["stratum"], "psu": design["psu"], "z": z})
    psu_totals = totals.groupby(["stratum", "psu"])["z"].sum().reset_index()
    variance = sum(
        len(g) / (len(g) - 1) * ((g["z"] - g["z"].mean()) ** 2).sum()
        for _, g in psu_totals.groupby("stratum")
    )
    gap = published(
        demo_home,
        "select gap, standard_error, minuend_estimate - subtrahend_estimate as difference "
        "from fct_literacy_gap where wave_id = 'beijing-2024' and region_code = '110000' "
        "and gap_label = 'male-female'",
    ).iloc[0]
    assert gap.gap == pytest.approx(gap.difference, abs=1e-15)
    assert gap.standard_error == pytest.approx(variance**0.5, abs=1e-12)


def test_suppressed_estimates_carry_no_number_downstream(demo_home: KepuHome) -> None:
    counts = published(
        demo_home,
        "select (select count(*) from fct_literacy_estimate where quality_flag = 'suppress') "
        "as suppressed, (select count(*) from fct_indicator_value where indicator_code = "
        "'literacy_ratio' and quality_flag = 'suppress' and value is null and "
        "quality_reason is not null) as without_value, (select count(*) from "
        "fct_indicator_value where quality_flag = 'suppress' and value is not null) as leaked",
    ).iloc[0]
    assert counts.suppressed > 0
    assert counts.without_value == counts.suppressed
    assert counts.leaked == 0


def test_an_empty_domain_is_listed_with_no_estimate(demo_home: KepuHome) -> None:
    empty = published(
        demo_home,
        "select estimate, sample_size, quality_flag, quality_reason, quality_measure_value, "
        "quality_threshold from fct_literacy_estimate where sample_size = 0",
    )
    assert len(empty) > 0
    assert empty["estimate"].isna().all()
    assert set(empty["quality_flag"]) == {"suppress"}
    assert set(empty["quality_reason"]) == {"no_respondents"}
    assert (empty["quality_measure_value"] == 0).all() and (empty["quality_threshold"] == 1).all()


def test_nchs_rules_decide_the_flags(demo_home: KepuHome) -> None:
    """Recompute every flag from the published components (variance, n_eff, KG width, df):
    a domain whose variance cannot be estimated (no SE, no degrees of freedom, or an SE of
    rounding size while 0 < p < 1) is suppressed before the NCHS rules are asked."""
    rows = published(demo_home, "select * from fct_literacy_estimate where estimate is not null")
    width = rows["ci_beta_upper"] - rows["ci_beta_lower"]
    p = rows["estimate"]
    no_variance = (
        rows["standard_error"].isna()
        | (rows["degrees_of_freedom"] < 1)
        | ((p > 0) & (p < 1) & (rows["standard_error"] < 1e-9))
    )
    expected = np.select(
        [no_variance, rows["effective_sample_size"] < 30, width >= 0.30,
         (width > 0.05) & (p > 0) & (width / p > 1.30), rows["degrees_of_freedom"] < 8,
         (width > 0.05) & (p < 1) & (width / (1 - p) > 1.30)],
        ["suppress", "suppress", "suppress", "suppress", "review", "flag"],
        default="present",
    )  # fmt: skip
    assert (rows["quality_flag"] == expected).all()
    assert set(expected) >= {"present", "suppress", "review"}


def test_a_domain_inside_one_psu_is_suppressed_everywhere(demo_home: KepuHome) -> None:
    """Zengcheng 2019 has a stratum (a town) with one PSU: the town's estimate has SE ≈ 0
    and no degrees of freedom. It is suppressed as variance_not_estimable, and no number
    of it reaches the indicator values, the gaps or the dispersion of the towns."""
    town = published(
        demo_home,
        "select region_code, estimate, standard_error, degrees_of_freedom, quality_flag, "
        "quality_reason, quality_measure_value, quality_threshold from fct_literacy_estimate "
        "where wave_id = 'zengcheng-2019' and group_dimension = 'total' "
        "and degrees_of_freedom < 1",
    )
    assert len(town) >= 1
    assert (town["standard_error"].fillna(0) < 1e-9).all()
    assert set(town["quality_flag"]) == {"suppress"}
    assert set(town["quality_reason"]) == {"variance_not_estimable"}
    assert (town["quality_measure_value"] == 0).all() and (town["quality_threshold"] == 1).all()
    codes = town["region_code"].tolist()
    values = published(
        demo_home,
        "select value, quality_flag from fct_indicator_value where indicator_code = "
        "'literacy_ratio' and year = 2019 and group_dimension = 'total' and region_code in "
        f"({', '.join(repr(c) for c in codes)})",
    )
    assert values["value"].isna().all() and set(values["quality_flag"]) == {"suppress"}
    spread = published(
        demo_home,
        "select quality_flag from fct_literacy_dispersion where wave_id = 'zengcheng-2019' "
        "and region_code = '440118'",
    )
    assert set(spread["quality_flag"]) == {"suppress"}


def test_a_flag_states_the_measure_and_threshold_that_decided_it(demo_home: KepuHome) -> None:
    """n_eff 23.4 < 30: the value compared and the NCHS threshold are stored with the code."""
    rows = published(demo_home, "select * from fct_literacy_estimate where estimate is not null")
    width = rows["ci_beta_upper"] - rows["ci_beta_lower"]
    nchs = {
        "ess_below_30": (rows["effective_sample_size"], 30),
        "ci_width_30_or_more": (width, 0.30),
        "relative_ci_width_above_130": (width / rows["estimate"], 1.30),
        "df_below_8": (rows["degrees_of_freedom"], 8),
    }
    assert np.allclose(rows["ci_beta_width"], width, rtol=0, atol=1e-15, equal_nan=True)
    for reason, (measure, threshold) in nchs.items():
        fired = rows["quality_reason"] == reason
        assert fired.any(), reason
        assert np.allclose(rows.loc[fired, "quality_measure_value"], measure[fired], rtol=1e-15)
        assert (rows.loc[fired, "quality_threshold"] == threshold).all()
    present = rows["quality_flag"] == "present"
    assert rows.loc[present, ["quality_reason", "quality_measure_value"]].isna().all().all()


def test_the_dbt_python_models_share_the_survey_package_not_orchestration() -> None:
    models = Path(__file__).resolve().parent.parent / "dbt_project" / "models"
    sources = {path.name: path.read_text() for path in models.rglob("*.py")}
    assert sources and not [name for name, text in sources.items() if "orchestration" in text]
    assert all("from survey.intervals import" in text for text in sources.values())
