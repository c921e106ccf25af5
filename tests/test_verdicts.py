"""Verdicts an evaluator can sign: after a target's due year it is achieved or not achieved,
never a forward band; every kind of goal (gap, coverage, growth, context, tasks) is
judged; and for each plan the verdict of at least one achieved and one missed goal is
recomputed here by hand, with pandas, from the demo workbooks themselves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingest.home import REGISTRY_DIR, KepuHome
from ingest.specs import LIST_SEPARATORS
from orchestration.assess import build_assessment_warehouse

FINAL_STATUSES = {"achieved", "not_achieved", "insufficient_data", "not_judged"}
FORWARD_BANDS = {"on_track", "accelerate", "limited", "moving_away", "not_yet_due"}
Z = 1.959964  # progress_settings.change_critical_value
STATUS_WORDS = {"未启动": "not_started", "进行中": "in_progress", "已完成": "completed",
                "逾期": "overdue"}  # fmt: skip


def query(database: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """Rows of the marts: the published snapshot holds them in its main schema, an
    assessment's warehouse in `marts`."""
    with duckdb.connect(str(database), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select schema_name from duckdb_schemas()").fetchall()
        }
        if "marts" in schemas:
            con.execute("set schema 'marts'")
        return con.execute(sql, params or []).df()


def sheet(home: KepuHome, pattern: str, name: str) -> pd.DataFrame:
    """All rows of sheet `name` in the demo workbooks matching `pattern`, English headers."""
    frames = []
    for path in sorted(home.demo.glob(pattern)):
        frame = pd.read_excel(path, sheet_name=name, dtype=str)
        frame.columns = [str(c).split(" / ")[-1].split(" (")[0] for c in frame.columns]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def activities(home: KepuHome, slug: str) -> pd.DataFrame:
    log = sheet(home, f"activities_{slug}_*.xlsx", "科普活动")
    log["year"] = log["activity_date"].str.slice(0, 4).astype(int)
    log["participants"] = pd.to_numeric(log["participants"])
    return log


def progress(database: Path, target_id: str) -> pd.Series:
    rows = query(database, "select * from fct_target_progress where target_id = ?", [target_id])
    assert len(rows) == 1, target_id
    return rows.iloc[0]


def on_register(entities: pd.DataFrame, day: str) -> pd.DataFrame:
    left = entities["exited_on"].notna() & (entities["exited_on"] <= day)
    return entities[(entities["registered_on"] <= day) & ~left]


@pytest.fixture(scope="module")
def published(demo_home: KepuHome) -> Path:
    """The published marts, built as of the day the demo ran (after every due year but
    Beijing's 2035)."""
    return demo_home.published


@pytest.fixture(scope="module")
def ouhai_final(demo_home: KepuHome) -> Path:
    """Ouhai's 总结评估: the marts as of 2026-03-31, on the data received by then."""
    return build_assessment_warehouse(demo_home, date(2026, 3, 31), latest_data=False)


@pytest.fixture(scope="module")
def ouhai_midterm(demo_home: KepuHome) -> Path:
    """Ouhai's 中期评估: the marts as of 2024-03-31."""
    return build_assessment_warehouse(demo_home, date(2024, 3, 31), latest_data=False)


# ---------------------------------------------------------------- the stage of a verdict


@pytest.mark.parametrize("build", ["published", "ouhai_final", "ouhai_midterm"])
def test_no_goal_past_its_due_year_has_a_forward_status(
    build: str, request: pytest.FixtureRequest
) -> None:
    rows = query(
        request.getfixturevalue(build),
        "select target_id, target_kind, year(as_of_date) as as_of_year, target_year, "
        "verdict_stage, progress_status from fct_target_progress",
    )
    due = rows["target_year"].notna()
    past = due & (rows["as_of_year"] > rows["target_year"])
    assert (rows.loc[past, "verdict_stage"] == "final").all()
    assert (rows.loc[~past, "verdict_stage"] == "forward").all()
    assert set(rows.loc[past, "progress_status"]) <= FINAL_STATUSES
    assert not set(rows.loc[past, "progress_status"]) & FORWARD_BANDS


def test_a_midterm_review_gives_forward_bands_and_a_final_review_verdicts(
    ouhai_midterm: Path, ouhai_final: Path
) -> None:
    sql = (
        "select target_id, verdict_stage, progress_status from fct_target_progress "
        "where plan_id = 'ouhai-2021-2025' order by target_id"
    )
    midterm, final = query(ouhai_midterm, sql), query(ouhai_final, sql)
    assert set(midterm["verdict_stage"]) == {"forward"}
    assert set(midterm["progress_status"]) & FORWARD_BANDS
    assert set(final["verdict_stage"]) == {"final"}
    assert set(final["progress_status"]) <= {"achieved", "not_achieved", "insufficient_data"}
    assert list(midterm["target_id"]) == list(final["target_id"])


