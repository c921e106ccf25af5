"""The drill-down from a target to its regions and groups, and the honest charts, through
`AppTest` on the published demo snapshot and on an empty one.

Expected values are recomputed here with pandas from the marts (fct_indicator_value,
dim_region, fct_plan_target), never taken from the page's own helpers; the words are
written out.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import vocabulary
from dashboards.drill import REGION_TAB
from ingest.home import REPO_ROOT, KepuHome

APP = REPO_ROOT / "dashboards" / "app.py"
OUHAI = "330304"
OUHAI_PLAN = "ouhai-2021-2025"
OUHAI_LITERACY = f"{OUHAI_PLAN}.literacy"
BEIJING = "110000"
BEIJING_PLAN = "beijing-2021-2035"
XICHENG = "110102"
CJK = re.compile(r"[\u4e00-\u9fff]")


def snapshot(home: KepuHome, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(home.published), read_only=True) as conn:
        return conn.execute(sql, params or []).df()


# the tabs of the regions below a target, in order: grid, ranked bars, each region's trend
REGION_TABS = {
    "zh": ["地区方格图", "排名条形图", "各地区逐年变化"],
    "en": ["Grid of regions", "Ranked bars", "Each region over time"],
}
_, RANKED_BARS, EACH_REGION = REGION_TABS["zh"]


def target_page(lang: str = "zh", tab: str | None = None, **params: str) -> AppTest:
    """The target page opened from a link: the selection in the query parameters; the
    regions below shown in the tab labelled `tab` (the grid when None)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"lang": lang, **params}.items():
        at.query_params[key] = value
    if tab is not None:
        at.session_state[REGION_TAB] = tab
    # the first run opens the target page itself, as a followed link does
    at.switch_page("views/target.py").run()
    assert not at.exception
    return at


def charts(at: AppTest) -> list[list[tuple[dict, pd.DataFrame]]]:
    """Every Altair chart on the page as its (layer spec, layer data) pairs."""
    found = []
    for element in at.get("vega_lite_chart"):
        proto = element.proto
        frames = {
            dataset.name: pa.ipc.open_stream(dataset.data.data).read_pandas()
            for dataset in proto.datasets
        }
        spec = json.loads(proto.spec)
        layers = spec.get("layer") or spec.get("spec", {}).get("layer", [])
        name = spec.get("data", {}).get("name")
        found.append(
            [(layer, frames.get(layer.get("data", {}).get("name", name))) for layer in layers]
        )
    return found


def chart_with(at: AppTest, column: str) -> list[tuple[dict, pd.DataFrame]]:
    return next(c for c in charts(at) if any(f is not None and column in f for _, f in c))


def mark(layer: dict) -> dict:
    return layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}


def ouhai_towns(home: KepuHome) -> pd.DataFrame:
    """Ouhai's towns in the latest year of the literacy ratio, as the ranking must order
    them: published values highest first, then the suppressed towns by name."""
    values = snapshot(
        home,
        "select v.region_code, r.region_name_zh, r.region_name_en, v.year, v.value,"
        " v.quality_flag from fct_indicator_value v join dim_region r using (region_code)"
        " where v.indicator_code = 'literacy_ratio' and v.group_dimension = 'total'"
        " and r.parent_region_code = ?",
        [OUHAI],
    )
    latest = values[values["year"] == values["year"].max()]
    published = latest.dropna(subset=["value"]).sort_values("value", ascending=False)
    suppressed = latest[latest["value"].isna()].sort_values("region_name_zh")
    return pd.concat([published, suppressed])


def tiles(at: AppTest) -> list[tuple[str, str, str]]:
    """(region code, name, value) of each tile of the town grid, in order."""
    html = next(m.value for m in at.markdown if "town-grid" in m.value)
    return re.findall(
        r'data-region="(\d+)".*?class="town-name">(.*?)</div>'
        r'<div class="town-value">(.*?)</div>',
        html,
    )


