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


def test_a_page_words_a_reason_as_the_vocabulary_does(monkeypatch: pytest.MonkeyPatch) -> None:
    row = {"quality_reason": "df_below_8", "quality_measure_value": 5.0, "quality_threshold": 8}
    monkeypatch.setattr(i18n, "current_language", lambda: "en")
    assert i18n.reason_text(row, "quality_reason") == "degrees of freedom 5, fewer than 8"
