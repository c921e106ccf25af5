"""The words users write for codes (ingest/synonyms.csv): codes of codes.csv, no word for
two codes, labels accepted too, and columns that accept only part of a namespace."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import vocabulary
from ingest import synonyms
from ingest.read import read_file
from tests.helpers import write_sheet

# codes.csv lists the codes the marts emit; facility types and statuses are input-only
# so far. The seeds' owner adds them; then these turn into unexpected passes.


def _rows() -> list[dict[str, str]]:
    with synonyms.SYNONYMS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("namespace", synonyms.namespaces())
def test_every_code_of_the_synonyms_is_a_code_of_codes_csv(namespace: str) -> None:
    assert namespace in vocabulary.namespaces()
    assert set(synonyms.codes(namespace)) <= set(vocabulary.codes(namespace))


def test_no_word_is_written_twice_in_a_namespace() -> None:
    seen: dict[tuple[str, str], str] = {}
    for row in _rows():
        key = (row["namespace"], synonyms.normalise(row["word"]))
        assert key not in seen, f"{row['word']} repeats {seen[key]}"
        seen[key] = row["word"]


def test_every_accepted_code_has_its_own_row() -> None:
    """The row word = code declares that a sheet may carry the code."""
    rows = _rows()
    declared = {(r["namespace"], r["code"]) for r in rows if r["word"] == r["code"]}
    assert {(r["namespace"], r["code"]) for r in rows} == declared


@pytest.mark.parametrize("namespace", synonyms.namespaces())
def test_no_word_or_label_names_two_codes(namespace: str) -> None:
    words = synonyms.words(namespace)  # raises on a word naming two codes
    assert set(words.values()) == set(synonyms.codes(namespace))


def _review(tmp_path: Path, kind: str):
    path = write_sheet(
        tmp_path / "reviews.xlsx",
        "评估节点",
        [["规划编号", "评估年份", "评估类型"], ["ouhai-2021-2025", 2025, kind]],
    )
    return read_file(path)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("中期评估", "midterm"),  # a synonym in synonyms.csv
        ("节点检查", "checkpoint"),  # the zh label in labels.csv, not in synonyms.csv
        ("Mid-term review", "midterm"),  # the en label
        ("FINAL", "final"),  # the code, in any case
    ],
)
def test_a_review_kind_is_read_from_any_of_its_words(
    tmp_path: Path, written: str, code: str
) -> None:
    result = _review(tmp_path, written)
    assert result.errors.empty, result.errors.to_string()
    assert result.sheets[0].frame["review_kind"].tolist() == [code]


def test_an_unknown_word_is_an_error_that_lists_the_codes_and_their_words(
    tmp_path: Path,
) -> None:
    errors = _review(tmp_path, "年中").errors
    assert errors[["row", "column", "value"]].values.tolist() == [[2, "评估类型", "年中"]]
    assert json.loads(errors.iloc[0]["fields"])["choices"] == (
        "launch/monitoring/midterm/final/checkpoint (启动/监测/中期评估/总结评估/节点)"
    )


def test_a_column_narrowed_to_part_of_a_namespace_rejects_the_rest(tmp_path: Path) -> None:
    """Sex and urban/rural share the namespace survey_group; the sex column takes neither
    '城镇' nor 'urban'."""
    respondent = {
        "批次编号": "w-2025",
        "受访者编号": "r1",
        "地区代码": "330304",
        "层": "S1",
        "初级抽样单元": "C1",
        "权重": 1.5,
        "年龄": 34,
        "文化程度": "初中",
        "职业": "农民",
    }
    rows = [
        [*respondent, "性别", "城乡"],
        [*respondent.values(), "城镇", "城镇"],
        [*{**respondent, "受访者编号": "r2"}.values(), "女", "男"],
    ]
    errors = read_file(write_sheet(tmp_path / "survey.xlsx", "受访者", rows)).errors
    assert errors[["row", "column", "value"]].values.tolist() == [
        [2, "性别", "城镇"],
        [3, "城乡", "男"],
    ]
    assert {json.loads(f)["choices"] for f in errors["fields"]} == {
        "male/female (男/女)",
        "urban/rural (城镇/乡村)",
    }
