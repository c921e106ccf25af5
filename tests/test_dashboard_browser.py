"""The dashboard in a real browser: `streamlit run` on the session's demo snapshot, driven by
Playwright in Debian's Chromium (installed by `make test` with apt-get; never downloaded).

One server and one browser for the session. Expected values are read from the marts by
queries of their own, and the words are written out here, not taken from the vocabulary.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ingest.home import REPO_ROOT, KepuHome

APP = REPO_ROOT / "dashboards" / "app.py"
OUHAI = "ouhai-2021-2025"
OUHAI_LITERACY = f"{OUHAI}.literacy"
NOT_ACHIEVED = {"zh": "未达成", "en": "Not achieved"}
ACHIEVED = {"zh": "已达成", "en": "Achieved"}
STARTUP_SECONDS = 60
WAIT_MS = 30_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, "streamlit exited while starting"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url}")


@pytest.fixture(scope="session")
def dashboard_url(demo_home: KepuHome) -> Iterator[str]:
    """`streamlit run dashboards/app.py`, headless on a free port, on the demo snapshot."""
    port = free_port()
    env = {**os.environ, "KEPU_HOME": str(demo_home.root)}
    command = [
        sys.executable,
        *("-m", "streamlit", "run", str(APP)),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
        *("--server.fileWatcherType", "none"),
    ]
    server = subprocess.Popen(
        command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, dashboard_url: str) -> Iterator[Page]:
    """A fresh tab 1440 px wide that fails the test on any uncaught script error."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, base_url=dashboard_url)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


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
