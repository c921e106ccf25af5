"""The drill-down below the first level under a plan (a province's districts, a
district's towns), the charts' specs sent without Altair's validation, and whole plan
names in the Overview's plan table, through AppTest on the published demo snapshot.

Expected values come from the marts by queries of their own (fct_indicator_value,
dim_region), from Streamlit's own `st.altair_chart`, and from a font's glyph widths.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import pytest
import streamlit as st
from PIL import ImageFont
from streamlit.testing.v1 import AppTest

from dashboards import charts
from ingest.home import KepuHome
from tests.test_dashboard_drill import (
    APP,
    BEIJING,
    BEIJING_PLAN,
    EACH_REGION,
    OUHAI_LITERACY,
    OUHAI_PLAN,
    RANKED_BARS,
    mark,
    snapshot,
    target_page,
    tiles,
)
from tests.test_dashboard_drill import charts as page_charts

# The font Streamlit's table grid draws with, as Streamlit ships it.
GRID_FONT = next(Path(st.__file__).parent.glob("static/static/media/SourceSansVF-Upright*"))


def sent_charts(at: AppTest) -> list[tuple[str, list[tuple[str, bytes]]]]:
    """Each chart on the page as Streamlit sent it: its spec and its named datasets."""
    return [
        (chart.proto.spec, [(d.name, d.data.data) for d in chart.proto.datasets])
        for chart in at.get("vega_lite_chart")
    ]


def altair_chart(
    chart: alt.TopLevelMixin, key: str | None = None, width: str | None = None
) -> None:
    st.altair_chart(chart, key=key, width=width)


def altair_chart_each_time(
    selection: tuple, build, key: str | None = None, width: str | None = None
) -> None:
    st.altair_chart(build(), key=key, width=width)


def literacy_page(region: str, dimension: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/literacy.py").run()
    at.selectbox(key="literacy_region").set_value(region).run()
    at.selectbox(key="group_dimension").set_value(dimension).run()
    assert not at.exception
    return at


def test_every_chart_is_sent_with_the_spec_st_altair_chart_sends(
    demo_home: KepuHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = {"plan": OUHAI_PLAN, "target": OUHAI_LITERACY, "group": "sex"}

    def drill_charts() -> list[tuple[str, list[tuple[str, bytes]]]]:
        return [
            *sent_charts(target_page(tab=RANKED_BARS, **opened)),
            *sent_charts(target_page(tab=EACH_REGION, **opened)),
        ]

    drill = drill_charts()
    from_cache = drill_charts()  # the converted specs, kept
    literacy = sent_charts(literacy_page(BEIJING, "occupation"))
    st.cache_data.clear()
    monkeypatch.setattr(charts, "show", altair_chart)
    monkeypatch.setattr(charts, "show_once", altair_chart_each_time)
    validated_drill = drill_charts()
    validated_literacy = sent_charts(literacy_page(BEIJING, "occupation"))

    # trend, ranking and group gap, then trend, small multiples and group gap; estimates
    # and gaps
    assert (len(drill), len(literacy)) == (6, 2)
    assert drill == from_cache == validated_drill
    assert literacy == validated_literacy
    assert all(datasets for _, datasets in drill + literacy)  # the data went as Arrow


BEIJING_LITERACY = f"{BEIJING_PLAN}.literacy"
XICHENG = "110102"
ZHEJIANG = "330000"
WENZHOU = "330300"
OUHAI = "330304"


def latest_ranking(home: KepuHome, parent: str) -> pd.DataFrame:
    """The regions whose parent is `parent`, in the latest year of their whole-population
    literacy ratio, as the ranking orders them: published values highest first, then the
    suppressed ones by name."""
    values = snapshot(
        home,
        "select v.region_code, r.region_name_zh, v.year, v.value from fct_indicator_value v"
        " join dim_region r using (region_code) where v.indicator_code = 'literacy_ratio'"
        " and v.group_dimension = 'total' and r.parent_region_code = ?",
        [parent],
    )
    latest = values[values["year"] == values["year"].max()]
    published = latest.dropna(subset=["value"]).sort_values("value", ascending=False)
    return pd.concat([published, latest[latest["value"].isna()].sort_values("region_name_zh")])


def region_series(home: KepuHome, region: str) -> pd.DataFrame:
    return snapshot(
        home,
        "select year, value from fct_indicator_value where indicator_code = 'literacy_ratio'"
        " and group_dimension = 'total' and region_code = ? and value is not null order by year",
        [region],
    )


def trend_line(at: AppTest) -> pd.DataFrame:
    """The line layer of the page's first chart (the chosen region's values by year)."""
    return next(frame for layer, frame in page_charts(at)[0] if mark(layer)["type"] == "line")


def path_links(at: AppTest) -> list[str]:
    """The regions the path above the ranking links to, from the plan's region down."""
    line = next(m.value for m in at.markdown if "region=" in m.value)
    return re.findall(r"region=(\d+)", line)


