"""The bad-input corpus: damaged and unusual files, built by the tests (never committed as
binaries), each with the exact outcome the loader must give it.

A case is a name, a builder that writes the file into a folder, and the expected outcome:
the status and every problem as (code, sheet, row, column). The base the cases are loaded
onto (`base_files`) is a region register, one plan and one survey rule set.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter

from tests.helpers import REGIONS_ROWS, write_sheet

FUNDING_HEADER = ["地区代码", "年份", "来源", "金额(元)"]
RECEIVED = ["报送日期 / received on", "2024-03-01"]


def write_book(path: Path, sheets: dict[str, list[list[object]]], about: bool = True) -> Path:
    """A workbook with a 说明 sheet (received 2024-03-01) and the given sheets."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    if about:
        book.add_worksheet("说明").write_row(0, 0, RECEIVED)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    book.close()
    return path


def funding(path: Path, *rows: list[object], header: list[object] | None = None) -> Path:
    body = list(rows) or [["330304", 2020, "政府拨款", 1000]]
    return write_book(path, {"科普经费": [header or FUNDING_HEADER, *body]})


def population(path: Path, value: object) -> Path:
    rows = [["地区代码", "年份", "常住人口(人)"], ["330304", 2020, value]]
    return write_book(path, {"人口": rows})


PLAN_ROWS = [
    ["规划编号", "规划名称", "英文名称", "发布单位", "地区代码", "起始年份", "结束年份"],
    ["p-2021-2025", "测试规划", "Test plan", "区科协", "330304", 2021, 2025],
]
INDICATOR_ROWS = [
    ["指标代码", "指标名称", "英文名称", "指标类别", "单位", "英文单位", "方向"],
    [
        "literacy_ratio",
        "公民具备科学素质的比例",
        "Literacy ratio",
        "survey_ratio",
        "%",
        "%",
        "increase",
    ],
]
TARGET_HEADER = [
    "目标编号",
    "规划编号",
    "指标代码",
    "地区代码",
    "目标类型",
    "比较方式",
    "目标值",
    "单位",
    "基期年份",
    "目标年份",
    "方向",
    "原文",
]


def target_rows(baseline_year: int, target_year: int) -> list[list[object]]:
    """The 目标 sheet: one literacy target of the base plan p-2021-2025."""
    row = ["p-2021-2025.lit", "p-2021-2025", "literacy_ratio", "330304", "level", "ge"]
    row += [18, "%", baseline_year, target_year, "increase", "到2025年达到18%"]
    return [TARGET_HEADER, row]


def target(path: Path, baseline_year: int, target_year: int) -> Path:
    return write_book(path, {"目标": target_rows(baseline_year, target_year)})


RULE_ROWS = [
    ["规则编号", "规则名称", "达标分数线", "分数线单位"],
    ["pct-60", "正确率60%", 60, "percent"],
]
WAVE_HEADER = [
    "批次编号",
    "调查年份",
    "覆盖地区代码",
    "调查名称",
    "判定规则",
    "计分方式",
    "单PSU层处理",
]
RESPONDENT_HEADER = [
    "批次编号",
    "受访者编号",
    "地区代码",
    "层",
    "初级抽样单元",
    "权重",
    "性别",
    "年龄",
    "城乡",
    "文化程度",
    "职业",
]


def respondent(number: int, region: str = "330304901", weight: object = 1.5) -> list[object]:
    design = ["w-2023", f"r{number}", region, "S1", f"S1-C{number}", weight]
    return [*design, "女", 34, "城镇", "初中", "农民"]


def survey(
    path: Path,
    scoring: str = "items",
    respondents: list[list[object]] | None = None,
    items: tuple[str, ...] = ("Q1", "Q2"),
    columns: tuple[str, ...] = ("Q1", "Q2"),
    answers: tuple[object, ...] = ("A", "B"),
) -> Path:
    """A survey workbook: the rule, a wave covering 330304, the answer key, respondents."""
    wave = ["w-2023", 2023, "330304", "测试调查", "pct-60", scoring, "adjust"]
    sheets = {
        "判定规则": RULE_ROWS,
        "调查批次": [WAVE_HEADER, wave],
        "受访者": [
            [*RESPONDENT_HEADER, *columns],
            *[[*r, *answers] for r in (respondents or [respondent(1), respondent(2)])],
        ],
    }
    if scoring == "items":
        key = [["批次编号", "题号", "维度", "正确答案", "分值"]]
        key += [["w-2023", item, "科学知识", "A", 2] for item in items]
        sheets = {**sheets, "答案": key}
    return write_book(path, sheets)


