"""Property: a valid file, mutated in any way, loads cleanly or is refused with located
problems; never an exception, never part of a file in the raw tables."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vocabulary
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.problems import ROW_CODES, render_outcome
from ingest.specs import ALL_SPECS, EXTRA_TABLES
from tests.corpus import (
    FUNDING_HEADER,
    RESPONDENT_HEADER,
    RULE_ROWS,
    WAVE_HEADER,
    base_files,
    respondent,
    write_book,
)

DATA_TABLES = [s.table for s in ALL_SPECS] + list(EXTRA_TABLES)
TEMPLATES: dict[str, dict[str, list[list[object]]]] = {
    "funding": {
        "科普经费": [
            ["单位：元"],
            FUNDING_HEADER,
            ["330304", 2020, "政府拨款", 1000],
            ["330304", 2020, "科普专项经费", 600],
            ["330304901", 2020, "社会捐赠", 12.5],
        ]
    },
    "population": {
        "人口": [
            ["地区代码", "年份", "常住人口(万人)", "户籍人口(万人)"],
            ["330304", 2020, 91.69, 43.53],
            ["330304901", 2020, 3.2, 1.1],
        ]
    },
    "survey": {
        "判定规则": RULE_ROWS,
        "调查批次": [WAVE_HEADER, ["w-2023", 2023, "330304", "调查", "pct-60", "items", "adjust"]],
        "答案": [
            ["批次编号", "题号", "维度", "正确答案", "分值"],
            ["w-2023", "Q1", "科学知识", "A", 2],
            ["w-2023", "Q2", "科学方法", "B、C", 2],
        ],
        "受访者": [
            [*RESPONDENT_HEADER, "Q1", "Q2"],
            *[[*respondent(n), "A", "C"] for n in range(1, 5)],
        ],
    },
    "registers": {
        "登记名册": [
            ["登记类型", "编号", "地区代码", "登记日期", "注销日期"],
            ["volunteer", "v1", "330304", "2022-03-01", None],
            ["volunteer", "v2", "330304901", "2021-07-15", "2023-01-31"],
        ]
    },
}
VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "inf",
            "-inf",
            "NaN",
            "1e400",
            "１２３",
            "３３０３０４",
            "1,621,000",
            "二〇二〇",
            "'; drop table raw.regions; --",
            "=1+2",
            "@SUM(A1)",
            "\u3000",
            "#DIV/0!",
            "330399",
            "2099",
            "0",
            "-1",
            "万元",
            "是",
            "2023-02-30",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=12),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, list[list[object]]], list[str]]:
    """A template with a few cell, row and header mutations, and the edits made."""
    name = draw(st.sampled_from(sorted(TEMPLATES)))
    sheets = {k: [list(r) for r in rows] for k, rows in TEMPLATES[name].items()}
    edits = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        sheet = draw(st.sampled_from(sorted(sheets)))
        rows = sheets[sheet]
        kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_row", "copy_row", "header"]))
        row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if kind == "cell" and rows[row]:
            column = draw(st.integers(min_value=0, max_value=len(rows[row])))
            value = draw(VALUES)
            rows[row][column : column + 1] = [value]
        elif kind == "drop_row" and len(rows) > 1:
            del rows[row]
        elif kind == "copy_row":
            rows.insert(row, list(rows[row]))
        elif kind == "header":
            rows[0].append(draw(st.sampled_from(["金额(元)", "年份", "备注", "Q1", "地区代码"])))
        edits.append(f"{kind}@{sheet}:{row}")
    return name, sheets, edits


@st.composite
def damaged_bytes(draw: st.DrawFn) -> tuple[str, int, bytes]:
    """How to damage the bytes of a valid workbook: truncate, flip or insert."""
    how = draw(st.sampled_from(["truncate", "flip", "insert"]))
    where = draw(st.integers(min_value=0, max_value=10**9))
    return how, where, draw(st.binary(min_size=1, max_size=8))


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory: pytest.TempPathFactory) -> KepuHome:
    home = KepuHome(tmp_path_factory.mktemp("fuzz")).ensure()
    folder = tmp_path_factory.mktemp("fuzz_base")
    assert {o.status for o in load_files(base_files(folder), home)} == {"accepted"}
    return home


def _assert_clean_or_located(home: KepuHome, path: Path) -> None:
    (outcome,) = load_files([path], home)
    assert outcome.status in {"accepted", "rejected", "duplicate"}
    if outcome.status == "duplicate":
        return
    load = outcome.to_dict(limit=10_000)
    for lang in vocabulary.LANGUAGES:
        render_outcome(load, lang)  # every problem has its words, in both languages
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        landed = {
            t: con.execute(
                f"select count(*) from raw.{t} where load_id = ?", [outcome.load_id]
            ).fetchone()[0]
            for t in DATA_TABLES
        }
    if outcome.status == "rejected":
        assert load["problems"], "a refusal names its problems"
        assert not any(landed.values()), f"part of a refused file landed: {landed}"
        for problem in load["problems"]:
            assert problem["file"] == path.name
            if problem["code"] in ROW_CODES:
                assert problem["sheet"] and problem["row"] is not None and problem["column"]
            json.loads(problem["fields"])
    else:
        assert not load["problems"]
        assert {t: n for t, n in landed.items() if n} == outcome.rows


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated())
def test_a_mutated_template_loads_cleanly_or_is_refused_located(
    case: tuple[str, dict, list[str]], fuzz_home: KepuHome, tmp_path: Path
) -> None:
    name, sheets, _ = case
    path = write_book(tmp_path / f"{name}.xlsx", sheets)
    _assert_clean_or_located(fuzz_home, path)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damage=damaged_bytes(), template=st.sampled_from(sorted(TEMPLATES)))
def test_damaged_bytes_never_raise(
    damage: tuple[str, int, bytes], template: str, fuzz_home: KepuHome, tmp_path: Path
) -> None:
    how, where, data = damage
    path = write_book(tmp_path / f"{template}_damaged.xlsx", TEMPLATES[template])
    content = bytearray(path.read_bytes())
    at = where % len(content)
    if how == "truncate":
        content = content[:at]
    elif how == "flip":
        content[at] ^= data[0] or 0xFF
    else:
        content[at:at] = data
    path.write_bytes(bytes(content))
    _assert_clean_or_located(fuzz_home, path)
