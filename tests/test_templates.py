"""Templates: what `kepu template` writes reads back through the normal reader."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from ingest.read import read_file
from orchestration.cli import main


def test_a_filled_funding_template_loads_with_its_declared_unit(tmp_path: Path) -> None:
    path = tmp_path / "funding.xlsx"
    assert main(["template", "funding", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    sheet = book["科普经费"]
    assert [c.value for c in sheet[1]][:4] == [
        "地区代码 / region_code",
        "年份 / year",
        "来源 / source",
        "金额(元) / amount (yuan)",
    ]
    sheet.append(["330304", 2021, "社会捐赠", 2500])
    book.save(path)
    result = read_file(path)
    assert result.errors.empty
    (parsed,) = result.sheets
    assert parsed.frame[["region_code", "year", "source", "amount"]].values.tolist() == [
        ["330304", 2021, "donation", 2500.0]
    ]


def test_the_registry_template_has_a_sheet_per_registry_table(tmp_path: Path) -> None:
    path = tmp_path / "registry.xlsx"
    assert main(["template", "registry", "-o", str(path)]) == 0
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["说明", "规划", "评估节点", "指标", "目标", "措施", "部门", "计量规则"]


def test_the_survey_template_reads_back_with_item_columns(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    assert main(["template", "survey", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["说明", "判定规则", "分项最低分", "调查批次", "答案", "受访者"]
    sheet = book["受访者"]
    sheet.cell(1, sheet.max_column + 1, "Q01")
    sheet.append(
        ["w-2025", "r1", "330304", "S1", "S1-C1", 1.5, "女", 34, "城镇", "初中", "农民", None, "B"]
    )
    book.save(path)
    result = read_file(path)
    assert result.errors.empty
    (respondents,) = [s for s in result.sheets if s.spec.table == "survey_respondents"]
    assert respondents.frame[["sex", "education", "urban_rural"]].values.tolist() == [
        ["female", "junior_high", "urban"]
    ]
    assert respondents.extra[["respondent_id", "item_code", "response"]].values.tolist() == [
        ["r1", "Q01", "B"]
    ]
