"""The dashboard in a real browser: `streamlit run` on the session's demo snapshot, driven by
Playwright in Debian's Chromium (installed by `make test` with apt-get; never downloaded).

One server and one browser for the session. Expected values are read from the marts by
queries of their own, and the words are written out here, not taken from the vocabulary.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboards.server import APP, serve
from ingest.home import KepuHome

OUHAI = "ouhai-2021-2025"
OUHAI_LITERACY = f"{OUHAI}.literacy"
NOT_ACHIEVED = {"zh": "未达成", "en": "Not achieved"}
ACHIEVED = {"zh": "已达成", "en": "Achieved"}
WAIT_MS = 30_000


@pytest.fixture(scope="session")
def dashboard_url(demo_home: KepuHome) -> Iterator[str]:
    """`streamlit run dashboards/app.py`, headless on a free port, on the demo snapshot."""
    with serve(APP, {**os.environ, "KEPU_HOME": str(demo_home.root)}) as url:
        yield url


# Streamlit's own probes: on a page's path (/target) the client first asks for
# /target/_stcore/health and /target/_stcore/host-config, gets 404, then asks at the root.
STREAMLIT_PROBES = ("/_stcore/health", "/_stcore/host-config")


def console_error(message: ConsoleMessage) -> str | None:
    """The text of a console error, None for anything else or for Streamlit's probes."""
    if message.type != "error":
        return None
    if message.location.get("url", "").endswith(STREAMLIT_PROBES):
        return None
    return f"{message.text} ({message.location.get('url')})"


@pytest.fixture
def page(browser: Browser, dashboard_url: str) -> Iterator[Page]:
    """A fresh tab 1440 px wide that fails the test on any uncaught script error or any
    console error, and on any exception Streamlit shows."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, base_url=dashboard_url, accept_downloads=True
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(console_error(message) or ""))
    yield tab
    exceptions = tab.locator("[data-testid='stException']").all_inner_texts()
    context.close()
    assert [error for error in errors if error] == []
    assert exceptions == []


@pytest.fixture(scope="module")
def marts(demo_home: KepuHome) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(demo_home.published), read_only=True) as conn:
        yield conn


def ouhai_count(marts: duckdb.DuckDBPyConnection, status: str) -> int:
    return marts.execute(
        "select goal_count from fct_plan_status_count"
        " where plan_id = ? and goal_group = 'target' and progress_status = ?",
        [OUHAI, status],
    ).fetchone()[0]


def ouhai_literacy(marts: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The latest value as the page must print it (two decimals, %) and the status code."""
    value, status = marts.execute(
        "select latest_value, progress_status from fct_target_progress where target_id = ?",
        [OUHAI_LITERACY],
    ).fetchone()
    return f"{value:.2f}%", status


def open_overview(page: Page, lang: str) -> None:
    page.goto(f"/?plan={OUHAI}&lang={lang}")
    expect(page.locator(f'div.tile[data-target="{OUHAI_LITERACY}"]')).to_be_visible(timeout=WAIT_MS)


