"""The record pages (facilities, activities and trainings, measures, assessment) through
`AppTest` on the published demo snapshot.

Expected values come from outside the pages: the demo workbooks themselves (unit register
and facility sheet, activity logs, volunteer register, measure reports), recomputed here
with pandas; the plan registry CSVs; the Ouhai calibration (261 science events by its rule in
2021–2025, 310 registered volunteers at the end of 2025); and, for what only the marts
hold (progress statuses), direct reads of the snapshot.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import vocabulary
from ingest.home import REGISTRY_DIR, REPO_ROOT, KepuHome

APP = REPO_ROOT / "dashboards" / "app.py"
REFERENCE = REGISTRY_DIR
ZENGCHENG = "440118"
VILLAGE_STATIONS = "zengcheng-2016-2020.activity-station-coverage-village"
OUHAI_PLAN = "ouhai-2021-2025"
OUHAI_EVENTS = "ouhai-2021-2025.science-events"
OUHAI_VOLUNTEERS = "ouhai-2021-2025.tech-volunteers"
BEIJING_FARMERS = "beijing-2021-2035.farmer-training"
XX_CITY = "xx-city-2022"
# Ouhai's science events as its measurement rule counts them: lecture tours (科普巡讲) and
# museum visits to schools (科技馆进校园) have targets of their own and are not counted again.
EVENT_TYPES = ["科普活动", "科普讲座"]
# The words statisticians write in the measure-report template, and their status codes.
REPORTED_WORDS = {
    "未启动": "not_started",
    "进行中": "in_progress",
    "已完成": "completed",
    "逾期": "overdue",
}


def zh(key: str) -> str:
    return vocabulary.text(key, "zh")


def registry(name: str, **match: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row for row in rows if all(row[key] == value for key, value in match.items())]


def sheet(home: KepuHome, pattern: str, name: str) -> pd.DataFrame:
    """All rows of sheet `name` in the demo workbooks matching `pattern`, English headers."""
    frames = []
    for path in sorted(home.demo.glob(pattern)):
        frame = pd.read_excel(path, sheet_name=name, dtype=str)
        frame.columns = [str(c).split(" / ")[-1].split(" (")[0] for c in frame.columns]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def snapshot(home: KepuHome, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(home.published), read_only=True) as conn:
        return conn.execute(sql, params or []).df()


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column` (tables keep stable column ids)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def table_of(at: AppTest, columns: list[str]) -> pd.DataFrame:
    """The table on the page with exactly these columns."""
    return next(frame.value for frame in at.dataframe if list(frame.value.columns) == columns)


def chart_layers(at: AppTest, index: int) -> Iterator[tuple[dict, pd.DataFrame]]:
    """(layer spec, layer data) of the `index`-th Altair chart on the page."""
    proto = at.get("vega_lite_chart")[index].proto
    frames = {
        dataset.name: pa.ipc.open_stream(dataset.data.data).read_pandas()
        for dataset in proto.datasets
    }
    for layer in json.loads(proto.spec)["layer"]:
        yield layer, frames[layer["data"]["name"]]


def cell_colours(at: AppTest, column: str) -> dict[int, str]:
    """Row number → background colour of `column` in the first styled table that has it."""
    element = next(frame for frame in at.dataframe if column in frame.value.columns)
    position = list(element.value.columns).index(column)
    styles = element.proto.arrow_data.styler.styles
    colours = {}
    for selectors, colour in re.findall(r"([^{}]+)\{ background-color: (#[0-9A-F]{6})", styles):
        for row, col in re.findall(r"row(\d+)_col(\d+)", selectors):
            if int(col) == position:
                colours[int(row)] = colour
    return colours


def mark_of(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def page(name: str, **choices: object) -> AppTest:
    """One of the record pages in Chinese, with the selectboxes set in the order given."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(f"views/{name}.py").run()
    for key, value in choices.items():
        at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


