"""`kepu bench dashboard`: the dashboard's first paint and a filter change in headless
Chromium, beside a trivial Streamlit page measured in the same run.

Both apps run under `streamlit run` with the same flags, one after the other, on the same
machine; the browser is Debian's Chromium driven by Playwright. The filter change is the
Overview's plan selector (another plan's tiles and registry, a fragment's rerun); the
language switch reruns the whole page. The trivial page has a title and a radio whose
change reruns it whole, timed for both, so the ratio is what this app costs over
Streamlit itself. The dashboard reads the published snapshot of KEPU_HOME.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

import vocabulary
from dashboards.server import APP, serve
from ingest.home import KepuHome

TRIVIAL_PAGE = """import streamlit as st

st.set_page_config(layout="wide")
choice = st.sidebar.radio("Language", ["zh", "en"], horizontal=True)
st.title("Overview" if choice == "en" else "概览")
st.write(f"language: {choice}")
"""
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WAIT_MS = 60_000
OPEN_ATTEMPTS, OPEN_WAIT_MS = 5, 5_000
# The goals of issue 11: first paint within 1.5× the trivial page; a filter change ≤ 0.5 s.
FIRST_PAINT_GOAL = 1.5
FILTER_CHANGE_GOAL_SECONDS = 0.5
NO_OTHER_PLAN = "n/a"  # the filter change of a snapshot with one plan
# The Overview's plan selector as a Chinese reader sees it (vocabulary overview.choose_plan).
PLAN_SELECTOR = vocabulary.text("overview.choose_plan", "zh")


@dataclass(frozen=True)
class PageTimes:
    """Seconds, medians over the repeats; cold = the first visit to a fresh server."""

    cold_first_paint: float
    warm_first_paint: float
    warm_settled: float
    filter_change: float | None  # None: the snapshot has no other plan to choose
    language_switch: float


@dataclass(frozen=True)
class DashboardBench:
    repeats: int
    dashboard: PageTimes
    trivial: PageTimes

    @property
    def first_paint_ratio(self) -> float:
        return self.dashboard.warm_first_paint / self.trivial.warm_first_paint


def _wait_for_rerun(page, shown: str) -> None:
    page.locator(shown).first.wait_for(state="visible", timeout=WAIT_MS)
    page.locator(SETTLED).wait_for(timeout=WAIT_MS)


def _click_radio(page, option: str, title: str) -> float:
    """Seconds from a click on the radio `option` to the rerun finished with the page
    titled `title`."""
    start = time.perf_counter()
    page.get_by_text(option, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=WAIT_MS)
    page.locator(SETTLED).wait_for(timeout=WAIT_MS)
    return time.perf_counter() - start


def _choose(page, label: str, option: str, shown: str) -> float:
    """Seconds from a click on `option` in the open selectbox `label` to the rerun
    finished with `shown` (opening the list is not timed: it runs no script)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label, exact=True)
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(OPEN_ATTEMPTS):
        page.locator(SETTLED).wait_for(timeout=WAIT_MS)
        box.click()
        try:
            item.wait_for(timeout=OPEN_WAIT_MS)
            break
        except PlaywrightTimeout:
            continue  # a rerun closed the list as it opened: open it again
    start = time.perf_counter()
    item.click()
    _wait_for_rerun(page, shown)
    return time.perf_counter() - start


@dataclass(frozen=True)
class Visit:
    """What one app's visit waits for and does: `ready` shows when the page has settled;
    `change_filter` and `switch_language` act on the page and return their seconds."""

    url: str
    ready: str
    change_filter: Callable[..., float | None]
    switch_language: Callable[..., float]