def register(path: Path, entered: str, exited: str | None) -> Path:
    rows = [
        ["登记类型", "编号", "地区代码", "登记日期", "注销日期"],
        ["volunteer", "v1", "330304", entered, exited],
    ]
    return write_book(path, {"登记名册": rows})


# Damaged and foreign files.
def raw_bytes(data: bytes) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return build


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def truncated(path: Path) -> Path:
    data = funding(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of a workbook (zip) in place."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            out.writestr(info, change(data) if info.filename == member else data)
    return path


FUNDING_SHEET = "xl/worksheets/sheet2.xml"  # after the 说明 sheet


def damaged_member(path: Path) -> Path:
    """A valid zip whose sheet part fails its checksum: bytes changed after the CRC."""
    funding(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        info = book.getinfo(FUNDING_SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def zip_password(path: Path) -> Path:
    """A workbook whose sheet part is marked encrypted with a zip password (flag bit 0 in
    its local and central headers), as an archiver with a password writes it."""
    funding(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as book:
        info = book.getinfo(FUNDING_SHEET)
    data[info.header_offset + 6] |= 0x1  # the local header's flags
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(FUNDING_SHEET)] != FUNDING_SHEET.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1  # the central directory's flags
    path.write_bytes(bytes(data))
    return path


def not_a_workbook_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("word/document.xml", "<w:document/>")
    return path


def encrypted(path: Path) -> Path:
    """An Office-encrypted workbook: a compound file with EncryptionInfo and
    EncryptedPackage streams (the layout Excel writes for a password to open)."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<iiiiIiiii", header, 40, 0, 1, 1, 0, 4096, -2, 0, -2, 0)
    difat = [0] + [-1] * 108
    struct.pack_into("<109i", header, 76, *difat)
    fat = struct.pack("<128i", -3, -2, *([-1] * 126))
    directory = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage", ""):
        encoded = name.encode("utf-16-le") + (b"\x00\x00" if name else b"")
        entry = bytearray(128)
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        directory += bytes(entry)
    path.write_bytes(bytes(header) + fat + directory)
    return path


def bomb(path: Path) -> Path:
    """A small workbook whose sheet part decompresses to 3 MB of padding."""
    funding(path)
    return rewrite_member(
        path,
        FUNDING_SHEET,
        lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + b" " * (3 << 20)),
    )


def stray_cell(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口"
    sheet.append(["地区代码", "年份", "常住人口(人)"])
    sheet.append(["330304", 2020, 100])
    sheet["XFD1048576"] = "x"
    book.save(path)
    return path


def formula_without_value(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "科普经费"
    sheet.append(FUNDING_HEADER)
    sheet.append(["330304", 2020, "政府拨款", 500])
    sheet.append(["330304", 2020, "社会捐赠", "=D2*2"])
    book.save(path)
    return path


def error_value(path: Path) -> Path:
    funding(path, ["330304", 2020, "政府拨款", 500], ["330304", 2020, "社会捐赠", 7])
    return rewrite_member(
        path,
        FUNDING_SHEET,
        lambda xml: re.sub(
            rb'<c r="D3"[^>]*>.*?</c>', b'<c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml
        ),
    )


def csv_file(text: str, encoding: str, bom: bytes = b"") -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        path.write_bytes(bom + text.encode(encoding))
        return path

    return build


CSV_TEXT = "地区代码,年份,来源,金额(元)\n330304,2020,政府拨款,1000\n330304,2020,社会捐赠,20\n"


def big_file(path: Path) -> Path:
    funding(path)
    path.write_bytes(path.read_bytes() + bytes(2 << 20))  # 2 MB of trailing zeros
    return path


Problem = tuple[str, str | None, int | None, str | None]  # code, sheet, row, column


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    status: str
    problems: tuple[Problem, ...] = ()
    suffix: str = ".xlsx"
    settings: dict[str, str] = field(default_factory=dict)
    accept_valid_rows: bool = False
    rows: dict[str, int] = field(default_factory=dict)


def _f(*rows: list[object], header: list[object] | None = None) -> Callable[[Path], Path]:
    return lambda path: funding(path, *rows, header=header)


F = "科普经费"
AMOUNT = "金额(元)"
OK_ROW = ["330304", 2020, "政府拨款", 1000]

CASES: tuple[Case, ...] = (
    # Files that cannot be read at all.
    Case("empty file", raw_bytes(b""), "rejected", (("file_empty", None, None, None),)),
    Case("png named xlsx", raw_bytes(PNG), "rejected", (("file_type", None, None, None),)),
    Case(
        "text named xlsx", raw_bytes(b"a,b\n1,2\n"), "rejected", (("file_type", None, None, None),)
    ),
    Case(
        "pdf named xlsx",
        raw_bytes(b"%PDF-1.7\n..."),
        "rejected",
        (("file_type", None, None, None),),
    ),
    Case(
        "html saved as xls",
        raw_bytes(b"<html><table><tr><td>1</td></tr></table></html>"),
        "rejected",
        (("file_type", None, None, None),),
        suffix=".xls",
    ),
    Case("truncated workbook", truncated, "rejected", (("workbook_corrupt", None, None, None),)),
    Case("damaged part", damaged_member, "rejected", (("workbook_corrupt", None, None, None),)),
    Case("zip of a document", not_a_workbook_zip, "rejected", (("file_type", None, None, None),)),
    Case("encrypted workbook", encrypted, "rejected", (("workbook_encrypted", None, None, None),)),
    Case(
        "sheet under a zip password",
        zip_password,
        "rejected",
        (("workbook_encrypted", None, None, None),),
    ),
    Case(
        "decompression bomb",
        bomb,
        "rejected",
        (("unpacked_too_large", None, None, None),),
        settings={"KEPU_MAX_UNPACKED_MB": "1"},
    ),
    Case(
        "stray cell XFD1048576", stray_cell, "rejected", (("sheet_too_large", "人口", None, None),)
    ),
    Case(
        "file above the size limit",
        big_file,
        "rejected",
        (("file_too_large", None, None, None),),
        settings={"KEPU_MAX_FILE_MB": "1"},
    ),
    Case(
        "ods",
        raw_bytes(b"PK\x03\x04"),
        "rejected",
        (("suffix_unsupported", None, None, None),),
        ".ods",
    ),
    Case(
        "xlsx named csv",
        lambda p: funding(p),
        "rejected",
        (("file_type", None, None, None),),
        ".csv",
    ),
    Case(
        "binary named csv",
        raw_bytes(b"\x00\x01\x02\x03" * 64),
        "rejected",
        (("file_type", None, None, None),),
        ".csv",
    ),
    Case(
        "csv in no encoding we read",
        raw_bytes(b"\x80\x81\xff,\xfe\n"),
        "rejected",
        (("csv_encoding", None, None, None),),
        ".csv",
    ),
    Case(
        "only an about sheet",
        lambda p: write_book(p, {}),
        "rejected",
        (("no_data", None, None, None),),
    ),
    Case(
        "unknown sheet",
        lambda p: write_book(p, {"杂项": [["甲", "乙"], [1, 2]]}),
        "rejected",
        (("unknown_sheet", "杂项", None, None),),
    ),
    Case(
        "named sheet without its headers",
        lambda p: write_book(p, {"科普经费": [["地区代码", "金额(元)"], ["330304", 1]]}),
        "rejected",
        (("header_not_found", "科普经费", None, None),),
    ),
    # Encodings: read.
    Case(
        "csv gbk", csv_file(CSV_TEXT, "gbk"), "accepted", suffix=".csv", rows={"funding_returns": 2}
    ),
    Case(
        "csv utf-8 with bom",
        csv_file(CSV_TEXT, "utf-8", codecs.BOM_UTF8),
        "accepted",
        suffix=".csv",
        rows={"funding_returns": 2},
    ),
    Case(
        "csv utf-8",
        csv_file(CSV_TEXT.replace("1000", "1001"), "utf-8"),
        "accepted",
        suffix=".csv",
        rows={"funding_returns": 2},
    ),
    Case(
        "csv utf-16 tab-separated",
        csv_file(
            CSV_TEXT.replace(",", "\t").replace("1000", "1002"), "utf-16-le", codecs.BOM_UTF16_LE
        ),
        "accepted",
        suffix=".csv",
        rows={"funding_returns": 2},
    ),
    Case(
        "csv with a bad row",
        csv_file(CSV_TEXT + "330304,2020,彩票,5\n", "gb18030"),
        "rejected",
        (("not_choice", "corpus_csv_with_a_bad_row", 4, "来源"),),
        suffix=".csv",
    ),
    # Header and unit problems.
    Case(
        "amount column given twice",
        _f(["330304", 2020, "政府拨款", 1, 2], header=[*FUNDING_HEADER, "金额(元)"]),
        "rejected",
        (("duplicate_column", F, 1, "金额(元)"),),
    ),
    Case(
        # the first sheet's unknown region went unchecked and landed: only one sheet of a
        # table was checked against the warehouse
        "two sheets of one table, the first naming an unknown region",
        lambda p: write_book(
            p,
            {
                F: [FUNDING_HEADER, ["330399", 2020, "政府拨款", 1]],
                "经费二": [FUNDING_HEADER, OK_ROW],
            },
        ),
        "rejected",
        (("duplicate_table", "经费二", None, None),),
    ),
    Case(
        "unit missing",
        _f(header=["地区代码", "年份", "来源", "金额"]),
        "rejected",
        (("unit_missing", F, 1, "金额"),),
    ),
    Case(
        "unit unknown",
        _f(header=["地区代码", "年份", "来源", "金额(千元)"]),
        "rejected",
        (("unit_unknown", F, 1, "金额(千元)"),),
    ),
    Case(
        "unit in header contradicts unit cell",
        lambda p: write_book(
            p, {F: [["单位：元"], ["地区代码", "年份", "来源", "金额(万元)"], OK_ROW]}
        ),
        "rejected",
        (("unit_conflict", F, 2, "金额(万元)"),),
    ),
    Case(
        "unit in header agrees with unit cell",
        lambda p: write_book(
            p,
            {
                F: [
                    ["单位：万元"],
                    ["地区代码", "年份", "来源", "金额(万元)"],
                    ["330304", 2020, "自筹资金", 1],
                ]
            },
        ),
        "accepted",
        rows={"funding_returns": 1},
    ),
    # Cells.
    Case(
        "full-width digits",
        _f(["３３０３０４", "２０２０", "社会捐赠", "１，２３４．５"]),
        "accepted",
        rows={"funding_returns": 1},
    ),
    Case(
        "thousands separators",
        _f(["330304", 2020, "其他", "1,621,000"]),
        "accepted",
        rows={"funding_returns": 1},
    ),
    Case(
        "ideographic spaces around a word",
        _f(["330304", 2020, "\u3000政府拨款\u3000", 9]),
        "accepted",
        rows={"funding_returns": 1},
    ),
    Case(
        "inf", _f(["330304", 2020, "政府拨款", "inf"]), "rejected", (("not_finite", F, 2, AMOUNT),)
    ),
    Case(
        "nan", _f(["330304", 2020, "政府拨款", "NaN"]), "rejected", (("not_finite", F, 2, AMOUNT),)
    ),
    Case(
        "overflow after the unit",
        _f(
            ["330304", 2020, "政府拨款", "1e305"], header=["地区代码", "年份", "来源", "金额(万元)"]
        ),
        "rejected",
        (("not_finite", F, 2, "金额(万元)"),),
    ),
    Case(
        "amount above the ceiling",
        _f(["330304", 2020, "政府拨款", 2e11]),
        "rejected",
        (("out_of_range", F, 2, AMOUNT),),
    ),
    Case(
        "negative amount",
        _f(["330304", 2020, "政府拨款", -5]),
        "rejected",
        (("out_of_range", F, 2, AMOUNT),),
    ),
    Case(
        "year far in the future",
        _f(["330304", 2090, "政府拨款", 5]),
        "rejected",
        (("after_received", F, 2, "年份"),),
    ),
    Case(
        "year after the received date",
        _f(["330304", 2025, "政府拨款", 5]),
        "rejected",
        (("after_received", F, 2, "年份"),),
    ),
    Case(
        "year before 1949",
        _f(["330304", 1800, "政府拨款", 5]),
        "rejected",
        (("out_of_range", F, 2, "年份"),),
    ),
    Case(
        "not a number",
        _f(["330304", 2020, "政府拨款", "很多"]),
        "rejected",
        (("not_number", F, 2, AMOUNT),),
    ),
    Case(
        "year not whole",
        _f(["330304", 2020.5, "政府拨款", 5]),
        "rejected",
        (("not_whole", F, 2, "年份"),),
    ),
    Case(
        "required value missing",
        _f(["330304", 2020, None, 5]),
        "rejected",
        (("required", F, 2, "来源"),),
    ),
    Case(
        "unknown choice",
        _f(["330304", 2020, "彩票", 5]),
        "rejected",
        (("not_choice", F, 2, "来源"),),
    ),
    Case(
        "malformed region code",
        _f(["33030", 2020, "政府拨款", 5]),
        "rejected",
        (("pattern", F, 2, "地区代码"),),
    ),
    Case(
        "same key twice",
        _f(["330304", 2020, "政府拨款", 5], ["330304", 2020, "财政拨款", 6]),
        "rejected",
        (
            ("duplicate_key", F, 2, "region_code + year + source"),
            ("duplicate_key", F, 3, "region_code + year + source"),
        ),
    ),
    Case(
        "formula without a saved result",
        formula_without_value,
        "rejected",
        (("formula_no_value", F, 3, AMOUNT),),
    ),
    Case("error value", error_value, "rejected", (("cell_error", F, 3, AMOUNT),)),
    Case(
        "unregistered region",
        _f(["110000", 2020, "政府拨款", 5]),
        "rejected",
        (("unknown_reference", F, 2, "地区代码 (region_code)"),),
    ),
    Case(
        "population of zero",
        lambda p: population(p, 0),
        "rejected",
        (("out_of_range", "人口", 2, "常住人口(人)"),),
    ),
    Case("population", lambda p: population(p, 916_900), "accepted", rows={"population": 1}),
    Case(
        "bad date",
        lambda p: register(p, "2022-13-45", None),
        "rejected",
        (("not_date", "登记名册", 2, "登记日期"),),
    ),
    Case(
        "bad yes/no",
        lambda p: write_book(
            p,
            {
                "地区": [
                    ["地区代码", "地区名称", "级别", "合成数据"],
                    ["330304902", "某街道", "乡镇", "也许"],
                ]
            },
        ),
        "rejected",
        (("not_bool", "地区", 2, "合成数据"),),
    ),
    # Rules between columns, sheets and files.
    Case(
        "register exit before entry",
        lambda p: register(p, "2022-03-01", "2021-06-30"),
        "rejected",
        (("exit_before_entry", "登记名册", 2, "注销日期"),),
    ),
    Case(
        "register exit after entry",
        lambda p: register(p, "2022-03-01", "2023-06-30"),
        "accepted",
        rows={"entity_register": 1},
    ),
    Case(
        "register entry after received",
        lambda p: register(p, "2024-05-01", None),
        "rejected",
        (("after_received", "登记名册", 2, "登记日期"),),
    ),
    Case(
        "target year before its baseline",
        lambda p: target(p, 2024, 2023),
        "rejected",
        (("before_baseline", "目标", 2, "目标年份"),),
    ),
    Case(
        "target year outside the plan",
        lambda p: target(p, 2020, 2030),
        "rejected",
        (("outside_plan", "目标", 2, "目标年份 (target_year)"),),
    ),
    Case(
        "target inside the plan", lambda p: target(p, 2020, 2025), "accepted", rows={"targets": 1}
    ),
    Case(
        # The 规划 sheet's second row has no 规划编号 (a problem of its own). Under `not in`
        # that null left no plan of the warehouse current, so a target of one went unchecked.
        "plan without its code hides no target outside a plan",
        lambda p: write_book(
            p,
            {
                "规划": [
                    *PLAN_ROWS[:1],
                    ["p-2026-2030", "新规划", "New plan", "区科协", "330304", 2026, 2030],
                    [None, "无编号", "No code", "区科协", "330304", 2026, 2030],
                ],
                "目标": target_rows(2020, 2030),
            },
        ),
        "rejected",
        (
            ("required", "规划", 3, "规划编号"),
            ("outside_plan", "目标", 2, "目标年份 (target_year)"),
        ),
    ),
    Case(
        "plan ends before it starts",
        lambda p: write_book(
            p,
            {
                "规划": [
                    PLAN_ROWS[0],
                    ["p-2030-2020", "倒序", "Reversed", "区科协", "330304", 2030, 2020],
                ]
            },
        ),
        "rejected",
        (("period_reversed", "规划", 2, "结束年份"),),
    ),
    Case(
        "survey",
        survey,
        "accepted",
        rows={
            "survey_rules": 1,
            "survey_waves": 1,
            "survey_items": 2,
            "survey_respondents": 2,
            "survey_responses": 4,
        },
    ),
    Case(
        "respondent outside the wave's region",
        lambda p: survey(p, respondents=[respondent(1), respondent(2, region="330300")]),
        "rejected",
        (("outside_coverage", "受访者", 3, "地区代码 (region_code)"),),
    ),
    Case(
        "answer-key item without a column",
        lambda p: survey(p, items=("Q1", "Q2", "Q3")),
        "rejected",
        (("item_without_column", "答案", 4, "题号 (item_code)"),),
    ),
    Case(
        "survey weight of zero",
        lambda p: survey(p, respondents=[respondent(1), respondent(2, weight=0)]),
        "rejected",
        (("out_of_range", "受访者", 3, "权重"),),
    ),
    Case(
        "section score not a number",
        lambda p: survey(
            p,
            scoring="sections",
            columns=("科学知识",),
            answers=("很好",),
            respondents=[respondent(1)],
        ),
        "rejected",
        (("not_number", "受访者", 2, "科学知识"),),
    ),
    # Injection-shaped values are data, nothing more.
    Case(
        "injection-shaped text",
        _f(
            ["330304", 2020, "自筹资金", 3, "'); drop table raw.regions; --"],
            header=[*FUNDING_HEADER, "备注"],
        ),
        "accepted",
        rows={"funding_returns": 1},
    ),
    Case(
        "formula-shaped text",
        _f(["330304", 2019, "自筹资金", 3, '=HYPERLINK("x")'], header=[*FUNDING_HEADER, "备注"]),
        "accepted",
        rows={"funding_returns": 1},
    ),
    Case(
        "injection-shaped region code",
        _f(["330304' or '1'='1", 2020, "政府拨款", 5]),
        "rejected",
        (("pattern", F, 2, "地区代码"),),
    ),
    # A statistician's explicit choice: land the valid rows.
    Case(
        "valid rows accepted, bad rows listed",
        _f(
            ["330304", 2018, "政府拨款", 5],
            ["330304", 2018, "彩票", 6],
            ["330304", 2018, "社会捐赠", "inf"],
        ),
        "accepted",
        (("not_choice", F, 3, "来源"), ("not_finite", F, 4, AMOUNT)),
        accept_valid_rows=True,
        rows={"funding_returns": 1},
    ),
    Case(
        "valid rows cannot override a file problem",
        _f(["330304", 2018, "彩票", 5], header=["地区代码", "年份", "来源", "金额"]),
        "rejected",
        (("unit_missing", F, 1, "金额"), ("not_choice", F, 2, "来源")),
        accept_valid_rows=True,
    ),
)


def base_files(folder: Path) -> list[Path]:
    """What the cases are loaded onto: regions, one plan with its indicator, a rule."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_sheet(folder / "regions.xlsx", "地区", REGIONS_ROWS),
        write_book(folder / "plan.xlsx", {"规划": PLAN_ROWS, "指标": INDICATOR_ROWS}),
    ]