def test_a_district_below_beijing_keeps_the_districts_ranking_and_draws_its_own_trend(
    demo_home: KepuHome,
) -> None:
    districts = latest_ranking(demo_home, BEIJING)
    at = target_page(plan=BEIJING_PLAN, target=BEIJING_LITERACY)
    box = at.selectbox(key="region")
    box.select_index(box.options.index("西城区")).run()

    # Beijing's districts have no towns with values: Xicheng's level is its districts'
    assert len(districts) == 16
    assert at.query_params["region"] == XICHENG
    assert [code for code, _, _ in tiles(at)] == list(districts["region_code"])
    assert [value for _, _, value in tiles(at)][:2] == [
        f"{value:.2f}%" for value in districts["value"].iloc[:2]
    ]
    assert at.selectbox(key="region").options == ["北京市", *districts["region_name_zh"]]
    assert path_links(at) == [BEIJING]
    line = trend_line(at)
    expected = region_series(demo_home, XICHENG)
    assert list(line["year"]) == list(expected["year"])
    assert list(line["shown"]) == list(expected["value"].round(2))


@pytest.fixture
def zhejiang_home(demo_home: KepuHome, tmp_path, monkeypatch: pytest.MonkeyPatch) -> KepuHome:
    """The demo snapshot with Ouhai's literacy target set for the whole of Zhejiang: a
    province whose only values lie two levels down (Ouhai, a district of Wenzhou) and
    three (Ouhai's towns)."""
    home = KepuHome(tmp_path / "kepu").ensure()
    home.published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_home.published, home.published)
    with duckdb.connect(str(home.published)) as conn:
        for table in ("fct_plan_target", "fct_target_progress"):
            conn.execute(
                f"update {table} set region_code = ? where target_id = ?",
                [ZHEJIANG, OUHAI_LITERACY],
            )
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    return home


def test_the_drill_goes_from_a_province_to_a_district_to_its_towns(
    zhejiang_home: KepuHome,
) -> None:
    towns = latest_ranking(zhejiang_home, OUHAI)
    province = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY)
    at = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY, region=OUHAI)
    box = at.selectbox(key="region")

    # Zhejiang: Wenzhou has no value, so the nearest level with values is Ouhai alone
    assert [code for code, _, _ in tiles(province)] == [OUHAI]
    assert path_links(province) == [ZHEJIANG]
    # Ouhai: its 13 towns ranked as the marts have them, the path back up to Zhejiang
    # through Wenzhou (which has no value of its own)
    assert len(towns) == 13
    assert [code for code, _, _ in tiles(at)] == list(towns["region_code"])
    assert tiles(at)[0][2] == f"{towns['value'].iloc[0]:.2f}%" == "22.73%"
    assert path_links(at) == [ZHEJIANG, WENZHOU, OUHAI]
    assert box.options == ["浙江省", "温州市", "瓯海区", *towns["region_name_zh"]]
    assert at.query_params["region"] == OUHAI

    top = towns["region_code"].iloc[0]
    box.select_index(3).run()
    expected = region_series(zhejiang_home, top)
    line = trend_line(at)

    # a town has nothing below it: the ranking stays its district's towns
    assert at.query_params["region"] == top
    assert [code for code, _, _ in tiles(at)] == list(towns["region_code"])
    assert path_links(at) == [ZHEJIANG, WENZHOU, OUHAI]
    assert list(line["shown"]) == list(expected["value"].round(2))


def test_a_region_outside_the_plan_in_the_url_opens_the_plan_region(
    zhejiang_home: KepuHome,
) -> None:
    at = target_page(plan=OUHAI_PLAN, target=OUHAI_LITERACY, region=XICHENG)

    assert at.selectbox(key="region").value == ZHEJIANG
    assert [code for code, _, _ in tiles(at)] == [OUHAI]


def lines_drawn(text: str, width: float, font: ImageFont.FreeTypeFont) -> int:
    """Lines `text` takes wrapped between words at `width` pixels in `font`."""
    lines, line = 1, ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and font.getlength(candidate) > width:
            lines, candidate = lines + 1, word
        line = candidate
    return lines


def test_every_english_plan_name_fits_whole_in_its_wrapped_cell(demo_home: KepuHome) -> None:
    names = snapshot(demo_home, "select plan_name_en from dim_plan order by period_start, plan_id")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    table = next(f for f in at.dataframe if "issued_on" in f.value.columns)
    width = json.loads(table.proto.columns)["plan_name"]["width"]
    font = ImageFont.truetype(str(GRID_FONT), 14)
    # with room to spare: 16 px padding each side, lines 20 px apart (measured: 19)
    lines = max(lines_drawn(name, width - 32, font) for name in names["plan_name_en"])

    assert names["plan_name_en"].str.len().max() == 119  # Zengcheng's implementation plan
    assert list(table.value["plan_name"]) == list(names["plan_name_en"])
    assert table.proto.row_height > 64  # the grid wraps text only in rows taller than 4rem
    assert table.proto.row_height >= lines * 20 + 16
