"""The assessment page shows an earlier assessment as of its date, from the snapshot that
`kepu assess` published, beside the current one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

import vocabulary
from ingest.home import KepuHome
from orchestration.assess import build_assessment_warehouse
from tests.test_dashboard_records import page, table_with

OUHAI = "ouhai-2021-2025"


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
        then = dict(con.execute(
            "select indicator_name_zh, progress_status from fct_target_progress "
            "where plan_id = ? and target_kind <> 'qualitative'", [OUHAI]).fetchall())  # fmt: skip
    with duckdb.connect(str(demo_home.published), read_only=True) as con:
        now = dict(con.execute(
            "select indicator_name_zh, progress_status from fct_target_progress "
            "where plan_id = ? and target_kind <> 'qualitative'", [OUHAI]).fetchall())  # fmt: skip

    earlier = page("assessment", report_plan=OUHAI, report_as_of="2022-03-31")
    current = page("assessment", report_plan=OUHAI)

    shown_then = table_with(earlier, "status").set_index("indicator")["status"].to_dict()
    shown_now = table_with(current, "status").set_index("indicator")["status"].to_dict()
    word = {
        code: vocabulary.code_text("progress_status", code, "zh")
        for code in {*then.values(), *now.values()}
    }
    assert shown_then == {name: word[code] for name, code in then.items()}
    assert shown_now == {name: word[code] for name, code in now.items()}
    assert shown_then != shown_now  # a year into the plan, with 2021's data only
    assert any("2022-03-31" in caption.value for caption in earlier.caption)