def test_overview_counts_and_tiles_equal_the_marts_in_chinese_and_english(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    not_achieved = ouhai_count(marts, "not_achieved")
    achieved = ouhai_count(marts, "achieved")
    latest, status = ouhai_literacy(marts)
    assert (not_achieved, achieved, status) == (7, 4, "not_achieved")

    open_overview(page, "zh")
    row = page.locator(f'tbody[data-plan="{OUHAI}"]')
    expect(row).to_contain_text(f"{NOT_ACHIEVED['zh']} {not_achieved}")
    expect(row).to_contain_text(f"{ACHIEVED['zh']} {achieved}")
    tile = page.locator(f'div.tile[data-target="{OUHAI_LITERACY}"]')
    expect(tile.locator(".tile-latest")).to_have_text(latest)
    expect(tile.locator(".verdict")).to_have_text(NOT_ACHIEVED["zh"])

    page.get_by_text("English", exact=True).click()
    expect(row).to_contain_text(f"{NOT_ACHIEVED['en']} {not_achieved}", timeout=WAIT_MS)
    expect(tile.locator(".verdict")).to_have_text(NOT_ACHIEVED["en"])
    expect(tile.locator(".tile-latest")).to_have_text(latest)
    expect(page.locator("body")).not_to_contain_text("None")


PLAN_LABEL = {"zh": "选择规划", "en": "Choose a plan"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_choosing_a_plan_on_the_overview_draws_its_tiles_and_puts_it_in_the_url(
    page: Page, marts: duckdb.DuckDBPyConnection, lang: str
) -> None:
    """The plan selector reruns only its part of the page (a fragment): the chosen plan's
    tiles, its URL, and the scorecard still there."""
    beijing = "beijing-2021-2035"
    name_zh, name_en = marts.execute(
        "select plan_name_zh, plan_name_en from dim_plan where plan_id = ?", [beijing]
    ).fetchone()
    emergency = marts.execute(
        "select latest_value from fct_target_progress where target_id = ?",
        [f"{beijing}.emergency-training"],
    ).fetchone()[0]
    shown = {"zh": f"{emergency / 10_000:.1f}万人次", "en": f"{emergency:,.0f} person-times"}
    assert shown == {"zh": "34.0万人次", "en": "340,000 person-times"}

    open_overview(page, lang)
    choose(page, PLAN_LABEL[lang], {"zh": name_zh, "en": name_en}[lang])
    tile = page.locator(f'div.tile[data-target="{beijing}.emergency-training"]')
    expect(tile.locator(".tile-latest")).to_have_text(shown[lang], timeout=WAIT_MS)
    expect(page.locator(f'div.tile[data-target="{OUHAI_LITERACY}"]')).to_have_count(0)
    assert query_of(page)["plan"] == [beijing]
    expect(page.locator(f'tbody[data-plan="{OUHAI}"]')).to_be_visible()


def test_a_tile_link_opens_the_target_page_with_the_selection_in_the_url(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    latest, _ = ouhai_literacy(marts)
    open_overview(page, "en")
    page.locator(f'div.tile[data-target="{OUHAI_LITERACY}"] a').click()

    page.wait_for_url("**/target?**", timeout=WAIT_MS)
    query = parse_qs(urlparse(page.url).query)
    assert (query["plan"], query["target"]) == ([OUHAI], [OUHAI_LITERACY])
    metric = page.locator("[data-testid='stMetricValue']").first
    expect(metric).to_have_text(latest, timeout=WAIT_MS)
    expect(page.locator(".verdict")).to_have_text(NOT_ACHIEVED["en"])


def test_a_bookmarked_target_page_opens_on_its_selection(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    target = f"{OUHAI}.tech-volunteers"
    value, status = marts.execute(
        "select latest_value, progress_status from fct_target_progress where target_id = ?",
        [target],
    ).fetchone()
    assert status == "achieved"

    page.goto(f"/target?plan={OUHAI}&target={target}&lang=zh")
    metric = page.locator("[data-testid='stMetricValue']").first
    expect(metric).to_have_text(f"{value:,.0f}人", timeout=WAIT_MS)
    expect(page.locator(".verdict")).to_have_text(ACHIEVED["zh"])
    assert parse_qs(urlparse(page.url).query)["target"] == [target]


def test_a_gap_target_shows_its_values_whole_in_english(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    """'-0.09 percentage points' is wider than a third of the page: it wraps, nothing of it
    is cut off with an ellipsis."""
    target = f"{OUHAI}.gender-gap"
    latest, baseline = marts.execute(
        "select latest_value, baseline_value from fct_target_progress where target_id = ?",
        [target],
    ).fetchone()
    page.goto(f"/target?plan={OUHAI}&target={target}&lang=en")
    values = page.locator("[data-testid='stMetricValue']")
    expect(values.first).to_have_text(f"{latest:.2f} percentage points", timeout=WAIT_MS)
    expect(values.nth(1)).to_have_text("gap narrows")
    expect(values.nth(2)).to_have_text(f"{baseline:.2f} percentage points")
    for value in values.all():
        # the text's own box ends inside its column (cut or not, a line that does not
        # wrap is laid out past it)
        right, column_right = value.locator("p").evaluate(
            "p => [p.getBoundingClientRect().right,"
            " p.closest('[data-testid=stMetric]').getBoundingClientRect().right]"
        )
        assert right <= column_right + 0.5, (right, column_right)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_assessment_tables_show_every_column_whole(
    page: Page, marts: duckdb.DuckDBPyConnection, lang: str
) -> None:
    """In a window 1440 px wide neither table of the assessment page (the statuses, then
    the method and data behind them) is wider than its grid: no column is cut at the
    grid's right edge, where a cut value reads as another ('17.6' for 17.60%), and the
    reader need not scroll sideways to find a value."""
    page.goto(f"/assessment?plan={OUHAI}&lang={lang}")
    grids = page.locator("[data-testid='stDataFrame'] .dvn-scroller")
    expect(grids).to_have_count(2, timeout=WAIT_MS)
    latest, status = ouhai_literacy(marts)
    name, year = marts.execute(
        f"select indicator_name_{lang}, latest_year from fct_target_progress where target_id = ?",
        [OUHAI_LITERACY],
    ).fetchone()
    assert status == "not_achieved"
    # the grid's own table for screen readers: its first row, left to right
    first_row = grids.first.locator("xpath=ancestor::*[@data-testid='stDataFrame']//tr[td]").first
    expect(first_row.locator("td").first).to_have_text(name, timeout=WAIT_MS)
    cells = first_row.locator("td").all_inner_texts()
    assert cells[2:5] == [latest, str(year), NOT_ACHIEVED[lang]]
    for grid in grids.all():
        content, shown = grid.evaluate("grid => [grid.scrollWidth, grid.clientWidth]")
        assert content <= shown, (content, shown)


REGION_LABEL = {"zh": "选择地区", "en": "Choose a region"}
GROUP_LABEL = {"zh": "选择分组方式", "en": "Choose a breakdown"}
OCCUPATION_GAP = {"zh": "最高 − 最低职业群体", "en": "highest − lowest occupation"}
RANKED_TAB = {"zh": "排名条形图", "en": "Ranked bars"}
REGIONS_HEADING = {"zh": "下辖地区排名（2025年）", "en": "Regions below, ranked (2025)"}


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`, as a person does."""
    box = page.get_by_role("combobox", name=label, exact=True)
    item = page.get_by_role("option", name=option, exact=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        settled(page)
        box.click()
        try:
            item.click(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            # a rerun that began after the check closed the list: open it again
            if time.monotonic() > deadline:
                raise


def settled(page: Page) -> None:
    """Wait until Streamlit shows no script running: a list opened while the page reruns
    is closed again by the rerun."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def top_town(marts: duckdb.DuckDBPyConnection) -> tuple[str, str, str, float]:
    """Ouhai's town with the highest published literacy ratio in the latest year: code,
    Chinese name, English name and value, computed here from the mart."""
    towns = marts.execute(
        "select v.region_code, r.region_name_zh, r.region_name_en, v.year, v.value"
        " from fct_indicator_value v join dim_region r using (region_code)"
        " where v.indicator_code = 'literacy_ratio' and v.group_dimension = 'total'"
        " and r.parent_region_code = '330304'"
    ).df()
    latest = towns[towns["year"] == towns["year"].max()].dropna(subset=["value"])
    best = latest.sort_values("value", ascending=False).iloc[0]
    return best["region_code"], best["region_name_zh"], best["region_name_en"], best["value"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_leader_drills_from_a_plan_tile_to_a_target_a_group_and_a_region(
    page: Page, marts: duckdb.DuckDBPyConnection, lang: str
) -> None:
    code, name_zh, name_en, value = top_town(marts)
    name = {"zh": name_zh, "en": name_en}[lang]
    assert (code, f"{value:.2f}") == ("330304902", "22.73")

    open_overview(page, lang)
    page.locator(f'div.tile[data-target="{OUHAI_LITERACY}"] a').click()
    page.wait_for_url("**/target?**", timeout=WAIT_MS)
    expect(page.get_by_text(REGIONS_HEADING[lang])).to_be_visible(timeout=WAIT_MS)
    first = page.locator("div.town").first
    expect(first).to_have_attribute("data-region", code)
    expect(first.locator(".town-value")).to_have_text(f"{value:.2f}%")
    expect(first.locator(".town-name")).to_have_text(name)

    choose(page, GROUP_LABEL[lang], OCCUPATION_GAP[lang])
    page.wait_for_function("location.search.includes('group=occupation')", timeout=WAIT_MS)
    choose(page, REGION_LABEL[lang], name)
    page.wait_for_function(f"location.search.includes('region={code}')", timeout=WAIT_MS)
    query = query_of(page)
    assert (query["plan"], query["target"], query["lang"]) == ([OUHAI], [OUHAI_LITERACY], [lang])

    # the bookmark reopens the same drill: the region's choice is shown, not the default
    page.goto(page.url)
    box = page.get_by_role("combobox", name=REGION_LABEL[lang], exact=True)
    expect(box).to_have_value(name, timeout=WAIT_MS)

    # the ranked bars are drawn once their tab is chosen, in the grid's place
    expect(page.locator("div.town")).to_have_count(13, timeout=WAIT_MS)
    page.get_by_role("tab", name=RANKED_TAB[lang]).click()
    bars = page.locator("[data-testid='stTabPanel'] [data-testid='stVegaLiteChart']")
    expect(bars).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("div.town")).to_have_count(0)


ASSESSMENT_LABEL = {"zh": "规划", "en": "Plan"}
GENERATE = "生成该评估报告（中英文 Word 和 Excel）"
OUHAI_FINAL_ZH = "总结评估（2026-03-31）· 中文 · Word 报告"
# a dbt build of the warehouse as of the review date, on two shared cores
GENERATE_MS = 900_000


def test_an_evaluator_writes_and_downloads_the_ouhai_final_assessment(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    plan_zh = marts.execute(
        "select plan_name_zh from dim_plan where plan_id = ?", [OUHAI]
    ).fetchone()[0]
    page.goto("/assessment?lang=zh")
    choose(page, ASSESSMENT_LABEL["zh"], plan_zh)
    point = page.locator("[class*='st-key-point_2025_final']")
    point.get_by_role("button", name=GENERATE).click()
    download_button = page.get_by_role("button", name=OUHAI_FINAL_ZH)
    expect(download_button).to_be_visible(timeout=GENERATE_MS)

    with page.expect_download() as downloading:
        download_button.click()
    report = downloading.value
    saved = report.path()

    assert report.suggested_filename == f"{OUHAI}_final_2026-03-31_zh.docx"
    with zipfile.ZipFile(saved) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert plan_zh in body


def test_a_choice_made_in_chinese_reads_in_english_after_the_switch(
    page: Page, marts: duckdb.DuckDBPyConnection
) -> None:
    """A reader picks a region and a breakdown on the literacy page in Chinese, then
    switches to English: both boxes show the same choices in English (Streamlit's box kept
    the Chinese text it was drawn with), and switching back shows the Chinese again."""
    name_zh, name_en = marts.execute(
        "select region_name_zh, region_name_en from dim_region where region_code = '110102'"
    ).fetchone()
    assert (name_zh, name_en) == ("西城区", "Xicheng District, Beijing")
    page.goto("/literacy?lang=zh")
    choose(page, "地区", name_zh)
    choose(page, "分组", "城乡")
    page.get_by_text("English", exact=True).click()
    region_box = page.get_by_role("combobox", name="Region", exact=True)
    expect(region_box).to_have_value(name_en, timeout=WAIT_MS)
    expect(page.get_by_role("combobox", name="Breakdown", exact=True)).to_have_value(
        "Urban / rural"
    )
    page.get_by_text("中文", exact=True).click()
    expect(page.get_by_role("combobox", name="地区", exact=True)).to_have_value(
        name_zh, timeout=WAIT_MS
    )