def test_the_region_ranking_orders_ouhai_towns_by_their_latest_literacy_ratio(
    demo_home: KepuHome,
) -> None:
    towns = ouhai_towns(demo_home)
    opened = {"plan": OUHAI_PLAN, "target": OUHAI_LITERACY}
    ranking = chart_with(target_page(tab=RANKED_BARS, **opened), "region")
    bars = next(frame for layer, frame in ranking if mark(layer)["type"] == "bar")
    crosses = next(frame for layer, frame in ranking if "M -1 -1" in str(mark(layer).get("shape")))
    target = next(frame for layer, frame in ranking if mark(layer)["type"] == "rule")
    shown = tiles(target_page(**opened))

    assert int(towns["year"].iloc[0]) == 2025
    assert [code for code, _, _ in shown] == list(towns["region_code"])
    assert shown[0][2] == f"{towns['value'].iloc[0]:.2f}%" == "22.73%"
    assert list(bars["region_code"]) == list(towns.dropna(subset=["value"])["region_code"])
    assert list(bars["shown"]) == list(towns["value"].dropna().round(2))
    # nine towns suppressed: no bar at 0, an × with its reason, a dash in the tile
    assert len(crosses) == towns["value"].isna().sum() == 9
    assert crosses["reason"].str.len().gt(0).all()
    assert {value for _, _, value in shown[4:]} == {"—"}
    assert list(target["target_value"]) == [18.0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_regions_grid_bars_and_trends_are_three_tabs_only_the_open_one_sent(
    lang: str,
) -> None:
    """The grid (with its export) opens first; the bars and the small chart per region are
    built and sent only once their tab is chosen, and then alone."""
    labels = REGION_TABS[lang]
    at = target_page(lang, plan=OUHAI_PLAN, target=OUHAI_LITERACY)
    grid, bars, trends = (
        target_page(lang, tab, plan=OUHAI_PLAN, target=OUHAI_LITERACY) for tab in labels
    )

    assert [tab.label for tab in at.tabs] == labels
    for page in (at, grid):
        assert ['class="town-grid"' in m.value for m in page.tabs[0].markdown] == [True]
        assert len(page.tabs[0].get("download_button")) == 1
        assert [len(tab.get("vega_lite_chart")) for tab in page.tabs] == [0, 0, 0]
    for page, sent in ((bars, [0, 1, 0]), (trends, [0, 0, 1])):
        assert [len(tab.get("vega_lite_chart")) for tab in page.tabs] == sent
        assert not any('class="town-grid"' in m.value for m in page.markdown)
        assert len(page.get("download_button")) == 0
    assert "facet" not in json.loads(bars.tabs[1].get("vega_lite_chart")[0].proto.spec)
    assert "facet" in json.loads(trends.tabs[2].get("vega_lite_chart")[0].proto.spec)


def test_choosing_a_town_keeps_it_in_the_url_and_draws_its_own_trend(
    demo_home: KepuHome,
) -> None:
    towns = ouhai_towns(demo_home)
    top = towns["region_code"].iloc[0]
    at = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY)
    box = at.selectbox(key="region")
    box.select_index(box.options.index(towns["region_name_zh"].iloc[0])).run()
    values = snapshot(
        demo_home,
        "select year, value from fct_indicator_value where indicator_code = 'literacy_ratio'"
        " and group_dimension = 'total' and region_code = ? and value is not null order by year",
        [top],
    )
    trend = charts(at)[0]
    line = next(frame for layer, frame in trend if mark(layer)["type"] == "line")

    assert at.query_params["region"] == top
    assert list(line["year"]) == list(values["year"])
    assert list(line["shown"]) == list(values["value"].round(2))


def test_the_target_line_runs_only_over_the_target_period_with_the_due_year_marked(
    demo_home: KepuHome,
) -> None:
    period = snapshot(
        demo_home,
        "select period_start, target_year, target_value from fct_plan_target where target_id = ?",
        [OUHAI_LITERACY],
    ).iloc[0]
    at = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY)
    trend = charts(at)[0]
    rule = next((layer, frame) for layer, frame in trend if "x2" in layer.get("encoding", {}))
    due = next(
        frame for layer, frame in trend if mark(layer)["type"] == "point" and "due_year" in frame
    )

    assert (period["period_start"], period["target_year"]) == (2021, 2025)
    assert rule[0]["encoding"]["x"]["field"] == "start_year"
    assert list(rule[1]["start_year"]) == [2021.0]
    assert list(rule[1]["due_year"]) == [2025.0]
    assert list(due["label"]) == ["目标 ≥18%（2025年）"]