def _visit(browser, visit: Visit) -> tuple[float | None, ...]:
    """(first paint, settled, filter change, language switch) of one visit in a fresh
    browser context. First paint: the page's title (h1) is visible. Settled: the script
    has finished and `ready` is visible."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(visit.url)
        page.locator("h1").first.wait_for(state="visible", timeout=WAIT_MS)
        first_paint = time.perf_counter() - start
        _wait_for_rerun(page, visit.ready)
        settled = time.perf_counter() - start
        change = visit.change_filter(page)
        switch = visit.switch_language(page)
    finally:
        context.close()
    return first_paint, settled, change, switch


def _measure(visit: Callable[[], tuple[float | None, ...]], repeats: int) -> PageTimes:
    cold = visit()
    warm = [visit() for _ in range(repeats)]
    changes = [v[2] for v in warm if v[2] is not None]
    return PageTimes(
        cold_first_paint=cold[0],
        warm_first_paint=statistics.median(v[0] for v in warm),
        warm_settled=statistics.median(v[1] for v in warm),
        filter_change=statistics.median(changes) if changes else None,
        language_switch=statistics.median(v[3] for v in warm),
    )


def _other_plan(home: KepuHome) -> tuple[str, str] | None:
    """(plan_id, Chinese name) of the last plan with targets that is not the first plan,
    the one the Overview opens on, so choosing it draws other tiles; None if there is no
    such plan (a national snapshot holds one plan: there is no filter to change)."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute(
            "select plan_id, plan_name_zh from dim_plan where target_count > 0 and plan_id <> "
            "(select plan_id from dim_plan order by period_start, plan_id limit 1) "
            "order by period_start desc, plan_id desc limit 1"
        ).fetchone()


def dashboard_visit(url: str, plan: tuple[str, str] | None) -> Visit:
    """The Overview in Chinese: choose `plan` (id, name) in its plan selector, then
    English."""

    def change_filter(page) -> float | None:
        if plan is None:
            return None
        plan_id, plan_name = plan
        return _choose(page, PLAN_SELECTOR, plan_name, f'div.tile[data-target^="{plan_id}."]')

    return Visit(
        url=f"{url}/?lang=zh",
        ready="div.tile",
        change_filter=change_filter,
        switch_language=lambda page: _click_radio(page, "English", "Overview"),
    )


def trivial_visit(url: str) -> Visit:
    return Visit(
        url=url,
        ready="h1",
        change_filter=lambda page: _click_radio(page, "en", "Overview"),
        switch_language=lambda page: _click_radio(page, "zh", "概览"),
    )


def run(home: KepuHome, repeats: int = 5) -> DashboardBench:
    """Time the dashboard's Overview on `home`'s published snapshot and the trivial page."""
    from playwright.sync_api import sync_playwright

    if not home.published.exists():
        raise FileNotFoundError(
            f"no published snapshot in {home.root}: run `kepu demo --no-dashboard` or "
            "`kepu build` first"
        )
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    env = {**os.environ, "KEPU_HOME": str(home.root)}
    with (
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory() as folder,
    ):
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        trivial_script = Path(folder) / "trivial.py"
        trivial_script.write_text(TRIVIAL_PAGE)
        plan = _other_plan(home)
        with serve(APP, env) as url:
            visit = dashboard_visit(url, plan)
            dashboard = _measure(lambda: _visit(browser, visit), repeats)
        with serve(trivial_script, env) as url:
            visit = trivial_visit(url)
            trivial = _measure(lambda: _visit(browser, visit), repeats)
        browser.close()
    return DashboardBench(repeats=repeats, dashboard=dashboard, trivial=trivial)


def report(result: DashboardBench) -> str:
    rows = [
        ("first paint, fresh server", "cold_first_paint"),
        ("first paint", "warm_first_paint"),
        ("settled", "warm_settled"),
        ("filter change", "filter_change"),
        ("language switch", "language_switch"),
    ]
    lines = [
        f"dashboard Overview vs a trivial Streamlit page, headless Chromium, "
        f"median of {result.repeats} visits",
        f"{'':28}{'dashboard':>11}{'trivial':>11}{'ratio':>9}",
    ]
    for label, field in rows:
        ours, base = getattr(result.dashboard, field), getattr(result.trivial, field)
        if ours is None:
            lines.append(f"{label:28}{NO_OTHER_PLAN:>11}{base:>10.2f}s")
        else:
            lines.append(f"{label:28}{ours:>10.2f}s{base:>10.2f}s{ours / base:>8.2f}×")
    change = result.dashboard.filter_change
    lines.append(
        f"goals: first paint ≤ {FIRST_PAINT_GOAL}× the trivial page "
        f"({result.first_paint_ratio:.2f}×), filter change ≤ {FILTER_CHANGE_GOAL_SECONDS} s "
        f"({NO_OTHER_PLAN if change is None else f'{change:.2f} s'})"
    )
    return "\n".join(lines)


def write_json(result: DashboardBench, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = asdict(result) | {"first_paint_ratio": result.first_paint_ratio}
    path.write_text(json.dumps(figures, indent=2))
