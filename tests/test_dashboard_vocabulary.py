"""The dashboard's words come from the shared vocabulary and nowhere else.

No page or helper spells a Chinese word in its source; the dashboard names every status
and quality flag as the Word and Excel reports do (both read `vocabulary/labels.csv`); and
the marts' reasons are put into words by one helper.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import vocabulary
from dashboards import i18n
from ingest.home import REPO_ROOT

DASHBOARDS = REPO_ROOT / "dashboards"
# CJK symbols and punctuation, ideographs (with extension A and compatibility forms), and
# full-width forms such as '；' and '（'.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
SHARED_NAMESPACES = ("progress_status", "measure_status", "quality_flag")
# Every enumeration of codes.csv whose codes a page names (through `code_label` or
# `reason_text`).
PAGE_NAMESPACES = (
    "ci_method",
    "count_measure",
    "funding_source",
    "group_dimension",
    "lonely_psu",
    "measure_status",
    "population_denominator",
    "progress_method",
    "progress_status",
    "quality_flag",
    "quality_reason",
    "record_source",
    "review_kind",
    "status_reason",
    "survey_group",
    "target_kind",
    "value_method",
    "year_outcome",
)
# A row holding every number a reason's sentence may quote.
FULL_ROW = {
    "quality_measure_value": 0.5,
    "quality_threshold": 0.3,
    "latest_quality_reason": "ess_below_30",
    "latest_quality_measure_value": 12.0,
    "latest_quality_threshold": 30.0,
    "non_reporting_units": 2,
    "denominator_value": 40.0,
}


def cjk_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal holding CJK text, docstrings aside: they
    document the code and may give the Chinese term beside the English one."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and ast.get_docstring(node, clean=False) is not None
    }
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CJK.search(node.value)
    ]
    return [
        (node.lineno, node.value) for node in sorted(found, key=lambda n: (n.lineno, n.col_offset))
    ]


def test_the_scan_finds_chinese_in_literals_and_f_strings_but_not_in_docstrings() -> None:
    source = (
        '"""模块说明。"""\n\ndef f():\n    """函数说明。"""\n    return "目标", f"{1}年", "x；y"\n'
    )
    assert [text for _, text in cjk_literals(source)] == ["目标", "年", "x；y"]


@pytest.mark.parametrize(
    "path", sorted(DASHBOARDS.rglob("*.py")), ids=lambda path: str(path.relative_to(DASHBOARDS))
)
def test_no_chinese_text_in_dashboard_source(path: Path) -> None:
    assert cjk_literals(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("lang", vocabulary.LANGUAGES)
def test_dashboard_and_report_name_every_status_and_flag_alike(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages name a code through `i18n.code_label`, the reports through
    `vocabulary.code_text`; each code has a label of its own, not the code as fallback."""
    monkeypatch.setattr(i18n, "current_language", lambda: lang)
    for namespace in SHARED_NAMESPACES:
        for code in vocabulary.codes(namespace):
            report_word = vocabulary.code_text(namespace, code, lang)
            assert i18n.code_label(namespace, code) == report_word
            assert vocabulary.has(f"{namespace}.{code}"), (namespace, code)


@pytest.mark.parametrize("namespace", PAGE_NAMESPACES)
def test_every_code_a_page_names_has_a_label_of_its_own(namespace: str) -> None:
    assert [c for c in vocabulary.codes(namespace) if not vocabulary.has(f"{namespace}.{c}")] == []


@pytest.mark.parametrize("lang", vocabulary.LANGUAGES)
@pytest.mark.parametrize("column", ["quality_reason", "status_reason"])
def test_every_reason_reads_as_a_sentence_with_its_numbers_filled(
    column: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "current_language", lambda: lang)
    for code in vocabulary.codes(column):
        text = i18n.reason_text({**FULL_ROW, column: code}, column)
        assert text != code and "{" not in text and "}" not in text, (code, text)


@pytest.mark.parametrize(
    ("row", "column", "zh", "en"),
    [
        (
            {
                "quality_reason": "ess_below_30",
                "quality_measure_value": 23.4449,
                "quality_threshold": 30.0,
            },
            "quality_reason",
            "有效样本量 23.4，不足 30",
            "effective sample size 23.4, below 30",
        ),
        (
            {
                "quality_reason": "ci_width_30_or_more",
                "quality_measure_value": 0.34712,
                "quality_threshold": 0.3,
            },
            "quality_reason",
            "置信区间宽度 34.7 个百分点，达到或超过 30 个百分点",
            "confidence interval 34.7 percentage points wide, 30 or more",
        ),
        (
            {
                "quality_reason": "relative_ci_width_above_130",
                "quality_measure_value": 1.4537,
                "quality_threshold": 1.3,
            },
            "quality_reason",
            "置信区间宽度为估计值的 145.4%，超过 130%",
            "confidence interval width 145.4% of the estimate, above 130%",
        ),
        (
            {
                "quality_reason": "complement_ci_width_above_130",
                "quality_measure_value": 1.3021,
                "quality_threshold": 1.3,
            },
            "quality_reason",
            "置信区间宽度为（1 − 估计值）的 130.2%，超过 130%",
            "confidence interval width 130.2% of (1 − estimate), above 130%",
        ),
        (
            {"quality_reason": "df_below_8", "quality_measure_value": 5.0, "quality_threshold": 8},
            "quality_reason",
            "自由度为 5，少于 8",
            "degrees of freedom 5, fewer than 8",
        ),
        (
            {
                "quality_reason": "no_respondents",
                "quality_measure_value": 0,
                "quality_threshold": 1,
            },
            "quality_reason",
            "该组无受访者",
            "no respondents in this group",
        ),
        (
            # a coverage value of fct_indicator_value: units in the register are its denominator
            {
                "quality_reason": "units_not_reporting",
                "non_reporting_units": 3.0,
                "denominator_value": 41.0,
            },
            "quality_reason",
            "3 个单位（共 41 个）未报送，按未覆盖计",
            "3 of 41 units did not report (counted as not covered)",
        ),
        (
            {"quality_reason": "group_suppressed"},
            "quality_reason",
            "参与比较的群体估计值不宜发布",
            "a group estimate is suppressed",
        ),
        (
            {"status_reason": "period_not_started", "latest_quality_reason": None},
            "status_reason",
            "规划期尚未开始",
            "the plan period has not started",
        ),
        (
            # the latest value's reason, with the latest value's numbers
            {
                "status_reason": "latest_suppressed",
                "latest_quality_reason": "ess_below_30",
                "latest_quality_measure_value": 12.06,
                "latest_quality_threshold": 30.0,
            },
            "status_reason",
            "最新估计不宜发布：有效样本量 12.1，不足 30",
            "latest estimate suppressed: effective sample size 12.1, below 30",
        ),
        ({"quality_reason": None}, "quality_reason", "", ""),
        ({"quality_reason": float("nan")}, "quality_reason", "", ""),
        # A reason the vocabulary does not know yet is shown as the mart wrote it, and so is
        # one whose numbers the row lacks: a code beats a sentence with a wrong number.
        ({"quality_reason": "a_reason_not_yet_known"}, "quality_reason", None, None),
        ({"quality_reason": "ess_below_30"}, "quality_reason", None, None),
    ],
)
def test_reason_text_names_a_mart_reason_with_its_numbers_in_the_reader_s_language(
    row: dict, column: str, zh: str | None, en: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        monkeypatch.setattr(i18n, "current_language", lambda lang=lang: lang)
        assert i18n.reason_text(row, column) == (row[column] if expected is None else expected)