def test_every_kind_of_goal_of_the_seeds_has_a_verdict(published: Path) -> None:
    rows = query(
        published,
        "select plan_id, target_kind, task_kind, progress_status from fct_target_progress",
    )
    kinds = set(rows["target_kind"])
    assert {"level", "cumulative", "annual", "coverage", "growth", "gap", "dispersion",
            "context", "qualitative"} <= kinds  # fmt: skip
    judged = rows[~rows["progress_status"].isin(["insufficient_data", "not_judged"])]
    assert {"coverage", "growth", "gap", "dispersion", "qualitative"} <= set(judged["target_kind"])
    tasks = rows[rows["target_kind"] == "qualitative"]
    assert set(tasks["task_kind"]) == {"task", "safeguard"}
    assert set(tasks["plan_id"]) == set(rows["plan_id"])


def test_the_plan_summary_counts_every_goal(published: Path) -> None:
    progress_rows = query(published, "select plan_id, count(*) as n from fct_target_progress "
                          "group by plan_id order by plan_id")  # fmt: skip
    counts = query(published, "select plan_id, sum(goal_count) as n from fct_plan_status_count "
                   "group by plan_id order by plan_id")  # fmt: skip
    assert progress_rows["n"].tolist() == counts["n"].tolist()


# ---------------------------------------------------------------- Ouhai (瓯海)


def test_ouhai_farmer_college_trainees_6400_of_6500_are_not_achieved(
    demo_home: KepuHome, ouhai_final: Path
) -> None:
    log = activities(demo_home, "ouhai")
    trainees = log[(log["activity_type"] == "农函大培训") & log["year"].between(2021, 2025)]
    total = int(trainees["participants"].sum())
    row = progress(ouhai_final, "ouhai-2021-2025.farmer-college-trainees")
    assert total == 6_400
    assert (row.verdict_stage, row.progress_status, row.status_reason) == (
        "final", "not_achieved", "shortfall",
    )  # fmt: skip
    assert (row.final_year, row.final_value, row.gap_to_target) == (2025, total, 6_500 - total)
    assert row.share_achieved == pytest.approx(total / 6_500)


def test_ouhai_300_events_do_not_count_the_events_with_targets_of_their_own(
    demo_home: KepuHome, ouhai_final: Path
) -> None:
    log = activities(demo_home, "ouhai")
    period = log[log["year"].between(2021, 2025)]
    own = period["activity_type"].isin(["科普活动", "科普讲座"]).sum()
    with_tours = (
        period["activity_type"].isin(["科普活动", "科普讲座", "科普巡讲", "科技馆进校园"]).sum()
    )
    row = progress(ouhai_final, "ouhai-2021-2025.science-events")
    assert (own, with_tours) == (261, 322)  # 322 would have "achieved" the 300
    assert (row.final_value, row.progress_status) == (own, "not_achieved")
    museum = progress(ouhai_final, "ouhai-2021-2025.museum-into-schools")
    counted = (period["activity_type"] == "科技馆进校园").sum()
    assert (museum.final_value, museum.progress_status) == (counted, "achieved") and counted >= 10


def test_ouhai_per_capita_funding_waits_for_the_2025_return(ouhai_final: Path) -> None:
    """Funding returns arrive on 30 April: on 31 March 2026 the 2025 figure is not in. Every
    year so far grew, so the verdict waits instead of calling a missing year missed."""
    row = progress(ouhai_final, "ouhai-2021-2025.per-capita-funding")
    assert (row.latest_year, row.years_assessed, row.years_met, row.period_years) == (
        2024, 4, 4, 5,
    )  # fmt: skip
    assert (row.verdict_stage, row.progress_status, row.status_reason) == (
        "final", "insufficient_data", "due_year_missing",
    )  # fmt: skip