def village_coverage(home: KepuHome, year: int) -> pd.DataFrame:
    """Zengcheng's villages per town in `year` from the workbook: in the register, with an
    active science activity station, and without any row in the facility sheet."""
    register = sheet(home, f"facilities_{year}.xlsx", "行政单位名录")
    facilities = sheet(home, f"facilities_{year}.xlsx", "科普设施")
    codes = register["region_code"]
    villages = register[codes.str.match(rf"^{ZENGCHENG}\d{{6}}$")].assign(
        town=lambda frame: frame["region_code"].str.slice(0, 9)
    )
    stations = facilities[
        (facilities["facility_type"] == "科普活动站(室)") & (facilities["status"] == "在用")
    ]
    villages["covered"] = villages["region_code"].isin(stations["region_code"])
    villages["silent"] = ~villages["region_code"].isin(facilities["region_code"])
    towns = villages.groupby("town").agg(
        units=("region_code", "size"), covered=("covered", "sum"), silent=("silent", "sum")
    )
    names = register.set_index("region_code")["unit_name"]
    return towns.assign(name=towns.index.map(names))


@pytest.fixture
def villages_2020(demo_home: KepuHome) -> AppTest:
    return page("facilities", facility_target=VILLAGE_STATIONS, facility_year=2020)


def test_facilities_table_recomputes_zengcheng_village_stations_from_the_workbook(
    villages_2020: AppTest, demo_home: KepuHome
) -> None:
    towns = village_coverage(demo_home, 2020)
    table = table_with(villages_2020, "covered_units").set_index("region")
    district = table.loc["增城区"]

    assert (district["units"], district["covered_units"]) == (
        towns.units.sum(),
        towns.covered.sum(),
    )
    assert (district["units"], district["covered_units"]) == (275, 236)
    assert district["non_reporting_units"] == towns.silent.sum() == 12
    assert district["coverage"] == round(100 * 236 / 275, 2) == 85.82
    for town in towns.itertuples():
        shown = table.loc[town.name]
        assert (shown["units"], shown["covered_units"]) == (town.units, town.covered)
        assert shown["non_reporting_units"] == town.silent
        assert shown["coverage"] == round(100 * town.covered / town.units, 2)


def test_facilities_page_says_how_many_units_did_not_report_and_where(
    villages_2020: AppTest, demo_home: KepuHome
) -> None:
    towns = village_coverage(demo_home, 2020)
    silent = towns[towns.silent > 0]
    where = table_of(villages_2020, ["region", "non_reporting_units", "units"])
    statements = [warning.value for warning in villages_2020.warning]

    assert "2020年有 12 个单位未报送，按未覆盖计。" in statements
    assert zh("facilities.no_unit_list") in [caption.value for caption in villages_2020.caption]
    assert dict(zip(where["region"], where["non_reporting_units"], strict=True)) == dict(
        zip(silent["name"], silent["silent"], strict=True)
    )


def test_facilities_charts_draw_towns_and_the_trend_against_the_registry_target(
    villages_2020: AppTest, demo_home: KepuHome
) -> None:
    target = float(registry("targets.csv", target_id=VILLAGE_STATIONS)[0]["target_value"])
    towns = village_coverage(demo_home, 2020)
    bar_layers = list(chart_layers(villages_2020, 0))
    bars = next(frame for layer, frame in bar_layers if mark_of(layer) == "bar")
    rule = next(frame for layer, frame in bar_layers if mark_of(layer) == "rule")
    trend = next(
        frame for layer, frame in chart_layers(villages_2020, 1) if mark_of(layer) == "line"
    )
    expected_trend = {}
    for year in range(2016, 2021):
        every = village_coverage(demo_home, year)
        expected_trend[year] = round(100 * every.covered.sum() / every.units.sum(), 2)

    assert target == 90
    assert list(rule["target_value"]) == [target]
    assert dict(zip(bars["region_name"], bars["coverage_pct"], strict=True)) == {
        town.name: round(100 * town.covered / town.units, 2) for town in towns.itertuples()
    }
    assert dict(zip(trend["year"], trend["coverage_pct"], strict=True)) == expected_trend


def ouhai_events_by_year(home: KepuHome) -> pd.Series:
    log = sheet(home, "activities_ouhai_20*.xlsx", "科普活动")
    log["year"] = log["activity_date"].str.slice(0, 4).astype(int)
    counted = log[log["activity_type"].isin(EVENT_TYPES) & log["year"].between(2021, 2025)]
    return counted.groupby("year").size()


