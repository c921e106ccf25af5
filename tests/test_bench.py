"""`kepu bench survey` at a small scale: the warehouse macro, the hand-written DuckDB floor
and `svy` give the same numbers; sample sizes and df equal a pandas count of the
respondents. No timings are asserted: speed goals live in the benchmark's output."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration import bench

RESPONDENTS = 3_000


@pytest.fixture(scope="module")
def wave() -> pd.DataFrame:
    return bench.national_wave(RESPONDENTS)


def test_the_macro_the_floor_and_svy_agree_to_1e_12(tmp_path, wave: pd.DataFrame) -> None:
    result = bench.run(RESPONDENTS)
    figures = json.loads(bench.write_json(result, tmp_path / "survey.json").read_text())
    # 32 regions × (overall + 2 sexes + 2 urban/rural + 5 age bands + 5 educations
    # + 10 occupations), every one observed in a wave of 3,000
    assert figures["domains"] == 32 * 25
    assert figures["respondents"] == RESPONDENTS
    for difference in ("ours_vs_floor_estimate", "ours_vs_floor_se",
                       "ours_vs_svy_estimate", "ours_vs_svy_se"):  # fmt: skip
        assert figures[difference] <= 1e-12, difference
    assert figures["ours_over_floor"] == figures["ours"]["seconds"] / figures["floor"]["seconds"]
    assert figures["memory_measure"].startswith("peak RSS (VmHWM)")


def test_an_estimator_whose_child_dies_is_an_error_naming_the_exit_code() -> None:
    """`pow` is no estimator: its child fails on the warm-up wave (exit code 1) before it
    reports. The bench says so; it used to wait for the report without end."""
    with pytest.raises(RuntimeError, match="running _child exited with code 1 before it reported"):
        bench.measure(pow, RESPONDENTS)


def test_sample_sizes_weights_estimates_and_df_equal_a_pandas_count(wave: pd.DataFrame) -> None:
    labels = bench._domain_frame(wave)
    rows = []
    for grouping in labels.columns:
        cells = wave.assign(domain=labels[grouping], wy=wave["weight"] * wave["outcome"])
        per_domain = cells.groupby("domain").agg(
            sample_size=("weight", "size"), weighted_n=("weight", "sum"),
            weighted_yes=("wy", "sum"), psus=("psu", "nunique"), strata=("stratum", "nunique"),
        )  # fmt: skip
        rows.append(per_domain.reset_index().assign(grouping=grouping))
    expected = pd.concat(rows).set_index(bench.KEYS).sort_index()
    ours = bench.ours(wave).result.set_index(bench.KEYS).sort_index()
    assert ours.index.equals(expected.index)
    assert ours["sample_size"].tolist() == expected["sample_size"].tolist()
    assert ours["degrees_of_freedom"].tolist() == (expected["psus"] - expected["strata"]).tolist()
    pd.testing.assert_series_equal(ours["weighted_n"], expected["weighted_n"], check_names=False,
                                   rtol=1e-14, atol=0)  # fmt: skip
    pd.testing.assert_series_equal(
        ours["estimate"], expected["weighted_yes"] / expected["weighted_n"], check_names=False,
        rtol=0, atol=1e-15,
    )  # fmt: skip


def test_a_domain_inside_one_psu_has_zero_df_and_no_spread(wave: pd.DataFrame) -> None:
    """p̂ is the PSU's own mean, so its one linearised total is 0: SE 0 and df 0, which
    the intervals turn into a suppressed estimate (int_survey_intervals)."""
    one_psu = wave[wave["psu"] == wave["psu"].iloc[0]]
    single = pd.concat([wave, one_psu.assign(occupation="occupation_99")], ignore_index=True)
    ours = bench.ours(single).result.set_index(bench.KEYS)
    region = one_psu["region"].iloc[0]
    row = ours.loc[("occupation", f"{region}|occupation_99")]
    assert row["degrees_of_freedom"] == 0
    assert row["sample_size"] == len(one_psu)
    assert abs(row["standard_error"]) < 1e-12


def test_the_dashboard_report_puts_each_page_beside_the_trivial_page_and_the_goals() -> None:
    from orchestration.bench_dashboard import DashboardBench, PageTimes, report

    result = DashboardBench(
        repeats=3,
        pages={
            "overview": PageTimes(cold_first_paint=4.0, warm_first_paint=1.5,
                                  returning_first_paint=1.2, warm_settled=2.0,
                                  filter_change=0.6, language_switch=1.2),
            "literacy": PageTimes(cold_first_paint=5.0, warm_first_paint=2.0,
                                  returning_first_paint=1.6, warm_settled=3.0,
                                  filter_change=0.25, language_switch=1.5),
            "target": PageTimes(cold_first_paint=4.5, warm_first_paint=1.8,
                                returning_first_paint=1.0, warm_settled=2.5,
                                filter_change=0.45, language_switch=1.0),
        },
        trivial=PageTimes(cold_first_paint=2.0, warm_first_paint=1.0, returning_first_paint=0.8,
                          warm_settled=1.0, filter_change=0.3, language_switch=0.4),
    )  # fmt: skip
    lines = report(result).splitlines()
    assert lines[1].split() == ["overview", "literacy", "target", "trivial"]
    assert lines[2].split() == [
        "first", "paint,", "fresh", "server", "4.00s", "2.00×", "5.00s", "2.50×", "4.50s",
        "2.25×", "2.00s",
    ]  # fmt: skip
    assert lines[3].split() == [
        "first", "paint", "1.50s", "1.50×", "2.00s", "2.00×", "1.80s", "1.80×", "1.00s"
    ]  # fmt: skip
    assert lines[4].split() == [
        "first", "paint,", "returning", "1.20s", "1.50×", "1.60s", "2.00×", "1.00s", "1.25×",
        "0.80s",
    ]  # fmt: skip
    assert lines[6].split() == [
        "filter", "change", "0.60s", "2.00×", "0.25s", "0.83×", "0.45s", "1.50×", "0.30s"
    ]  # fmt: skip
    assert lines[7].split() == [
        "language", "switch", "1.20s", "3.00×", "1.50s", "3.75×", "1.00s", "2.50×", "0.40s"
    ]  # fmt: skip
    assert lines[8] == (
        "goals: first paint ≤ 1.5× the trivial page (overview 1.50×, literacy 2.00×, target 1.80×)"
    )
    assert lines[9] == (
        "       filter change ≤ 0.5 s (overview 0.60 s, literacy 0.25 s, target 0.45 s)"
    )


def test_the_dashboard_json_holds_every_page_and_its_first_paint_ratio(tmp_path) -> None:
    import json

    from orchestration.bench_dashboard import DashboardBench, PageTimes, write_json

    def times(first_paint: float) -> PageTimes:
        return PageTimes(cold_first_paint=3.0, warm_first_paint=first_paint,
                         returning_first_paint=first_paint, warm_settled=2.0,
                         filter_change=0.4, language_switch=1.0)  # fmt: skip

    result = DashboardBench(
        repeats=2,
        pages={"overview": times(1.2), "literacy": times(1.6), "target": times(2.0)},
        trivial=times(0.8),
    )
    write_json(result, tmp_path / "dashboard.json")
    figures = json.loads((tmp_path / "dashboard.json").read_text())
    assert sorted(figures["pages"]) == ["literacy", "overview", "target"]
    assert figures["pages"]["literacy"]["warm_first_paint"] == 1.6
    assert figures["first_paint_ratio"] == pytest.approx(
        {"overview": 1.5, "literacy": 2.0, "target": 2.5}
    )