def test_ouhai_per_capita_funding_grew_in_every_year(demo_home: KepuHome, published: Path) -> None:
    funding = sheet(demo_home, "funding_20*.xlsx", "科普经费")
    special = funding[(funding["region_code"] == "330304") & (funding["source"] == "special_fund")]
    fund = special.set_index(special["year"].astype(int))["amount"].astype(float) * 10_000
    people = sheet(demo_home, "population_20*.xlsx", "人口")
    ouhai = people[people["region_code"] == "330304"]
    registered = ouhai.set_index(ouhai["year"].astype(int))["registered_population"]
    per_capita = (fund / (registered.astype(float) * 10_000)).loc[2020:2025]
    growth = per_capita.pct_change().dropna()
    row = progress(published, "ouhai-2021-2025.per-capita-funding")
    observed = query(
        published,
        "select year, value, previous_value, is_met from fct_target_observation "
        "where target_id = 'ouhai-2021-2025.per-capita-funding' and year >= 2021 order by year",
    ).set_index("year")
    assert per_capita[2020] == pytest.approx(3.62, abs=0.005)
    assert (growth > 0).all() and len(growth) == 5
    np.testing.assert_allclose(observed["value"], per_capita.loc[2021:], rtol=1e-12)
    np.testing.assert_allclose(observed["previous_value"], per_capita.loc[2020:2024], rtol=1e-12)
    assert observed["is_met"].all()
    assert (row.target_kind, row.progress_method, row.years_met, row.period_years) == (
        "growth", "year_on_year", 5, 5,
    )  # fmt: skip
    assert (row.progress_status, row.share_achieved) == ("achieved", 1.0)


def test_ouhai_gender_gap_narrowed_significantly(ouhai_final: Path) -> None:
    """Independent samples: SE(Δ) = sqrt(SE_2021² + SE_2025²), from the published gaps."""
    gaps = query(
        ouhai_final,
        "select survey_year, gap * 100 as gap, standard_error * 100 as se from fct_literacy_gap "
        "where region_code = '330304' and gap_label = 'male-female' order by survey_year",
    ).set_index("survey_year")
    change = gaps.loc[2025, "gap"] - gaps.loc[2021, "gap"]
    se = np.hypot(gaps.loc[2025, "se"], gaps.loc[2021, "se"])
    row = progress(ouhai_final, "ouhai-2021-2025.gender-gap")
    assert row.change_value == pytest.approx(change, abs=1e-9)
    assert row.change_standard_error == pytest.approx(se, abs=1e-9)
    assert change + Z * se < 0
    assert (row.verdict_rule, row.progress_status) == ("change_test", "achieved")


# ---------------------------------------------------------------- Zengcheng (增城)


def test_zengcheng_rural_women_are_counted_as_persons_not_person_times(
    demo_home: KepuHome, published: Path
) -> None:
    log = activities(demo_home, "zengcheng")
    women = log[(log["target_group"] == "农村妇女") & log["year"].between(2016, 2020)]
    persons = women["participant_ids"].str.split("、").explode().nunique()
    person_times = int(women["participants"].sum())
    row = progress(published, "zengcheng-2016-2020.rural-women-training")
    assert person_times >= 10_000 > persons  # the old rule (人次) would have said achieved
    assert (row.final_value, row.progress_status) == (persons, "not_achieved")


def test_zengcheng_galleries_each_year_only_when_every_gallery_complied(
    demo_home: KepuHome, published: Path
) -> None:
    facilities = sheet(demo_home, "facilities_20*.xlsx", "科普设施")
    galleries = facilities[
        facilities["region_code"].str.match(r"^440118\d{6}$")
        & (facilities["facility_type"] == "科普画廊(宣传栏)")
        & (facilities["status"] == "在用")
    ].copy()
    galleries["year"] = galleries["year"].astype(int)
    galleries["updates"] = pd.to_numeric(galleries["content_updates"]).fillna(0)
    yearly = galleries[galleries["year"].between(2016, 2020)].groupby("year")["updates"]
    share = yearly.apply(lambda u: (u >= 10).mean())
    median = yearly.median()
    row = progress(published, "zengcheng-2016-2020.gallery-updates")
    observed = query(
        published,
        "select year, value, is_met from fct_target_observation "
        "where target_id = 'zengcheng-2016-2020.gallery-updates' and is_in_period order by year",
    ).set_index("year")
    np.testing.assert_allclose(observed["value"], share * 100, rtol=1e-12)
    assert (share < 1).all() and not observed["is_met"].any()
    assert (median >= 10).sum() >= 4  # the median rule would have met most years
    assert (row.years_met, row.progress_status, row.status_reason) == (
        0, "not_achieved", "years_missed",
    )  # fmt: skip


def test_zengcheng_district_events_met_every_year(demo_home: KepuHome, published: Path) -> None:
    log = activities(demo_home, "zengcheng")
    events = log[(log["activity_type"] == "全区性科普活动") & log["year"].between(2016, 2020)]
    per_year = events.groupby("year").size()
    row = progress(published, "zengcheng-2016-2020.district-science-events")
    assert len(per_year) == 5 and (per_year >= 2).all()
    assert (row.years_met, row.progress_status) == (5, "achieved")


