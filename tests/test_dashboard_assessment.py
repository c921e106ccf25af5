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
from tests.test_dashboard_records import APP, page, table_with

OUHAI = "ouhai-2021-2025"
STATUSES = (
    "select p.indicator_name_zh, t.gap_group_a, t.gap_group_b, p.progress_status "
    "from fct_target_progress p join fct_plan_target t using (target_id) "
    "where p.plan_id = ? and p.target_kind <> 'qualitative'"
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

    earlier = page("assessment", plan=OUHAI, report_as_of="2022-03-31")
    current = page("assessment", plan=OUHAI)

    # Indicator and status of every target, as a sorted list; two of Ouhai's targets (the
    # gender and occupation gaps) share an indicator and read apart by their groups.
    def shown(at: AppTest) -> list[tuple[str, str]]:
        table = table_with(at, "status")
        return sorted(zip(table["indicator"], table["status"], strict=True))

    def worded(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
        word = partial(vocabulary.code_text, "progress_status", lang="zh")
        name = partial(vocabulary.goal_name, lang="zh")
        return sorted((name(n, a, b), word(code)) for n, a, b, code in rows)

    shown_then, shown_now = shown(earlier), shown(current)
    assert shown_then == worded(then)
    assert shown_now == worded(now)
    assert shown_then != shown_now  # a year into the plan, with 2021's data only
    assert any("2022-03-31" in caption.value for caption in earlier.caption)


def test_a_link_opens_the_assessment_of_its_plan_with_targets_written_as_the_plan_states_them(
    demo_home: KepuHome,
) -> None:
    """`?plan=` chooses the plan (a bookmark or a shared link opens it), and a target reads
    with separators and its unit in the chosen language: Ouhai's 3万人次 of elderly
    smart-technology training (registry/targets.csv: ge 30000 人次) is '≥30,000人次', in
    English '≥30,000 person-times', not '≥30000'."""
    shown = {}
    for lang in ("zh", "en"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["plan"], at.query_params["lang"] = OUHAI, lang
        at.switch_page("views/assessment.py").run()
        assert not at.exception
        assert at.selectbox(key="plan").value == OUHAI
        table = table_with(at, "status")
        shown[lang] = dict(zip(table["indicator"], table["target"], strict=False))
    assert shown["zh"]["老年人智能技术应用科普培训人次"] == "≥30,000人次"
    assert shown["en"]["Elderly smart-technology training (person-times)"] == (
        "≥30,000 person-times"
    )
