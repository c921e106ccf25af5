"""Non-survey targets from records: coverage against the register, counts by rule, stocks
with exits, and the latest status of qualitative measures, each recomputed with pandas
from the demo workbooks themselves."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ingest.home import KepuHome


def published(home: KepuHome, sql: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(sql, params or []).df()


def sheet(home: KepuHome, pattern: str, name: str) -> pd.DataFrame:
    """All rows of sheet `name` in the demo workbooks matching `pattern`, English headers."""
    frames = []
    for path in sorted(home.demo.glob(pattern)):
        frame = pd.read_excel(path, sheet_name=name, dtype=str)
        frame.columns = [str(c).split(" / ")[-1].split(" (")[0] for c in frame.columns]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_every_numeric_target_of_the_four_plans_has_values(demo_home: KepuHome) -> None:
    missing = published(
        demo_home,
        "select target_id from fct_plan_target t where plan_id <> 'xx-city-2022' and not exists "
        "(select 1 from fct_indicator_value v where v.indicator_code = t.indicator_code "
        "and v.region_code = t.region_code and v.value is not null)",
    )
    assert missing.empty, missing.target_id.tolist()


def test_village_coverage_counts_units_that_did_not_report(demo_home: KepuHome) -> None:
    register = sheet(demo_home, "facilities_2020.xlsx", "行政单位名录")
    facilities = sheet(demo_home, "facilities_2020.xlsx", "科普设施")
    villages = set(register.loc[register.region_code.str.match(r"^440118\d{6}$"), "region_code"])
    active_station = facilities[
        (facilities.facility_type == "科普活动站(室)") & (facilities.status == "在用")
    ]
    covered = villages & set(active_station.region_code)
    reporting = villages & set(facilities.region_code)
    row = published(
        demo_home,
        "select units, covered_units, reporting_units, non_reporting_units, coverage from "
        "fct_facility_coverage where target_id = "
        "'zengcheng-2016-2020.activity-station-coverage-village' and region_code = '440118' "
        "and year = 2020",
    ).iloc[0]
    assert (row.units, row.covered_units, row.reporting_units) == (
        len(villages), len(covered), len(reporting),
    )  # fmt: skip
    assert row.non_reporting_units == len(villages - reporting) > 0
    assert row.coverage == pytest.approx(len(covered) / len(villages), abs=1e-15)


def test_the_volunteer_stock_counts_distinct_people_at_year_end(demo_home: KepuHome) -> None:
    roster = sheet(demo_home, "registers_2025.xlsx", "登记名册")
    volunteers = roster[(roster.entity_type == "科技志愿者") & roster.region_code.str.startswith(
        "330304")]  # fmt: skip
    registered = pd.to_datetime(volunteers.registered_on)
    exited = pd.to_datetime(volunteers.exited_on)
    expected = {
        year: int(((registered <= f"{year}-12-31")
                   & (exited.isna() | (exited > f"{year}-12-31"))).sum())
        for year in range(2020, 2026)
    }  # fmt: skip
    stock = published(
        demo_home,
        "select year, annual_value from fct_record_count "
        "where target_id = 'ouhai-2021-2025.tech-volunteers' order by year",
    )
    assert dict(zip(stock.year, stock.annual_value, strict=True)) == expected
    assert expected[2025] == 310 and len(volunteers) > 310


def test_cumulative_events_follow_the_rule_s_activity_types(demo_home: KepuHome) -> None:
    """Ouhai's 300 events count 科普活动 and 科普讲座, not the lecture tours and
    museum-to-school events, which have targets of their own (the registry's reading)."""
    log = sheet(demo_home, "activities_ouhai_20*.xlsx", "科普活动")
    log["year"] = log.activity_date.str.slice(0, 4).astype(int)
    counted = log[log.activity_type.isin(["科普活动", "科普讲座"])]
    expected = counted[counted.year.between(2021, 2025)].groupby("year").size().cumsum()
    values = published(
        demo_home,
        "select year, value from fct_indicator_value where indicator_code = 'science_events' "
        "and region_code = '330304' and group_dimension = 'cumulative' order by year",
    )
    assert dict(zip(values.year, values.value, strict=True)) == expected.to_dict()
    assert expected[2025] == 261


def test_measures_show_the_latest_status_of_each_responsible_unit(demo_home: KepuHome) -> None:
    reports = sheet(demo_home, "measure_reports_*.xlsx", "措施进展")
    latest = reports.sort_values("reported_on").groupby(["measure_id", "responsible_unit"]).last()
    status = published(
        demo_home,
        "select measure_id, department_name_zh, measure_status from fct_measure_status "
        "where plan_id = 'xx-city-2022'",
    ).set_index(["measure_id", "department_name_zh"])["measure_status"]
    words = {"未启动": "not_started", "进行中": "in_progress", "已完成": "completed",
             "逾期": "overdue"}  # fmt: skip
    for key, row in latest.iterrows():
        assert status[key] == words.get(row.status, row.status)
    never = status[~status.index.isin(latest.index)]
    assert len(never) > 0 and set(never) == {"not_reported"}
    assert status.index.get_level_values(0).nunique() == 21


def test_progress_is_judged_on_the_published_observations(demo_home: KepuHome) -> None:
    """fct_target_observation holds the rows fct_target_progress judged: its latest row is
    the latest value, and an annual target's years met are its in-period rows met."""
    progress = published(
        demo_home,
        "select target_id, target_kind, latest_year, latest_value, is_met, years_assessed, "
        "years_met from fct_target_progress where target_kind <> 'qualitative'",
    ).set_index("target_id")
    observations = published(demo_home, "select * from fct_target_observation")
    latest = observations[observations.is_latest].set_index("target_id")
    assert latest.index.is_unique
    judged = progress[progress.latest_year.notna()]
    assert set(latest.index) == set(judged.index)
    assert (latest.loc[judged.index, "year"] == judged.latest_year).all()
    assert (latest.loc[judged.index, "value"].fillna(-1) == judged.latest_value.fillna(-1)).all()
    annual = progress[progress.target_kind == "annual"]
    assert len(annual) > 0
    for target_id, row in annual.iterrows():
        years = observations[(observations.target_id == target_id) & observations.is_in_period
                             & observations.value.notna()]  # fmt: skip
        expected = (0, 0) if pd.isna(row.years_assessed) else (row.years_assessed, row.years_met)
        assert (len(years), int(years.is_met.sum())) == expected
    cumulative = observations.merge(progress, left_on="target_id", right_index=True,
                                    suffixes=("", "_progress"))  # fmt: skip
    assert set(cumulative.series) == {"total", "cumulative", "gap"}
    assert (cumulative.series == "cumulative").eq(cumulative.target_kind == "cumulative").all()
    assert (cumulative.series == "gap").eq(cumulative.target_kind == "gap").all()
