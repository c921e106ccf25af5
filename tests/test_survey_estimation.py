"""Design-based proportions: the warehouse's SQL (via `kepu estimate`) against `svy` and
against hand calculations, on small designs with the awkward cases."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.estimate import cell_proportions_sql, estimate, region_group_cells_sql
from orchestration.svy_reference import svy_proportions
from survey.intervals import t_quantile

TOLERANCE = 1e-9
COMPARED = ["estimate", "standard_error", "ci_logit_lower", "ci_logit_upper",
            "ci_beta_lower", "ci_beta_upper"]  # fmt: skip
SVY_NAMES = {"se": "standard_error", "n": "sample_size"}


def design(seed: int, strata: int = 4, lonely: bool = False, domains: int = 3) -> pd.DataFrame:
    """A stratified two-stage sample: 3–6 PSUs per stratum (one in stratum 0 if `lonely`),
    5–15 respondents per PSU, unequal weights, a 0/1 outcome and a domain variable."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(strata):
        psus = 1 if lonely and h == 0 else int(rng.integers(3, 7))
        for j in range(psus):
            for _ in range(int(rng.integers(5, 16))):
                rows.append({"stratum": f"s{h}", "psu": f"s{h}-p{j}", "w": rng.uniform(0.5, 4),
                             "y": int(rng.random() < 0.3),
                             "group": "g" + str(rng.integers(domains)),
                             "N": psus * 7, "f": 0.2})  # fmt: skip
    return pd.DataFrame(rows)


