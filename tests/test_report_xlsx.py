"""The Excel assessment report read back: a sheet per section, codes in words, numbers
formatted; the marts are built by hand in `tests.report_marts`."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import vocabulary
from tests.report_marts import (
    sheet_rows,
)
from tests.report_rows import (
    PLAN,
)

pytest_plugins = ["tests.report_fixtures"]


def test_workbook_has_a_sheet_per_section_in_each_language(
    zh: dict[str, Path], en: dict[str, Path], measures_zh: dict[str, Path]
):
    sections = ["摘要", "目标统计", "目标完成情况", "成效问题建议", "进展", "数值", "数据来源"]
    assert openpyxl.load_workbook(zh["xlsx"]).sheetnames == sections
    assert openpyxl.load_workbook(en["xlsx"]).sheetnames == [
        "Summary", "Counts", "Targets", "Findings", "Progress", "Values", "Sources"
    ]  # fmt: skip
    assert openpyxl.load_workbook(measures_zh["xlsx"]).sheetnames == [
        "摘要", "目标统计", "措施", "成效问题建议", "进展", "数值", "数据来源"
    ]  # fmt: skip


def test_counts_sheet_holds_fct_plan_status_count_in_words(measures_zh: dict[str, Path]):
    assert sheet_rows(measures_zh["xlsx"], "目标统计") == [
        ["目标类别", "状态", "数量", "责任单位数", "已完成单位数"],
        ["任务", "需加快进度", 1, 2, 1],
        ["任务", "进展有限", 1, 2, 0],
    ]


def test_targets_sheet_gives_each_verdict_with_its_reason(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "目标完成情况")
    literacy = dict(zip(rows[0], rows[2], strict=True))
    assert literacy["评估结论"] == "需加快进度"
    assert literacy["判断阶段"] == "进度判断（到期前）"
    assert (literacy["最新值"], literacy["置信下限"], literacy["置信上限"]) == (13.0, 11.2, 15.0)
    assert literacy["目标值在置信区间内"] == "否"
    assert literacy["说明"] == "0.60 ≤ R = 0.751 < 0.95"
    assert literacy["牵头部门"] == "测试区科协"


def test_summary_sheet_fills_status_cells_and_formats_numbers(zh: dict[str, Path]):
    sheet = openpyxl.load_workbook(zh["xlsx"])["摘要"]
    assert sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[4]][:8] == [
        "指标",
        "目标值",
        "基线值",
        "基线年份",
        "最新值",
        "最新年份",
        "单位",
        "状态",
    ]
    assert sheet["A5"].value == "科普活动场次"
    assert sheet["H5"].value == "已达成"
    assert sheet["H5"].fill.fgColor.rgb == "FF70AD47"
    assert sheet["H6"].value == "需加快进度"
    assert sheet["H6"].fill.fgColor.rgb == "FFFFC000"
    assert (sheet["E6"].value, sheet["E6"].number_format) == (13.0, "0.00")
    assert (sheet["E5"].value, sheet["E5"].number_format) == (310, "0")
    assert "合成演示数据" in sheet["A3"].value


def test_progress_sheet_holds_every_target_column_with_codes_in_words(
    zh: dict[str, Path], en: dict[str, Path]
):
    sheet = openpyxl.load_workbook(zh["xlsx"])["进展"]
    header = [c.value for c in sheet[1]]
    # every column of a quantitative row (with a gap target's pair of groups), the status
    # also as its code; not the measures'
    assert len(header) == 62
    assert set(header) <= {zh for zh, _ in vocabulary.labels().values()}  # no raw names
    assert header[:3] == ["进展记录编号", "目标编号", "规划编号"]
    literacy = dict(zip(header, (c for c in sheet[3]), strict=True))
    assert literacy["进展比 R"].number_format == "0.000"
    assert literacy["进展比 R"].value == pytest.approx(0.750611, abs=1e-6)
    assert literacy["实际年均增长率"].number_format == "0.00%"
    assert literacy["状态"].value == "需加快进度"
    assert literacy["状态"].fill.fgColor.rgb == "FFFFC000"
    assert literacy["状态代码"].value == "accelerate"
    assert literacy["目标类型"].value == "水平值"
    assert literacy["比较方式"].value == "≥"
    assert literacy["期望方向"].value == "上升"
    assert literacy["判定方法"].value == "增长率比较法（水平值目标）"
    assert literacy["最新值质量标记"].value == "正常"
    assert literacy["已达目标"].value == "否"
    assert (literacy["顺利阈值"].value, literacy["顺利阈值"].number_format) == (0.95, "0.00")
    english = openpyxl.load_workbook(en["xlsx"])["Progress"]
    header = [c.value for c in english[1]]
    events = dict(zip(header, (c.value for c in english[2]), strict=True))
    assert (events["Status"], events["Status code"]) == ("Achieved", "achieved")
    assert (events["Target kind"], events["Method"]) == (
        "cumulative",
        "pro-rata (cumulative target)",
    )
    assert events["Target met"] == "yes"


def test_values_sheet_writes_a_dash_for_a_suppressed_estimate(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "数值")
    literacy = [r for r in rows if r[0] == f"{PLAN}.literacy"]
    assert [r[3] for r in literacy] == [2018, 2019, 2020]
    assert literacy[1][4:9] == ["—", "%", None, None, None]
    assert literacy[1][10:12] == ["不宜发布", "有效样本量 23.4，不足 30"]
    assert literacy[2][4] == 13.0
    # in the period, met, the latest: the judgement of fct_target_observation
    assert [r[12:] for r in literacy] == [
        ["是", "否", "否"],
        ["是", None, "否"],
        ["是", "否", "是"],
    ]


def test_measures_sheet_gives_each_unit_its_status_beside_the_task_verdict(
    measures_zh: dict[str, Path],
):
    sheet = openpyxl.load_workbook(measures_zh["xlsx"])["措施"]
    assert [c.value for c in sheet["D"]][1:] == ["需加快进度", "需加快进度", "进展有限", "进展有限"]
    assert [c.value for c in sheet["F"]][1:] == ["已完成", "逾期", "推进中", "未报告"]
    assert sheet["F2"].fill.fgColor.rgb == "FF70AD47"
    assert sheet["F3"].fill.fgColor.rgb == "FFFF5050"


def test_sources_sheet_lists_only_this_plan_s_accepted_loads(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "数据来源")
    assert [r[:3] for r in rows[1:]] == [
        [1, "registry.xlsx", "a8f6edfef111"],
        [2, "survey_2020.xlsx", "07f41d43b397"],
        [2, "survey_2020.xlsx", "07f41d43b397"],
        [4, "activities_2020.xlsx", "444444444444"],
    ]