def test_the_group_drill_draws_a_district_gap_with_intervals_and_breaks_where_suppressed(
    demo_home: KepuHome,
) -> None:
    gaps = snapshot(
        demo_home,
        "select year, value, ci_lower, ci_upper from fct_indicator_value"
        " where indicator_code = 'literacy_ratio_gap' and region_code = ?"
        " and group_dimension = 'urban_rural' order by year",
        [XICHENG],
    )
    at = target_page(
        plan=BEIJING_PLAN, target=f"{BEIJING_PLAN}.literacy", region=XICHENG, group="urban_rural"
    )
    chart = chart_with(at, "minuend")
    line = next(frame for layer, frame in chart if mark(layer)["type"] == "line")
    bars = next(
        frame for layer, frame in chart if "y2" in layer.get("encoding", {}) and "ci_lower" in frame
    )
    crosses = next(frame for layer, frame in chart if "M -1 -1" in str(mark(layer).get("shape")))
    published = gaps.dropna(subset=["value"])

    assert (at.query_params["region"], at.query_params["group"]) == (XICHENG, "urban_rural")
    assert list(line["year"]) == list(published["year"])
    assert list(line["shown"]) == list(published["value"].round(2))
    assert list(bars["ci_lower"].round(6)) == list(published["ci_lower"].round(6))
    assert list(crosses["year"]) == list(gaps[gaps["value"].isna()]["year"]) == [2020, 2022, 2024]
    assert crosses["reason"].str.len().gt(0).all()
    assert crosses["shown"].isna().all()


def test_in_english_every_choice_and_heading_of_the_drill_is_english(
    demo_home: KepuHome,
) -> None:
    at = target_page("en", plan=OUHAI_PLAN, target=OUHAI_LITERACY, group="sex")
    options = [option for box in at.selectbox for option in box.options]
    texts = [
        *options,
        *(box.label for box in at.selectbox),
        *(h.value for h in at.subheader),
        *(c.value for c in at.caption),
    ]

    assert at.selectbox(key="region").options[0] == "Ouhai District"
    assert [text for text in texts if CJK.search(text)] == []
    assert "Regions below, ranked (2025)" in [h.value for h in at.subheader]
    assert {name for _, name, _ in tiles(at)} == set(ouhai_towns(demo_home)["region_name_en"])


def test_the_literacy_page_draws_six_occupations_the_top_and_bottom_three(
    demo_home: KepuHome,
) -> None:
    values = snapshot(
        demo_home,
        "select year, group_value, value from fct_indicator_value"
        " where indicator_code = 'literacy_ratio' and region_code = ?"
        " and group_dimension = 'occupation'",
        [BEIJING],
    )
    latest = (
        values.dropna(subset=["value"])
        .sort_values("year")
        .groupby("group_value")["value"]
        .last()
        .sort_values(ascending=False)
    )
    expected = [*latest.index[:3], *latest.index[-3:]]
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/literacy.py").run()
    at.selectbox(key="literacy_region").set_value(BEIJING).run()
    at.selectbox(key="group_dimension").set_value("occupation").run()
    layers = chart_with(at, "series")
    line = next(frame for layer, frame in layers if mark(layer)["type"] == "line")
    crosses = [frame for layer, frame in layers if "M -1 -1" in str(mark(layer).get("shape"))]

    assert len(latest) == 10
    assert set(line["group_value"]) == set(expected)
    # the chart says in its own subtitle which groups it draws, out of how many
    titles = [json.loads(chart.proto.spec).get("title") for chart in at.get("vega_lite_chart")]
    said = vocabulary.text("literacy.top_bottom", "zh", n=3, total=len(latest))
    assert "最高和最低的各 3 个群体（共 10 个）" in said
    assert any(isinstance(title, dict) and title.get("subtitle") == said for title in titles)
    # a suppressed estimate sits in the plot's bottom strip (a pixel position 7 px above
    # its bottom), never at a value of 0
    for layer, _ in layers:
        if "M -1 -1" in str(mark(layer).get("shape")):
            assert layer["encoding"]["y"] == {"value": {"expr": "height - 7"}}
    assert crosses is not None


@pytest.fixture
def empty_home(demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KepuHome:
    """A published snapshot with every mart empty: a first build before any data arrived."""
    home = KepuHome(tmp_path / "kepu").ensure()
    home.published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_home.published, home.published)
    with duckdb.connect(str(home.published)) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_name <> 'snapshot_info'"
        ).fetchall()
        for schema, table in tables:
            conn.execute(f'delete from "{schema}"."{table}"')
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    return home


