"""`kepu bench dashboard`: the dashboard's first paint and a filter change in headless
Chromium, beside a trivial Streamlit page measured in the same run.

Both apps run under `streamlit run` with the same flags, one after the other, on the same
machine; the browser is Debian's Chromium driven by Playwright. The filter change is the
language switch: a widget change that reruns the whole page, as any filter does. The
trivial page has a title and the same kind of widget, so the ratio is what this app
costs over Streamlit itself. The dashboard reads the published snapshot of KEPU_HOME.
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
# The goals of issue 11: first paint within 1.5× the trivial page; a filter change ≤ 0.5 s.
FIRST_PAINT_GOAL = 1.5
FILTER_CHANGE_GOAL_SECONDS = 0.5


@dataclass(frozen=True)
class PageTimes:
    """Seconds, medians over the repeats; cold = the first visit to a fresh server."""

    cold_first_paint: float
    warm_first_paint: float
    warm_settled: float
    filter_change: float


@dataclass(frozen=True)
class DashboardBench:
    repeats: int
    dashboard: PageTimes
    trivial: PageTimes

    @property
    def first_paint_ratio(self) -> float:
        return self.dashboard.warm_first_paint / self.trivial.warm_first_paint


def _visit(browser, url: str, ready: str, switch_to: str, switched: str) -> tuple[float, ...]:
    """(first paint, settled, filter change) of one visit in a fresh browser context.

    First paint: the page's title (h1) is visible. Settled: the script has finished and
    `ready` is visible. Filter change: from the click on `switch_to` to the rerun finished
    with `switched` shown."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        page.locator("h1").first.wait_for(state="visible", timeout=WAIT_MS)
        first_paint = time.perf_counter() - start
        page.locator(ready).first.wait_for(state="visible", timeout=WAIT_MS)
        page.locator(SETTLED).wait_for(timeout=WAIT_MS)
        settled = time.perf_counter() - start
        start = time.perf_counter()
        page.get_by_text(switch_to, exact=True).click()
        page.get_by_role("heading", name=switched).first.wait_for(timeout=WAIT_MS)
        page.locator(SETTLED).wait_for(timeout=WAIT_MS)
        change = time.perf_counter() - start
    finally:
        context.close()
    return first_paint, settled, change


def _measure(visit: Callable[[], tuple[float, ...]], repeats: int) -> PageTimes:
    cold = visit()
    warm = [visit() for _ in range(repeats)]
    return PageTimes(
        cold_first_paint=cold[0],
        warm_first_paint=statistics.median(v[0] for v in warm),
        warm_settled=statistics.median(v[1] for v in warm),
        filter_change=statistics.median(v[2] for v in warm),
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
        with serve(APP, env) as url:
            dashboard = _measure(
                lambda: _visit(browser, f"{url}/?lang=zh", "div.tile", "English", "Overview"),
                repeats,
            )
        with serve(trivial_script, env) as url:
            trivial = _measure(
                lambda: _visit(browser, url, "h1", "en", "Overview"),
                repeats,
            )
        browser.close()
    return DashboardBench(repeats=repeats, dashboard=dashboard, trivial=trivial)


def report(result: DashboardBench) -> str:
    rows = [
        ("first paint, fresh server", "cold_first_paint"),
        ("first paint", "warm_first_paint"),
        ("settled", "warm_settled"),
        ("filter change", "filter_change"),
    ]
    lines = [
        f"dashboard Overview vs a trivial Streamlit page, headless Chromium, "
        f"median of {result.repeats} visits",
        f"{'':28}{'dashboard':>11}{'trivial':>11}{'ratio':>9}",
    ]
    for label, field in rows:
        ours, base = getattr(result.dashboard, field), getattr(result.trivial, field)
        lines.append(f"{label:28}{ours:>10.2f}s{base:>10.2f}s{ours / base:>8.2f}×")
    lines.append(
        f"goals: first paint ≤ {FIRST_PAINT_GOAL}× the trivial page "
        f"({result.first_paint_ratio:.2f}×), filter change ≤ {FILTER_CHANGE_GOAL_SECONDS} s "
        f"({result.dashboard.filter_change:.2f} s)"
    )
    return "\n".join(lines)


def write_json(result: DashboardBench, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = asdict(result) | {"first_paint_ratio": result.first_paint_ratio}
    path.write_text(json.dumps(figures, indent=2))