def test_activities_ouhai_events_run_to_261_against_the_pro_rata_path(
    demo_home: KepuHome,
) -> None:
    at = page("activities", record_target=OUHAI_EVENTS)
    target = registry("targets.csv", target_id=OUHAI_EVENTS)[0]
    rule = registry("measurement_rules.csv", target_id=OUHAI_EVENTS)[0]
    assert rule["activity_types"].split("、") == EVENT_TYPES
    events = ouhai_events_by_year(demo_home)
    table = table_with(at, "running_total").set_index("year")
    layers = list(chart_layers(at, 0))
    path = next(frame for _, frame in layers if "path" in frame.columns)
    total = next(frame for layer, frame in layers if "cumulative_value" in frame.columns)
    captions = [caption.value for caption in at.caption]

    assert table["value"].to_dict() == events.to_dict()
    assert table["running_total"].to_dict() == events.cumsum().to_dict()
    assert table.loc[2025, "running_total"] == 261
    assert (target["period_start"], target["period_end"], target["target_value"]) == (
        "2021",
        "2025",
        "300",
    )
    assert list(zip(path["year"], path["path"], strict=True)) == [(2020, 0.0), (2025, 300.0)]
    assert dict(zip(total["year"], total["cumulative_value"], strict=True))[2025] == 261
    assert "计数规则：活动次数（每条活动记录计1次），来源：活动记录。" in captions


def test_activities_ouhai_volunteer_stock_is_310_at_the_end_of_2025(demo_home: KepuHome) -> None:
    at = page("activities", record_target=OUHAI_VOLUNTEERS)
    roster = sheet(demo_home, "registers_2025.xlsx", "登记名册")
    volunteers = roster[
        (roster["entity_type"] == "科技志愿者") & roster["region_code"].str.startswith("330304")
    ]
    registered = pd.to_datetime(volunteers["registered_on"])
    exited = pd.to_datetime(volunteers["exited_on"])
    on_register = (registered <= "2025-12-31") & (exited.isna() | (exited > "2025-12-31"))
    table = table_with(at, "value").set_index("year")
    line = next(frame for layer, frame in chart_layers(at, 0) if mark_of(layer) == "line")

    assert table.loc[2025, "value"] == volunteers.loc[on_register, "entity_id"].nunique() == 310
    assert "running_total" not in table.columns
    assert dict(zip(line["year"], line["annual_value"], strict=True))[2025] == 310


def test_activities_annual_target_shows_the_year_that_missed(demo_home: KepuHome) -> None:
    at = page("activities", record_target=BEIJING_FARMERS)
    target = float(registry("targets.csv", target_id=BEIJING_FARMERS)[0]["target_value"])
    log = sheet(demo_home, "activities_beijing_*.xlsx", "科普活动")
    farmers = log[(log["activity_type"] == "高素质农民培训") & (log["target_group"] == "农民")]
    trained = farmers.groupby(farmers["activity_date"].str.slice(0, 4).astype(int))[
        "participants"
    ].apply(lambda column: column.astype(int).sum())
    expected = {
        year: zh("year_outcome.met") if count >= target else zh("year_outcome.missed")
        for year, count in trained.items()
    }
    table = table_with(at, "year_status").set_index("year")
    bars = next(frame for layer, frame in chart_layers(at, 0) if mark_of(layer) == "bar")

    assert table["value"].to_dict() == trained.to_dict()
    assert table["year_status"].to_dict() == expected
    assert list(expected.values()).count(zh("year_outcome.missed")) == 1
    assert dict(zip(bars["year"], bars["year_status"], strict=True)) == expected
    # the target's rule covers the bars of its own period only, not the whole axis
    rule = next(frame for _, frame in chart_layers(at, 0) if "start" in frame.columns)
    period = registry("targets.csv", target_id=BEIJING_FARMERS)[0]
    assert (rule["start"].iloc[0], rule["end"].iloc[0]) == (
        int(period["period_start"]) - 0.5,
        int(period["period_end"]) + 0.5,
    )


@pytest.fixture
def measures(demo_home: KepuHome) -> AppTest:
    return page("measures", measure_plan=XX_CITY)


