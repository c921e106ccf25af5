"""Assessment reports read back from the files: what an evaluator would see in Word and Excel.

The database is built by hand, the rule marts (dim_progress_band, dim_progress_setting,
dim_presentation_rule) from the seeds the models read. The level target is the Open SDG
worked example (baseline 10 in 2015, target 20 by 2025, latest 13 in 2020):
CAGR_obs = 1.3^(1/5) − 1 = 5.39%, CAGR_req = 2^(1/10) − 1 = 7.18%, R = 0.751 → accelerate.
The cumulative target is 300 events over 2016–2025 with 310 by 2020: elapsed 5/10 = 50.0%,
expected 150, R = 310/150 = 2.067, and 310 ≥ 300 → achieved.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.report_marts import (
    SUMMARY_HEADER_ZH,
    components,
    render,
    tables,
    texts,
    words,
)
from tests.report_rows import (
    MEASURES_PLAN,
    VINTAGE,
)

pytest_plugins = ["tests.report_fixtures"]


def test_writes_docx_and_xlsx_named_after_plan_kind_date_and_language(zh: dict[str, Path]):
    assert zh["docx"].name == "test-2016-2025_midterm_2021-06-30_zh.docx"
    assert zh["xlsx"].name == "test-2016-2025_midterm_2021-06-30_zh.xlsx"


def test_cover_names_plan_kind_date_vintage_and_synthetic_data(zh: dict[str, Path]):
    document = Document(str(zh["docx"]))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "测试区科普规划"
    assert "发布单位：测试区科协" in paragraphs
    assert "地区：测试区（330304）" in paragraphs
    assert "规划期：2016–2025" in paragraphs
    assert "评估节点：2020 中期评估；2025 总结评估" in paragraphs
    assert "报告类型：中期评估" in paragraphs
    assert "评估截止日期：2021-06-30" in paragraphs
    assert f"数据版本：{VINTAGE}" in paragraphs
    notice = next(p for p in document.paragraphs if "合成演示数据" in p.text)
    assert all(run.bold for run in notice.runs)


def test_overview_gives_each_target_its_verdict_in_words_and_colour(zh: dict[str, Path]):
    """Targets in the registry's order (fct_plan_target.source_row: events first); no share
    achieved before the due year."""
    (rows,) = tables(zh["docx"], SUMMARY_HEADER_ZH)
    assert rows == [
        ["科普活动场次", "≥300场次", "—", "310场次（2020年）", "—", "已达成"],
        [
            "公民具备科学素质的比例",
            "≥20%",
            "10.00%（2015年）",
            "13.00%（2020年）",
            "—",
            "需加快进度",
        ],
    ]
    summary = Document(str(zh["docx"])).tables[0]
    fills = [row.cells[5]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for row in summary.rows]
    assert fills[1:] == ["70AD47", "FFC000"]


def test_overview_counts_are_the_rows_of_fct_plan_status_count(
    zh: dict[str, Path], measures_zh: dict[str, Path]
):
    paragraphs = texts(zh["docx"])
    assert (
        "截至 2021-06-30，本规划共有量化目标 2 项（已达成 1 项，需加快进度 1 项）。" in paragraphs
    )
    tasks = (
        "截至 2021-06-30，本规划共有任务 2 项"
        "（需加快进度 1 项，进展有限 1 项；责任单位报告完成 1/4）。"
    )
    assert tasks in texts(measures_zh["docx"])


def test_english_report_takes_labels_and_names_in_english(en: dict[str, Path]):
    header = ["Indicator", "Target", "Baseline (year)", "Latest value (year)"]
    (rows,) = tables(en["docx"], [*header, "Share achieved", "Verdict"])
    assert rows == [
        ["Science-popularization events", "≥300 events", "—", "310 events (2020)", "—", "Achieved"],
        [
            "Share of citizens with scientific literacy",
            "≥20%",
            "10.00% (2015)",
            "13.00% (2020)",
            "—",
            "Must accelerate",
        ],
    ]
    paragraphs = texts(en["docx"])
    assert "Report: Mid-term assessment" in paragraphs
    assert "Review points: 2020 mid-term review; 2025 final review" in paragraphs
    assert "Cooperating departments: 测试区教育局; 测试区科技局" in paragraphs


def test_growth_ratio_components_are_written_out_for_recomputation(zh: dict[str, Path]):
    literacy = components(zh["docx"])[1]
    assert literacy["y₀"] == "10.00"
    assert literacy["t₀"] == "2015"
    assert literacy["y_t"] == "13.00"
    assert literacy["T"] == "2025"
    assert literacy["CAGR_obs"] == "(13.00 / 10.00)^(1/5) − 1 = 5.39%"
    assert literacy["CAGR_req"] == "(20.00 / 10.00)^(1/10) − 1 = 7.18%"
    assert literacy["R"] == "5.39% / |7.18%| = 0.751"
    assert literacy["完成进度 (y_t − y₀)/(y_T − y₀)"] == "(13.00 − 10.00) / (20.00 − 10.00) = 30.0%"
    assert literacy["判定结果"] == "0.60 ≤ R = 0.751 < 0.95 → 需加快进度"


def test_pro_rata_components_are_written_out_for_recomputation(zh: dict[str, Path]):
    events = components(zh["docx"])[0]
    assert events["Σ"] == "310"
    assert events["e"] == "min(1, (2020 − 2016 + 1) / (2025 − 2016 + 1)) = 50.0%"
    assert events["E"] == "300 × 50.0% = 150"
    assert events["R"] == "310 / 150 = 2.067"
    assert events["判定结果"] == "最新值 310 满足目标 ≥300场次 → 已达成"


def test_values_table_shows_a_dash_and_the_reason_for_a_suppressed_estimate(
    zh: dict[str, Path],
):
    literacy = tables(zh["docx"], ["年份", "数值（%）", "95%置信区间", "样本量 n", "质量标记"])
    assert literacy == [
        [
            ["2018", "11.00", "[9.30, 12.90]", "1200", "正常"],
            ["2019", "—（不宜发布：有效样本量 23.4，不足 30）", "—", "25", "不宜发布"],
            ["2020", "13.00", "[11.20, 15.00]", "1180", "正常"],
        ]
    ]


def test_cumulative_target_shows_its_running_total_not_annual_values(zh: dict[str, Path]):
    (events,) = tables(zh["docx"], ["年份", "数值（场次）", "95%置信区间", "样本量 n", "质量标记"])
    assert [row[:2] for row in events] == [
        ["2016", "50"],
        ["2017", "120"],
        ["2018", "180"],
        ["2019", "250"],
        ["2020", "310"],
    ]


def test_each_target_with_values_gets_an_embedded_png_without_software_tag(
    zh: dict[str, Path],
):
    document = Document(str(zh["docx"]))
    assert len(document.inline_shapes) == 2
    images = [p for p in document.part.package.parts if p.partname.endswith(".png")]
    assert len(images) == 2
    assert all(image.blob.startswith(b"\x89PNG") for image in images)
    assert not any(b"Software" in image.blob for image in images)


def test_target_outside_the_confidence_interval_is_stated(zh: dict[str, Path]):
    assert "目标值 20.00% 不在最新估计的95%置信区间 [11.20, 15.00] 之内。" in texts(zh["docx"])


def test_literacy_gaps_come_from_the_latest_wave_up_to_the_as_of_date(zh: dict[str, Path]):
    (gaps,) = tables(zh["docx"], ["序列", "调查批次", "差距（百分点）", "95%置信区间", "质量标记"])
    assert gaps == [
        ["男性 − 女性", "t-2020（2020）", "3.10", "[1.20, 5.00]", "正常"],
        ["城镇 − 农村", "t-2020（2020）", "6.20", "[3.00, 9.40]", "正常"],
    ]


def test_departments_are_listed_and_a_missing_line_is_left_out(zh: dict[str, Path]):
    paragraphs = texts(zh["docx"])
    assert "牵头部门：测试区科协" in paragraphs
    assert "配合部门：测试区教育局；测试区科技局" in paragraphs
    # the events target registers no department: no line, no filler
    assert not any(p.endswith("：未登记") or "None" in p for p in paragraphs)
    assert paragraphs.count("牵头部门：测试区科协") == 1


def test_each_task_lists_its_verdict_lead_unit_and_units_reports(measures_zh: dict[str, Path]):
    header = ["责任单位", "状态", "报告期", "报送日期", "进展情况", "文号"]
    assert tables(measures_zh["docx"], header) == [
        [
            ["市科协", "已完成", "2023H1", "2023-07-10", "年度报告", "XX科协〔2023〕5号"],
            ["市科技局", "逾期", "2023H1", "2023-07-12", "—", "—"],
        ],
        [
            ["市科技局", "推进中", "2023H1", "2023-07-11", "—", "—"],
            ["市科协", "未报告", "—", "—", "—", "—"],
        ],
    ]
    paragraphs = texts(measures_zh["docx"])
    assert "三、重点任务落实情况" in paragraphs  # every section, even without targets
    headings = [p for p in paragraphs if p.startswith("（")]
    assert headings[:2] == ["（一）加强基层科普", "（二）推进科普信息化"]
    assert "评估结论：需加快进度。" in paragraphs
    assert "评估结论：进展有限。判定依据：有责任单位从未报告，按未完成计。" in paragraphs
    assert "责任单位 2 个：已完成 0 个，逾期 0 个，未报告 1 个。" in paragraphs
    assert "牵头单位：市科技局；配合单位：市科协；完成时限：2025年" in paragraphs
    assert "该规划未登记量化目标，评估依据为措施落实情况。" in paragraphs
    (overview,) = tables(measures_zh["docx"], ["序号", "任务", "类别", "牵头部门", "评估结论"])
    assert overview == [
        ["1", "加强基层科普", "任务", "市科协", "需加快进度"],
        ["2", "推进科普信息化", "任务", "市科技局", "进展有限"],
    ]


def test_a_monitoring_report_is_named_and_titled_as_one(database: Path, tmp_path: Path):
    zh = render(database, tmp_path / "zh", plan_id=MEASURES_PLAN, kind="monitoring")
    assert zh["docx"].name == "test-measures-2022_monitoring_2021-06-30_zh.docx"
    document = Document(str(zh["docx"]))
    assert document.core_properties.title == "XX市科普若干措施年度监测报告"
    paragraphs = [p.text for p in document.paragraphs]
    assert "报告类型：年度监测" in paragraphs
    assert "评估节点：2023 监测" in paragraphs
    en = render(database, tmp_path / "en", plan_id=MEASURES_PLAN, kind="monitoring", lang="en")
    assert "Report: Annual monitoring" in texts(en["docx"])
    summary = openpyxl.load_workbook(en["xlsx"])["Summary"]
    assert summary["A1"].value == (
        "Several Measures of XX City: Annual monitoring report (2021-06-30)"
    )


def test_a_final_assessment_inside_the_plan_period_is_titled_a_checkpoint(
    database: Path, tmp_path: Path
):
    """The plan runs 2016–2025: a final assessment as of 2021-06-30 closes the stage of
    2020 (the year just ended; the plan names no checkpoint review), not the plan."""
    zh = render(database, tmp_path / "zh", kind="final")
    document = Document(str(zh["docx"]))
    assert document.core_properties.title == "测试区科普规划2020年阶段评估报告"
    paragraphs = [p.text for p in document.paragraphs]
    assert "2020年阶段评估报告" in paragraphs
    assert "报告类型：2020年阶段评估" in paragraphs
    en = render(database, tmp_path / "en", kind="final", lang="en")
    assert "Report: 2020 checkpoint assessment" in texts(en["docx"])


def test_english_report_names_departments_in_english(database: Path, tmp_path: Path):
    en = render(database, tmp_path, plan_id=MEASURES_PLAN, lang="en")
    (overview,) = tables(en["docx"], ["No.", "Task", "Kind", "Lead departments", "Verdict"])
    assert [row[3] for row in overview] == [
        "City Association for Science and Technology",
        "City Science and Technology Bureau",
    ]
    paragraphs = texts(en["docx"])
    assert not [p for p in paragraphs if "市科" in p]


@pytest.mark.parametrize(
    ("kind", "lang", "text"),
    [("gap", "zh", "差距缩小"), ("gap", "en", "gap narrows"),
     ("dispersion", "zh", "区域差异缩小"), ("growth", "zh", "逐年增长"),
     ("growth", "en", "grows every year"), ("level", "zh", "<0百分点")],
)  # fmt: skip
def test_a_zero_threshold_reads_as_narrowing_or_growth(kind: str, lang: str, text: str):
    """'<0百分点' on a gap is the plan's 'narrows'; '>0%' on growth its 'every year'."""
    target = SimpleNamespace(
        target_kind=kind, target_value=0.0, target_label_zh="<0百分点", target_label_en=None
    )
    assert words(lang).target_label(target) == text


def test_a_large_target_is_written_with_thousands_separators():
    target = SimpleNamespace(
        target_kind="cumulative", target_value=300000.0, target_label_zh="≥300000人次",
        target_label_en="≥300000 person-times",
    )  # fmt: skip
    assert words("zh").target_label(target) == "≥300,000人次"
    assert words("en").target_label(target) == "≥300,000 person-times"


def test_a_kind_outside_the_assessment_kinds_is_refused(database: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="kind must be one of monitoring, midterm, final"):
        render(database, tmp_path, kind="checkpoint")
