"""Assessment reports: the same inputs give the same bytes, refusals, suppressed values and
the edge cases of annual targets and literacy gaps; the marts are built by hand in
`tests.report_marts`."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from docx import Document

from orchestration import report
from orchestration.report import data as report_data
from orchestration.report.components import result_reason
from orchestration.report.records import Gap
from orchestration.report.wording import Context, gap_rows, measure_number
from tests.report_marts import (
    CJK,
    SUMMARY_HEADER_ZH,
    build_database,
    components,
    render,
    sheet_rows,
    tables,
    texts,
    words,
)
from tests.report_rows import (
    AS_OF,
    EVENTS_PROGRESS,
    LITERACY,
    LITERACY_PROGRESS,
    PLAN,
    VALUES,
    observation,
    value,
)
from vocabulary import Reason

pytest_plugins = ["tests.report_fixtures"]


def test_rendering_twice_gives_the_same_tables_texts_and_bytes(database: Path, tmp_path: Path):
    first = render(database, tmp_path / "first")
    second = render(database, tmp_path / "second")
    assert texts(first["docx"]) == texts(second["docx"])
    workbook = openpyxl.load_workbook(first["xlsx"])
    for name in workbook.sheetnames:
        assert sheet_rows(first["xlsx"], name) == sheet_rows(second["xlsx"], name)
    for fmt in ("docx", "xlsx"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


def test_document_dates_come_from_the_as_of_date(zh: dict[str, Path]):
    core = Document(str(zh["docx"])).core_properties
    assert (core.created.date(), core.modified.date(), core.revision) == (AS_OF, AS_OF, 1)
    assert openpyxl.load_workbook(zh["xlsx"]).properties.created.date() == AS_OF


def test_no_synthetic_notice_when_nothing_loaded_is_synthetic(tmp_path: Path):
    database = build_database(tmp_path / "real.duckdb", synthetic_survey=False)
    report = render(database, tmp_path / "out")
    assert not any("合成" in text for text in texts(report["docx"]))


def test_snapshot_info_marks_the_data_synthetic(tmp_path: Path):
    database = build_database(
        tmp_path / "snapshot.duckdb", synthetic_survey=False, snapshot_synthetic=True
    )
    report = render(database, tmp_path / "out", lang="en")
    assert any("synthetic demo data" in text for text in texts(report["docx"]))


def test_progress_built_for_another_date_is_refused(database: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="as of 2021-06-30, not 2022-06-30"):
        render(database, tmp_path, as_of=date(2022, 6, 30))


def test_a_suppressed_latest_estimate_is_explained_by_its_reason(tmp_path: Path):
    suppressed_latest = {
        **LITERACY_PROGRESS,
        "latest_year": 2019,
        "latest_value": None,
        "latest_quality_flag": "suppress",
        "latest_ci_lower": None,
        "latest_ci_upper": None,
        "is_target_inside_ci": None,
        "cagr_observed": None,
        "progress_ratio": None,
        "share_of_way": None,
        "is_met": None,
        "progress_status": "insufficient_data",
        "status_reason": "latest_suppressed",
        "latest_quality_reason": "ess_below_30",
        "latest_quality_measure_value": 23.41,
        "latest_quality_threshold": 30.0,
    }
    values = [v for v in VALUES if v[:4] != ("literacy_ratio", "330304", 2020, "total")]
    observations = [
        observation(LITERACY, VALUES[0], met=False),
        observation(LITERACY, VALUES[1], met=None, latest=True),
    ]
    database = build_database(
        tmp_path / "suppressed.duckdb",
        progress=(suppressed_latest,),
        values=values,
        observations=observations,
    )
    zh = render(database, tmp_path / "zh")
    (rows,) = tables(zh["docx"], SUMMARY_HEADER_ZH)
    latest = "—（不宜发布：有效样本量 23.4，不足 30）（2019年）"
    assert rows == [["公民具备科学素质的比例", "≥20%", "10.00%（2015年）", latest, "—", "数据不足"]]
    (literacy,) = components(zh["docx"])
    assert literacy["y_t"] == latest
    assert literacy["判定结果"] == "最新估计不宜发布：有效样本量 23.4，不足 30 → 数据不足"
    summary = openpyxl.load_workbook(zh["xlsx"])["摘要"]
    assert (summary["E5"].value, summary["I5"].value) == ("—", latest)
    (english,) = components(render(database, tmp_path / "en", lang="en")["docx"], "en")
    assert english["result"] == (
        "latest estimate suppressed: effective sample size 23.4, below 30 → Insufficient data"
    )
    progress = openpyxl.load_workbook(zh["xlsx"])["进展"]
    header = [c.value for c in progress[1]]
    row = dict(zip(header, (c.value for c in progress[2]), strict=True))
    assert row["最新值质量原因"] == "有效样本量 23.4，不足 30"
    assert row["状态原因"] == "最新估计不宜发布：有效样本量 23.4，不足 30"


def test_the_report_package_spells_no_chinese_in_its_source():
    """Every word of a report comes from vocabulary/labels.csv. The one literal allowed is
    the registry's list separator, a data format the marts use (names joined by '；')."""
    found = []
    for path in sorted(Path(report.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if (path.name, node.value) == ("data_rows.py", report_data.REGISTRY_LIST_SEPARATOR):
                continue
            if CJK.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


@pytest.mark.parametrize(
    ("value", "text"),
    [(30.0, "30"), (23.41, "23.4"), (0.3412, "0.341"), (0.3, "0.3"), (1.5, "1.5"),
     (123.456, "123"), (0.05, "0.05"), (0.000001, "1e-6"), (0.0, "0")],
)  # fmt: skip
def test_rule_numbers_read_as_written(value: float, text: str):
    assert measure_number(value) == text


def test_an_annual_target_s_years_are_its_observations_in_the_period(tmp_path: Path):
    """Per-year outcomes are is_met of the target's fct_target_observation rows in the plan
    period with a value: 2015 lies before the period and is not counted."""
    days = f"{PLAN}.days"
    annual = {
        **EVENTS_PROGRESS,
        "target_progress_id": f"{days}|{AS_OF}",
        "target_id": days,
        "indicator_code": "science_days",
        "indicator_name_zh": "科普日活动次数",
        "indicator_name_en": "Science Day events",
        "target_kind": "annual",
        "target_value": 4.0,
        "target_label_zh": "每年≥4次",
        "target_label_en": "≥4 a year",
        "progress_method": "years_met",
        "latest_value": 5.0,
        "elapsed_share": None,
        "expected_to_date": None,
        "years_assessed": 3,
        "years_met": 2,
        "progress_ratio": 2 / 3,
        "is_met": True,
        "progress_status": "accelerate",
    }
    values = [value("science_days", y, v) for y, v in [(2015, 6), (2016, 3), (2018, 5), (2020, 5)]]
    observations = [
        observation(days, values[0], met=True, in_period=False),
        observation(days, values[1], met=False),
        observation(days, values[2], met=True),
        observation(days, values[3], met=True, latest=True),
    ]
    database = build_database(
        tmp_path / "annual.duckdb", progress=(annual,), values=values, observations=observations
    )
    (days_components,) = components(render(database, tmp_path / "zh")["docx"])
    assert days_components["评估年数"] == "3"
    assert days_components["达标年数"] == "2"
    assert days_components["R"] == "2 / 3 = 0.667"
    assert days_components["逐年情况"] == "2016 未达标；2018 达标；2020 达标"
    assert days_components["判定结果"] == "0.60 ≤ R = 0.667 < 0.95 → 需加快进度"


def test_literacy_gaps_stop_at_the_last_year_the_judgement_used(tmp_path: Path):
    """The target's observations end in 2018: the 2018 wave's gaps, not 2020's. A value
    shown with a flag says why in the flag column."""
    reviewed = value(
        "literacy_ratio", 2018, 11.0, se=0.9, ci=(9.3, 12.9), n=1200, flag="review",
        reason="df_below_8", measured=(6.0, 8.0),
    )  # fmt: skip
    observations = [observation(LITERACY, reviewed, met=False, latest=True)]
    database = build_database(
        tmp_path / "2018.duckdb",
        progress=(LITERACY_PROGRESS,),
        values=[reviewed],
        observations=observations,
    )
    zh = render(database, tmp_path / "zh")
    paragraphs = texts(zh["docx"])
    assert "分组差距（2018年及以前的最新调查）" in paragraphs
    (gaps,) = tables(zh["docx"], ["序列", "调查批次", "差距（百分点）", "95%置信区间", "质量标记"])
    assert gaps == [["男性 − 女性", "t-2018（2018）", "2.50", "[0.50, 4.50]", "正常"]]
    (values,) = tables(zh["docx"], ["年份", "数值（%）", "95%置信区间", "样本量 n", "质量标记"])
    assert values == [["2018", "11.00", "[9.30, 12.90]", "1200", "待复核：自由度为 6，少于 8"]]


def test_a_literacy_target_without_observations_has_no_gaps(tmp_path: Path):
    database = build_database(
        tmp_path / "none.duckdb", progress=(LITERACY_PROGRESS,), observations=[]
    )
    paragraphs = texts(render(database, tmp_path / "zh")["docx"])
    assert "截至评估日，该指标在本地区没有数值。" in paragraphs
    assert "群体差距（百分点）" in paragraphs
    assert "截至评估日无分组差距估计。" in paragraphs


def test_a_suppressed_gap_shows_a_dash_and_its_reason():
    reason = Reason("quality_reason", "group_suppressed")
    gap = Gap("sex", "t-2020", 2020, 0.2, 0.1, 0.3, "suppress", reason)
    assert gap_rows(words("en"), (gap,)) == [
        ["men − women", "t-2020 (2020)", "— (suppressed: a group estimate is suppressed)", "—",
         "suppressed"]
    ]  # fmt: skip


def test_a_narrowed_gap_says_why_with_its_change_and_interval():
    """A gap target on track (or achieved) carries no status reason: the report states the
    significant narrowing itself, urban − rural 14.81 → 6.59 points (change −8.22 points,
    95% CI [−12.89, −3.54]), instead of an empty 'why'."""
    context = Context(SimpleNamespace(rules=SimpleNamespace(bands=())), "zh", "final", AS_OF, "")
    target = SimpleNamespace(
        progress_status="on_track", progress_method="gap_change", status_reason=None,
        change_value=-8.2152, change_ci_lower=-12.8893, change_ci_upper=-3.5410,
    )  # fmt: skip
    assert result_reason(context, target) == (
        "差距显著缩小：变化 -8.22个百分点，95%置信区间 [-12.89, -3.54]"
    )
