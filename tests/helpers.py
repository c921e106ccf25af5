"""Small builders for test workbooks."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter


def write_sheet(path: Path, sheet: str, rows: list[list[object]]) -> Path:
    """A workbook with one sheet holding `rows` exactly as given (header rows included)."""
    book = xlsxwriter.Workbook(str(path))
    worksheet = book.add_worksheet(sheet)
    for index, row in enumerate(rows):
        worksheet.write_row(index, 0, row)
    book.close()
    return path


REGIONS_ROWS = [
    ["地区代码", "地区名称", "级别", "上级代码"],
    ["330000", "浙江省", "省", None],
    ["330300", "温州市", "市", "330000"],
    ["330304", "瓯海区", "区县", "330300"],
    ["330304901", "测试街道", "乡镇", "330304"],
]