def test_measures_matrix_has_every_xx_measure_and_each_unit_s_latest_status(
    measures: AppTest, demo_home: KepuHome
) -> None:
    planned = registry("measures.csv", plan_id=XX_CITY)
    matrix = table_with(measures, "measure_no").set_index("measure_no")
    status = snapshot(
        demo_home,
        "select m.measure_no, s.department_name_zh, s.measure_status from fct_measure_status s "
        "join fct_plan_measure m using (measure_id) where s.plan_id = ?",
        [XX_CITY],
    )
    responsible = set(zip(status["measure_no"], status["department_name_zh"], strict=True))

    assert len(matrix) == len(planned) == 21
    assert list(matrix["measure"]) == [row["title_zh"] for row in planned]
    for row in status.itertuples():
        expected = zh(f"measure_status.{row.measure_status}")
        assert matrix.loc[row.measure_no, row.department_name_zh] == expected
    units = [column for column in matrix.columns if column != "measure"]
    blanks = [(no, unit) for no in matrix.index for unit in units if matrix.loc[no, unit] == ""]
    assert len(blanks) == len(matrix) * len(units) - len(responsible)
    assert not responsible & set(blanks)
    first = status[status["measure_no"] == 1].set_index("department_name_zh")["measure_status"]
    for unit, code in first.items():
        colours = cell_colours(measures, unit)
        assert colours[0] == f"#{vocabulary.colour('measure_status', code)}"


def test_measures_counts_each_status(measures: AppTest, demo_home: KepuHome) -> None:
    counts = snapshot(
        demo_home,
        "select measure_status, count(*) as n from fct_measure_status where plan_id = ? "
        "group by measure_status",
        [XX_CITY],
    ).set_index("measure_status")["n"]
    shown = {metric.label: int(metric.value) for metric in measures.metric}

    assert shown == {
        zh(f"measure_status.{code}"): int(counts.get(code, 0))
        for code in ("completed", "in_progress", "not_started", "overdue", "not_reported")
    }
    assert sum(shown.values()) == 99


def test_measure_detail_shows_the_latest_report_and_the_history_of_a_unit(
    measures: AppTest, demo_home: KepuHome
) -> None:
    measure, unit = "xx-city-2022.m01", "市科协"
    reports = sheet(demo_home, "measure_reports_*.xlsx", "措施进展")
    mine = reports[(reports["measure_id"] == measure) & (reports["responsible_unit"] == unit)]
    last = mine.sort_values("reported_on").iloc[-1]
    measures.selectbox(key="measure").set_value(measure).run()
    latest = table_with(measures, "report_count").set_index("unit_name").loc[unit]
    history = table_of(
        measures,
        ["unit_name", "reporting_period", "status", "evidence", "document_ref", "reported_on"],
    )
    history = history[history["unit_name"] == unit]

    assert (last["period"], last["status"]) == ("2025H1", "进行中")
    assert latest["status"] == zh(f"measure_status.{REPORTED_WORDS[last['status']]}") == "推进中"
    assert latest["reporting_period"] == last["period"]
    assert latest["evidence"] == last["evidence"]
    assert latest["document_ref"] == last["document_ref"]
    assert latest["report_count"] == len(mine)
    assert list(history["reporting_period"]) == sorted(mine["period"])
    assert list(history["status"]) == [
        zh(f"measure_status.{REPORTED_WORDS[word]}")
        for word in mine.sort_values("period")["status"]
    ]


