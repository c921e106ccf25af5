"""The assessment page shows an earlier assessment as of its date, from the snapshot that
`kepu assess` published, beside the current one."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import vocabulary
from ingest.home import KepuHome
from orchestration.assess import build_assessment_warehouse
from tests.test_dashboard_records import page, table_with

OUHAI = "ouhai-2021-2025"
STATUSES = (
    "select indicator_name_zh, progress_status from fct_target_progress "
    "where plan_id = ? and target_kind <> 'qualitative'"
)


def test_an_earlier_assessment_shows_the_statuses_known_then(
    demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = KepuHome(tmp_path / "kepu").ensure()
    home.published.symlink_to(demo_home.published)
    home.warehouse.symlink_to(demo_home.warehouse)
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    build_assessment_warehouse(home, date(2022, 3, 31), latest_data=False)
    snapshot = home.root / "assessments" / "2022-03-31" / "snapshot.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        then = con.execute(STATUSES, [OUHAI]).fetchall()
    with duckdb.connect(str(demo_home.published), read_only=True) as con:
        now = con.execute(STATUSES, [OUHAI]).fetchall()

    earlier = page("assessment", report_plan=OUHAI, report_as_of="2022-03-31")
    current = page("assessment", report_plan=OUHAI)

    # Indicator and status of every target, as a sorted list: two of Ouhai's targets (the
    # gender and occupation gaps) share an indicator, so names alone do not key them.
    def shown(at: AppTest) -> list[tuple[str, str]]:
        table = table_with(at, "status")
        return sorted(zip(table["indicator"], table["status"], strict=True))

    def worded(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        word = partial(vocabulary.code_text, "progress_status", lang="zh")
        return sorted((name, word(code)) for name, code in rows)

    shown_then, shown_now = shown(earlier), shown(current)
    assert shown_then == worded(then)
    assert shown_now == worded(now)
    assert shown_then != shown_now  # a year into the plan, with 2021's data only
    assert any("2022-03-31" in caption.value for caption in earlier.caption)