@pytest.mark.parametrize("name", ["target", "assessment", "literacy", "funding"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_warehouse_gives_a_message_not_a_stack_trace(
    empty_home: KepuHome, name: str, lang: str
) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"views/{name}.py").run()

    assert not at.exception
    assert at.info


@pytest.mark.parametrize(
    ("lang", "header", "target"),
    [("zh", "区级人均科普经费（科普专项经费/户籍人口）：逐年增长", "逐年增长"),
     ("en", "Per-capita district science-popularization special fund (per registered "
      "resident): grows every year", "grows every year")],
)  # fmt: skip
def test_a_growth_target_above_zero_reads_as_the_reports_say_it_on_the_target_page(
    demo_home: KepuHome, lang: str, header: str, target: str
) -> None:
    """Ouhai's per-capita funding must grow every year: its registry label '>0%' is the
    threshold of a growth rate, and the page names it as the report does."""
    goal = f"{OUHAI_PLAN}.per-capita-funding"
    registered = snapshot(
        demo_home,
        "select target_kind, target_value, target_label_zh from fct_plan_target"
        " where target_id = ?",
        [goal],
    ).iloc[0]
    at = target_page(lang, plan=OUHAI_PLAN, target=goal)

    assert tuple(registered) == ("growth", 0.0, ">0%")
    assert [h.value for h in at.header] == [header]
    assert [m.value for m in at.metric][1] == target
    assert not [m for m in at.metric if ">0%" in m.value]


def test_a_suppressed_years_cross_is_drawn_whole_inside_the_plot(demo_home: KepuHome) -> None:
    """Ouhai town 01's 2022, 2023 and 2025 estimates are suppressed: each × sits 7 px above
    the bottom of the plot as drawn, in a 14 px strip the value axis leaves free, and the
    year axis leaves 14 px at either end, so an × (√110 / 2 + 1 = 6.2 px from its centre)
    at 2025 or on the bottom line is not cut by the chart's edge."""
    town = "330304901"
    suppressed = snapshot(
        demo_home,
        "select year from fct_indicator_value where indicator_code = 'literacy_ratio'"
        " and group_dimension = 'total' and region_code = ? and value is null order by year",
        [town],
    )
    at = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY, region=town)
    trend = charts(at)[0]
    crosses = next(
        (layer, frame) for layer, frame in trend if "M -1 -1" in str(mark(layer).get("shape"))
    )
    line = next(layer for layer, _ in trend if mark(layer)["type"] == "line")
    reach = (mark(crosses[0])["size"] ** 0.5) / 2 + mark(crosses[0])["strokeWidth"] / 2

    assert list(suppressed["year"]) == [2022, 2023, 2025]
    assert list(crosses[1]["year"]) == [2022, 2023, 2025]
    assert crosses[0]["encoding"]["y"] == {"value": {"expr": "height - 7"}}
    assert line["encoding"]["y"]["scale"]["padding"] == 14
    assert line["encoding"]["x"]["scale"]["padding"] == 14
    assert round(reach, 1) == 6.2 and reach <= 7


def test_the_regions_below_are_shown_once_per_publish_and_anew_after_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dashboards import data, drill

    con = duckdb.connect()
    con.execute(
        "create table dim_region as select * from (values ('330304', null, '瓯海区', 'Ouhai'),"
        " ('330304001', '330304', '甲镇', 'Town A'), ('330304002', '330304', '乙镇', 'Town B'))"
        " as r(region_code, parent_region_code, region_name_zh, region_name_en)"
    )
    con.execute(
        "create table fct_indicator_value as select region_code,"
        " 'literacy_ratio' as indicator_code, 'total' as group_dimension, 2024 as year,"
        " 12.5 as value, 11.0 as ci_lower, 14.0 as ci_upper, 'present' as quality_flag,"
        " null as quality_reason, null::double as quality_measure_value,"
        " null::double as quality_threshold from dim_region where parent_region_code is not null"
    )
    goal = pd.Series(
        {"indicator_code": "literacy_ratio", "indicator_family": "survey_ratio", "unit_zh": "%"}
    )
    calls: list[int] = []
    original = drill.with_display

    def counted(values: pd.DataFrame, goal: pd.Series) -> pd.DataFrame:
        calls.append(len(values))
        return original(values, goal)

    monkeypatch.setattr(drill, "with_display", counted)
    drill.regions_shown.clear()
    first = data.Published("snapshot@1", con)
    shown = drill.regions_shown(first, goal, OUHAI, "zh")
    assert list(shown["region"]) == ["甲镇", "乙镇"]
    assert list(shown["text"]) == ["12.50%", "12.50%"]
    drill.regions_shown(data.Published("snapshot@1", con), goal, OUHAI, "zh")
    assert calls == [2]
    drill.regions_shown(data.Published("snapshot@2", con), goal, OUHAI, "zh")
    assert calls == [2, 2]