@pytest.fixture
def own_home(demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KepuHome:
    """A KEPU_HOME of this test's own whose published snapshot is the demo's, so the test
    decides which report files exist without touching the shared demo folder."""
    home = KepuHome(tmp_path / "kepu").ensure()
    home.published.symlink_to(demo_home.published)
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    return home


def test_assessment_lists_ouhai_statuses_as_of_the_snapshot_date(
    own_home: KepuHome, demo_home: KepuHome
) -> None:
    at = page("assessment", plan=OUHAI_PLAN)
    # in the registry's order: two gap targets share an indicator name
    progress = snapshot(
        demo_home,
        "select p.indicator_name_zh, p.progress_status, p.latest_value, p.as_of_date, "
        "t.gap_group_a, t.gap_group_b "
        "from fct_target_progress p join fct_plan_target t using (target_id) "
        "where p.plan_id = ? order by t.source_row",
        [OUHAI_PLAN],
    )
    table = table_with(at, "status")
    # the two gap targets read apart by their pair of groups
    gap = "公民具备科学素质比例的群体差距"
    gaps = [name for name in table["indicator"] if name.startswith(gap)]
    assert gaps == [
        "公民具备科学素质比例的群体差距（男性 − 女性）",
        "公民具备科学素质比例的群体差距（专业技术人员 − 商业及服务业人员）",
    ]
    names = [
        vocabulary.goal_name(name, a, b, "zh")
        for name, a, b in progress[["indicator_name_zh", "gap_group_a", "gap_group_b"]].itertuples(
            index=False
        )
    ]
    as_of = pd.Timestamp(progress["as_of_date"].iloc[0]).date().isoformat()
    events = registry("indicators.csv", indicator_code="science_events")[0]["name_zh"]

    assert len(table) == len(registry("targets.csv", plan_id=OUHAI_PLAN)) == 11
    assert list(table["indicator"]) == names
    assert list(table["status"]) == [
        zh(f"progress_status.{code}") for code in progress["progress_status"]
    ]
    # values in their indicator's unit: a count whole, a share with two decimals, money to the fen
    latest = dict(zip(progress["indicator_name_zh"], progress["latest_value"], strict=False))
    shown = table.set_index("indicator")["latest_value"]
    assert shown.loc[events] == f"{latest[events]:.0f}场次" == "261场次"
    assert shown.iloc[0] == f"{progress['latest_value'].iloc[0]:.2f}%" == "17.60%"
    assert shown.iloc[1] == f"{progress['latest_value'].iloc[1]:.2f}元/人" == "4.78元/人"
    assert cell_colours(at, "status") == {
        row: f"#{vocabulary.colour('progress_status', code)}"
        for row, code in enumerate(progress["progress_status"])
    }
    assert f"进展状态截至 {as_of}" in at.caption[0].value


def test_assessment_without_reports_offers_to_write_each_due_review_point(
    own_home: KepuHome,
) -> None:
    at = page("assessment", plan=OUHAI_PLAN)
    # registry/reviews.csv: Ouhai is reviewed at mid-term (2023) and at the end (2025), each
    # assessed in the first quarter of the year after
    headings = [m.value for m in at.markdown if m.value.startswith("**")]
    buttons = [button.label for button in at.button]

    assert headings == [
        "**2023年中期评估（评估日期 2024-03-31）**",
        "**2025年总结评估（评估日期 2026-03-31）**",
    ]
    assert buttons == [zh("assessment.generate")] * 2
    assert not at.get("download_button")
    assert not at.code  # never a shell command


def test_assessment_offers_each_report_file_for_download(own_home: KepuHome) -> None:
    folder = own_home.root / "reports" / OUHAI_PLAN
    folder.mkdir(parents=True)
    names = [f"{OUHAI_PLAN}_final_2026-03-31_zh.docx", f"{OUHAI_PLAN}_final_2026-03-31_en.xlsx"]
    for name in names:
        (folder / name).write_bytes(b"tiny report")
    at = page("assessment", plan=OUHAI_PLAN)

    assert [button.proto.label for button in at.get("download_button")] == [
        "总结评估（2026-03-31）· 英文 · Excel 工作簿",
        "总结评估（2026-03-31）· 中文 · Word 报告",
    ]
    # the mid-term has no report yet: its button is the only one left
    assert [button.label for button in at.button] == [zh("assessment.generate")]
    assert not at.code


def test_english_switch_names_statuses_and_units_in_english(demo_home: KepuHome) -> None:
    at = page("measures", measure_plan=XX_CITY)
    at.radio(key="lang").set_value("en").run()
    planned = registry("measures.csv", plan_id=XX_CITY)
    matrix = table_with(at, "measure_no")
    metrics = [metric.label for metric in at.metric]
    latest = table_with(at, "report_count")

    assert at.title[0].value == "Measures"
    assert list(matrix["measure"]) == [row["title_en"] for row in planned]
    assert metrics == ["Completed", "In progress", "Not started", "Overdue", "Not reported"]
    assert set(latest["status"]) <= {
        vocabulary.text(f"measure_status.{code}", "en") for code in REPORTED_WORDS.values()
    }
    departments = {
        row["name_zh"]: row["name_en"]
        for row in registry("departments.csv")
        if row["region_code"] == "990100"
    }
    assert list(latest["unit_name"]) == [
        departments[unit] for unit in planned[0]["responsible_units"].split("、")
    ]