def test_zengcheng_online_learning_falls_short_of_full_coverage(
    demo_home: KepuHome, published: Path
) -> None:
    registers = sheet(demo_home, "registers_2020.xlsx", "登记名册")
    staff = on_register(registers[registers["entity_type"] == "机关领导干部和公务员"], "2020-12-31")
    log = activities(demo_home, "zengcheng")
    learned = log[(log["activity_type"] == "网上学习") & (log["year"] == 2020)]
    ids = set(learned["participant_ids"].str.split("、").explode())
    coverage = staff["entity_id"].isin(ids).mean() * 100
    row = progress(published, "zengcheng-2016-2020.civil-servant-online-learning")
    assert 90 < coverage < 100
    assert row.final_value == pytest.approx(coverage, abs=1e-9)
    assert (row.target_kind, row.progress_status) == ("coverage", "not_achieved")
    assert row.gap_to_target == pytest.approx(100 - coverage, abs=1e-9)


# ---------------------------------------------------------------- Shenzhen (深圳)


def test_shenzhen_schools_reached_full_coverage_by_2020(
    demo_home: KepuHome, published: Path
) -> None:
    registers = sheet(demo_home, "registers_2020.xlsx", "登记名册")
    schools = on_register(registers[registers["entity_type"] == "中小学校"], "2020-12-31")
    log = activities(demo_home, "shenzhen")
    visits = log[(log["activity_type"] == "科普进校园") & log["year"].between(2017, 2020)]
    reached = set(visits["participant_ids"].str.split("、").explode())
    row = progress(published, "shenzhen-2017-2020.school-outreach-coverage")
    assert schools["entity_id"].isin(reached).all()
    assert (row.final_value, row.progress_status) == (100.0, "achieved")


def test_shenzhen_training_vouchers_missed_a_year(demo_home: KepuHome, published: Path) -> None:
    log = activities(demo_home, "shenzhen")
    vouchers = log[log["activity_type"] == "职业技能培训券发放"]
    per_year = vouchers.groupby("year")["amount"].apply(lambda a: a.astype(float).sum())
    row = progress(published, "shenzhen-2017-2020.training-vouchers")
    assert (per_year < 5_000 - 1e-6).sum() == 1
    assert (row.years_met, row.period_years) == (3, 4)
    assert (row.progress_status, row.status_reason, row.share_achieved) == (
        "not_achieved", "years_missed", 0.75,
    )  # fmt: skip


# ---------------------------------------------------------------- Beijing (北京)


def test_beijing_tour_reached_every_district_in_2025(demo_home: KepuHome, published: Path) -> None:
    register = sheet(demo_home, "facilities_2025.xlsx", "行政单位名录")
    districts = set(register.loc[register["region_code"].str.match(r"^1101\d\d$"), "region_code"])
    log = activities(demo_home, "beijing")
    tour = log[(log["activity_type"] == "首都科普基层行") & (log["year"] == 2025)]
    row = progress(published, "beijing-2021-2035.district-outreach-coverage")
    assert len(districts) == 16 and set(tour["region_code"]) == districts
    assert (row.final_value, row.progress_status) == (100.0, "achieved")


def test_beijing_farmer_training_missed_2023(demo_home: KepuHome, published: Path) -> None:
    log = activities(demo_home, "beijing")
    farmers = log[(log["activity_type"] == "高素质农民培训") & (log["target_group"] == "农民")]
    per_year = farmers.groupby("year")["participants"].sum()
    row = progress(published, "beijing-2021-2035.farmer-training")
    assert per_year[2023] < 10_000 and (per_year.drop(2023) >= 10_000).all()
    assert (row.years_met, row.progress_status, row.status_reason) == (
        4, "not_achieved", "years_missed",
    )  # fmt: skip


def test_beijing_200_schools_are_context_without_a_verdict(published: Path) -> None:
    row = progress(published, "beijing-2021-2035.demonstration-schools")
    assert (row.target_kind, row.progress_status, row.status_reason) == (
        "context", "not_judged", "context_indicator",
    )  # fmt: skip
    assert row.latest_value > 0


