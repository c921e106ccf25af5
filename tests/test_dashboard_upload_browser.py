"""The upload page in a real browser: `streamlit run` on a copy of the demo warehouse, driven
by Playwright in Debian's Chromium (never downloaded), as a statistician uses it in Chinese.

The files are demo workbooks with one cell changed; what the page must show is worked out
here from the workbooks, and the words are written out, not taken from the vocabulary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboards.server import APP, serve
from ingest.home import KepuHome
from tests.test_dashboard_upload import (
    BAD_COLUMN,
    BAD_NAME,
    BAD_ROW,
    BAD_VALUE,
    GOOD_NAME,
    POPULATION,
    copy_home,
    good_and_bad,
    population_rows,
)

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
BUILD_MS = 600_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def upload_home(demo_home: KepuHome, tmp_path_factory: pytest.TempPathFactory) -> KepuHome:
    """A copy of the demo warehouse and snapshot that this module's server may change."""
    return copy_home(demo_home, tmp_path_factory.mktemp("kepu_upload"))


@pytest.fixture(scope="module")
def upload_url(upload_home: KepuHome) -> Iterator[str]:
    """`streamlit run dashboards/app.py`, headless on a free port, on the copy."""
    env = {
        **os.environ,
        "KEPU_HOME": str(upload_home.root),
        "KEPU_WAREHOUSE": str(upload_home.warehouse),
        "DAGSTER_HOME": str(upload_home.dagster_home),
    }
    with serve(APP, env) as url:
        yield url


@pytest.fixture
def page(browser: Browser, upload_url: str) -> Iterator[Page]:
    """A fresh tab that fails the test on any uncaught script error."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, base_url=upload_url)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def build_id(home: KepuHome) -> str:
    with duckdb.connect(str(home.published), read_only=True) as con:
        return con.execute("select build_id from snapshot_info").fetchone()[0]


def test_a_statistician_uploads_a_good_and_a_bad_file_and_publishes(
    page: Page, demo_home: KepuHome, upload_home: KepuHome
) -> None:
    good, bad = good_and_bad(demo_home.demo)
    page.goto("/upload?lang=zh")
    expect(page.get_by_role("heading", name="上传数据")).to_be_visible(timeout=WAIT_MS)
    instructions = page.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div")
    # the page's style sheet may arrive after the heading: wait until it draws the words
    page.wait_for_function(
        "() => { const e = document.querySelector("
        "\"[data-testid='stFileUploaderDropzoneInstructions'] > div\");"
        " return e && getComputedStyle(e, '::after').content !== 'none'; }",
        timeout=WAIT_MS,
    )
    drawn = instructions.evaluate("e => getComputedStyle(e, '::after').content")
    assert drawn.startswith('"将文件拖放到此处（每个文件不超过 ')
    assert instructions.inner_text().strip() == ""  # Streamlit's English words are hidden
    page.locator("input[type=file]").set_input_files(
        [{"name": upload.name, "mimeType": XLSX, "buffer": upload.data} for upload in (good, bad)]
    )
    page.get_by_role("button", name="载入", exact=True).click()

    accepted = page.get_by_text(f"已接收 {GOOD_NAME}（载入")
    expect(accepted).to_be_visible(timeout=WAIT_MS)
    rows = page.locator("[data-testid='stTable']").first
    expect(rows).to_contain_text("人口")
    expect(rows.locator("td").nth(1)).to_have_text(
        str(population_rows(demo_home.demo / POPULATION))
    )

    expect(page.get_by_text(f"已拒收 {BAD_NAME}：1 处问题，本文件未载入任何内容")).to_be_visible()
    problem = page.locator("[data-testid='stTable']").nth(1).locator("tbody tr").first
    cells = problem.locator("td")
    expect(cells.nth(0)).to_have_text("人口")
    expect(cells.nth(1)).to_have_text(str(BAD_ROW))
    expect(cells.nth(2)).to_have_text(f"{BAD_COLUMN}{BAD_ROW}")
    expect(cells.nth(3)).to_contain_text("常住人口")
    expect(cells.nth(4)).to_have_text(BAD_VALUE)

    before = build_id(upload_home)
    page.get_by_role("button", name="构建并发布", exact=True).click()
    expect(page.get_by_text("新快照已发布，各页现显示新数据。").first).to_be_visible(
        timeout=BUILD_MS
    )
    assert build_id(upload_home) != before
    with duckdb.connect(str(upload_home.published), read_only=True) as con:
        landed = con.execute(
            "select file_outcome from fct_load_outcome where file_name = ?", [GOOD_NAME]
        ).fetchall()
        refused = con.execute(
            "select count(*) from fct_load_problem where file_name = ? and cell = ?",
            [BAD_NAME, f"{BAD_COLUMN}{BAD_ROW}"],
        ).fetchone()[0]
    assert landed == [("accepted",)]
    assert refused == 1