def compare(
    frame: pd.DataFrame, strata: str | None = None, **options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ours = estimate(frame, weight="w", psu="psu", outcome="y", strata=strata, **options)
    reference = svy_proportions(frame, weight="w", psu="psu", outcome="y", strata=strata, **options)
    reference = reference.rename(columns=SVY_NAMES).set_index("domain")
    ours = ours.set_index("domain")
    if options.get("domain") is None:
        reference.index = ["all"]
    return ours, reference.loc[ours.index]


def assert_same(ours: pd.DataFrame, reference: pd.DataFrame) -> None:
    for column in COMPARED:
        np.testing.assert_allclose(ours[column], reference[column], rtol=0, atol=TOLERANCE,
                                   equal_nan=True, err_msg=column)  # fmt: skip
    assert ours["degrees_of_freedom"].tolist() == reference["df"].astype(int).tolist()
    assert ours["sample_size"].tolist() == reference["sample_size"].tolist()
    np.testing.assert_allclose(ours["weighted_n"], reference["weighted_n"], rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_domains_of_a_stratified_cluster_design_match_svy(seed: int) -> None:
    assert_same(*compare(design(seed), strata="stratum", domain="group"))


def test_the_whole_sample_matches_svy() -> None:
    assert_same(*compare(design(4), strata="stratum"))


@pytest.mark.parametrize("lonely", ["remove", "adjust", "average"])
def test_a_lonely_psu_is_handled_as_svy_does(lonely: str) -> None:
    frame = design(5, lonely=True)
    assert_same(*compare(frame, strata="stratum", domain="group", lonely=lonely))
    assert_same(*compare(frame, strata="stratum", lonely=lonely))


def test_lonely_fail_refuses_to_estimate() -> None:
    with pytest.raises(ValueError, match="single PSU"):
        estimate(design(5, lonely=True), weight="w", psu="psu", outcome="y", strata="stratum")


@pytest.mark.parametrize("fpc", ["N", "f"])
def test_a_finite_population_correction_matches_svy(fpc: str) -> None:
    assert_same(*compare(design(6), strata="stratum", domain="group", fpc=fpc))


def test_a_domain_absent_from_whole_strata_keeps_every_psu() -> None:
    frame = design(7)
    frame.loc[frame["stratum"].isin(["s0", "s1"]) & (frame["group"] == "g2"), "group"] = "g1"
    ours, reference = compare(frame, strata="stratum", domain="group")
    assert_same(ours, reference)
    assert ours.loc["g2", "degrees_of_freedom"] < ours.loc["g1", "degrees_of_freedom"]


def test_a_domain_with_no_successes_has_zero_estimate_and_defined_outputs() -> None:
    frame = design(8)
    frame.loc[frame["group"] == "g0", "y"] = 0
    ours, reference = compare(frame, strata="stratum", domain="group")
    assert_same(ours, reference)
    zero = ours.loc["g0"]
    assert (zero.estimate, zero.standard_error, zero.ci_beta_lower) == (0.0, 0.0, 0.0)
    assert np.isnan(zero.ci_logit_lower) and 0 < zero.ci_beta_upper < 1


def test_a_design_without_strata_matches_svy() -> None:
    frame = design(9)
    assert_same(*compare(frame, domain="group"))
    population_psus = frame.assign(N=frame["psu"].nunique() * 5)
    assert_same(*compare(population_psus, domain="group", fpc="N"))


def test_a_hand_calculated_design() -> None:
    """Two strata of two PSUs, weights 1 and 3.

    p̂ = Σwy/Σw = (1·1 + 3·0 + 1·1 + 1·1 + 3·1 + 1·0) / (1+3+1+1+3+1) = 6/10 = 0.6.
    z_i = w_i(y_i − 0.6)/10; PSU totals: A1 = (0.4 − 1.8)/10 = −0.14, A2 = 0.04,
    B1 = (0.4 + 1.2)/10 = 0.16, B2 = −0.06.
    V = 2/1·[(−0.14 − (−0.05))² + (0.04 − (−0.05))²] + 2·[(0.16 − 0.05)² + (−0.06 − 0.05)²]
      = 2·(0.0081 + 0.0081) + 2·(0.0121 + 0.0121) = 0.0808; SE = √0.0808; df = 4 − 2 = 2.
    """
    frame = pd.DataFrame({
        "stratum": ["A", "A", "A", "B", "B", "B"],
        "psu": ["A1", "A1", "A2", "B1", "B1", "B2"],
        "w": [1, 3, 1, 1, 3, 1], "y": [1, 0, 1, 1, 1, 0],
    })  # fmt: skip
    (row,) = estimate(frame, weight="w", psu="psu", outcome="y", strata="stratum").itertuples()
    assert row.estimate == pytest.approx(0.6, abs=1e-15)
    assert row.standard_error == pytest.approx(0.0808**0.5, abs=1e-15)
    assert row.degrees_of_freedom == 2


def warehouse_cells_path(frame: pd.DataFrame, parents: dict[str, str]) -> pd.DataFrame:
    """The warehouse's path in DuckDB: int_survey_domain_cells' macro over regions and
    their parent, then int_survey_estimates' macro over the cells."""
    design = pd.DataFrame({
        "wave_id": "w", "region_code": frame["region"], "stratum": frame["stratum"],
        "psu": frame["psu"], "weight": frame["w"], "outcome": frame["y"].astype(float),
        "fpc": frame["N"].astype(float), "lonely_psu": "adjust", "grp": frame["group"],
    })  # fmt: skip
    domain_regions = pd.DataFrame(
        [("w", child, region) for child, parent in parents.items() for region in (child, parent)],
        columns=["wave_id", "region_code", "domain_region_code"],
    )
    keys = ["region_code", "group_dimension", "group_value"]
    with duckdb.connect() as con:
        con.register("design", design)
        con.register("domain_regions", domain_regions)
        con.execute(
            f"create table cells as {region_group_cells_sql('design', 'domain_regions', ['grp'])}"
        )
        result = con.execute(cell_proportions_sql("design", "cells", keys)).df()
    return result.set_index(keys).sort_index()


def test_region_and_group_cells_with_fpc_and_a_lonely_psu_match_svy() -> None:
    """Regions A and B cut across PSUs (each respondent drawn into one) and roll up to P;
    stratum s0 has one PSU (lonely 'adjust'); fpc N_h = PSUs × 7. Each of the 3 regions ×
    (all + 3 groups) domains equals svy's domain estimate on the pooled microdata."""
    frame = design(10, lonely=True)
    frame["region"] = np.random.default_rng(10).choice(["A", "B"], len(frame))
    ours = warehouse_cells_path(frame, {"A": "P", "B": "P"})
    rows = []
    for region in ("A", "B", "P"):
        member = frame["region"].isin([region] if region != "P" else ["A", "B"])
        for dimension, labels in (
            ("total", pd.Series("all", frame.index)),
            ("grp", frame["group"]),
        ):
            domain = labels.where(member, "\x00outside")
            reference = svy_proportions(frame.assign(domain=domain), weight="w", psu="psu",
                                        outcome="y", strata="stratum", domain="domain", fpc="N",
                                        lonely="adjust")  # fmt: skip
            reference = reference[reference["domain"] != "\x00outside"]
            rows.append(reference.assign(region_code=region, group_dimension=dimension))
    expected = pd.concat(rows).rename(columns={"domain": "group_value"})
    expected = expected.set_index(ours.index.names).sort_index()
    assert ours.index.equals(expected.index) and len(ours) == 3 * 4
    assert (ours["lonely_strata"] == 1).all()
    assert ours["sample_size"].tolist() == expected["n"].tolist()
    assert ours["degrees_of_freedom"].tolist() == expected["df"].astype(int).tolist()
    for column, reference_column in (("estimate", "estimate"), ("standard_error", "se"),
                                     ("weighted_n", "weighted_n")):  # fmt: skip
        np.testing.assert_allclose(ours[column], expected[reference_column], rtol=1e-12,
                                   atol=1e-15, err_msg=column)  # fmt: skip


def test_t_quantiles_of_repeated_and_undefined_df_are_the_printed_table() -> None:
    """t_{df, 0.975} from a printed t table (2: 4.303, 30: 2.042, 1: 12.706), each row its
    own df's value whichever order they come in; none for df ≤ 0 or missing."""
    df = pd.Series([2, 0, 30, 2, -1, np.nan, 1, 30])
    quantiles = t_quantile(df)
    np.testing.assert_allclose(quantiles[[0, 2, 3, 6, 7]], [4.303, 2.042, 4.303, 12.706, 2.042],
                               atol=5e-4)  # fmt: skip
    assert np.isnan(quantiles[[1, 4, 5]]).all()