def test_beijing_regional_dispersion_is_the_weighted_spread_of_its_districts(
    published: Path,
) -> None:
    districts = query(
        published,
        "select survey_year, estimate, standard_error, weighted_n from fct_literacy_estimate "
        "where group_dimension = 'total' and region_code like '1101%' order by survey_year",
    )
    expected = {}
    for year, d in districts.groupby("survey_year"):
        w = d["weighted_n"] / d["weighted_n"].sum()
        mean = (w * d["estimate"]).sum()
        sd = np.sqrt((w * (d["estimate"] - mean) ** 2).sum())
        se = np.sqrt(((2 * w * (d["estimate"] - mean)) ** 2 * d["standard_error"] ** 2).sum())
        expected[year] = (sd * 100, se / (2 * sd) * 100)
    row = progress(published, "beijing-2021-2035.regional-dispersion")
    base, latest = expected[2020], expected[2025]
    assert len(expected) == 6
    assert (row.baseline_value, row.latest_value) == pytest.approx((base[0], latest[0]), abs=1e-9)
    assert row.change_standard_error == pytest.approx(np.hypot(base[1], latest[1]), abs=1e-9)
    narrowed = latest[0] - base[0] + Z * np.hypot(base[1], latest[1]) < 0
    assert row.progress_status == ("achieved" if narrowed else "not_achieved")


# ---------------------------------------------------------------- tasks and measures


def _pairs(plan_id: str) -> pd.DataFrame:
    measures = pd.read_csv(REGISTRY_DIR / "measures.csv", dtype=str)
    measures = measures[measures["plan_id"] == plan_id]
    units = measures["responsible_units"].str.split(LIST_SEPARATORS, regex=True).explode()
    return measures[["measure_id", "due_year"]].join(units.str.strip().rename("unit"))


def _latest(home: KepuHome, pattern: str) -> pd.Series:
    reports = sheet(home, pattern, "措施进展")
    latest = reports.sort_values(["reported_on", "period"]).groupby(
        ["measure_id", "responsible_unit"]
    )
    return latest["status"].last().map(STATUS_WORDS)


@pytest.mark.parametrize(
    "plan_id", ["shenzhen-2017-2020", "zengcheng-2016-2020", "ouhai-2021-2025"]
)
def test_a_finished_plan_s_task_is_achieved_only_when_every_unit_completed_it(
    plan_id: str, demo_home: KepuHome, published: Path
) -> None:
    pairs = _pairs(plan_id)
    latest = _latest(demo_home, f"task_reports_{plan_id}_*.xlsx")
    pairs["status"] = [latest.get((m, u), "not_reported") for m, u in
                       zip(pairs["measure_id"], pairs["unit"], strict=True)]  # fmt: skip
    done = pairs.groupby("measure_id")["status"].apply(lambda s: (s == "completed").mean())
    rows = query(
        published,
        "select target_id, progress_status, share_achieved, not_reported_pairs "
        "from fct_target_progress where plan_id = ? and target_kind = 'qualitative'",
        [plan_id],
    ).set_index("target_id")
    expected = np.where(done == 1, "achieved", "not_achieved")
    assert list(rows.loc[done.index, "progress_status"]) == list(expected)
    np.testing.assert_allclose(rows.loc[done.index, "share_achieved"], done, rtol=1e-12)
    assert {"achieved", "not_achieved"} <= set(expected)
    silent = pairs[pairs["status"] == "not_reported"]
    assert len(silent) > 0  # some units never reported: they count as not done
    assert (rows.loc[silent["measure_id"].unique(), "progress_status"] == "not_achieved").all()


def test_an_xx_measure_counts_a_unit_that_never_reported_against_it(
    demo_home: KepuHome, published: Path
) -> None:
    """XX city's measures run on (no due year): the bands of the completion rule, where a
    unit that never reported counts like an overdue one."""
    pairs = _pairs("xx-city-2022")
    latest = _latest(demo_home, "measure_reports_*.xlsx")
    pairs["status"] = [latest.get((m, u), "not_reported") for m, u in
                       zip(pairs["measure_id"], pairs["unit"], strict=True)]  # fmt: skip
    rows = query(
        published,
        "select target_id, verdict_stage, progress_status from fct_target_progress "
        "where plan_id = 'xx-city-2022'",
    ).set_index("target_id")
    for measure_id, units in pairs.groupby("measure_id"):
        against = units["status"].isin(["overdue", "not_reported"]).mean()
        if (units["status"] == "completed").all():
            expected = "achieved"
        elif against == 0:
            expected = "on_track"
        else:
            expected = "accelerate" if against < 0.25 else "limited"
        assert rows.loc[measure_id, "progress_status"] == expected, measure_id
    assert set(rows["verdict_stage"]) == {"forward"}
    silent = pairs.loc[pairs["status"] == "not_reported", "measure_id"].unique()
    assert len(silent) > 0
    assert not (rows.loc[silent, "progress_status"] == "on_track").any()
