"""The language of the dashboard: which one the reader chose, and the switch between them.

Every word comes from the shared vocabulary (`vocabulary/labels.csv`), the same file the
Word and Excel reports read, so a page and a report never call one thing by two names.
This module only picks the reader's language. Names that come from the registry (plans,
regions, indicators, units, target labels) are not in the vocabulary: the marts carry them
as `<name>_zh` / `<name>_en` columns and `localized` picks the right one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

import vocabulary
from ingest.specs import LIST_JOINER

LANGUAGES = vocabulary.LANGUAGES
DEFAULT_LANGUAGE = vocabulary.DEFAULT_LANGUAGE
LANGUAGE_KEY = "lang"
# Session state of the language each select box was last drawn in, by the box's key.
DRAWN_PREFIX = "drawn_in."


def current_language() -> str:
    """The language chosen in this session; the default until the switch has run."""
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, **fields: object) -> str:
    """The label `key` in the current language, with `{field}` placeholders filled."""
    return vocabulary.text(key, current_language(), **fields)


def both(key: str) -> str:
    """The label in both languages, for what must be readable before a language is chosen."""
    return " / ".join(vocabulary.text(key, lang) for lang in LANGUAGES)


def code_label(namespace: str, code: str, **fields: object) -> str:
    """The word for a code a mart emits (a status, a flag, a target kind, a funding
    source), in the current language; a code without a label is shown as itself."""
    return vocabulary.code_text(namespace, code, current_language(), **fields)


def reason_text(row: Mapping[str, Any], column: str) -> str:
    """Why a value is flagged or a status was given (the reason in `row[column]`), in the
    current language with the numbers the row holds; '' if none. The sentence is built by
    `vocabulary.reasons`, the same code the reports use."""
    return vocabulary.reason_text(vocabulary.reason_from_row(row, column), current_language())


def localized(frame: pd.DataFrame, *bases: str) -> pd.DataFrame:
    """A copy of `frame` where each `base` column holds `base_zh` or `base_en`.

    The registry gives names in both languages; a page asks for `plan_name` and gets the
    one the reader chose, so no page spells out a language suffix itself.
    """
    suffix = current_language()
    out = frame.copy()
    for base in bases:
        out[base] = out[f"{base}_{suffix}"]
    return out


def pick(row: pd.Series | dict, base: str) -> str:
    """One registry name of a single row in the current language."""
    return row[f"{base}_{current_language()}"]


def goal_indicator(row: pd.Series | dict) -> str:
    """A target's indicator name in the current language; a gap target's with its pair."""
    return vocabulary.goal_name(
        pick(row, "indicator_name"), row.get("gap_group_a"), row.get("gap_group_b"),
        current_language(),
    )  # fmt: skip


def goal_target(row: pd.Series | dict) -> str:
    """A goal's target as its plan states it, in the current language: '逐年增长' for a
    growth above 0% (`vocabulary.target_label`, the reports' reading too)."""
    return vocabulary.target_label(
        row.get("target_kind"), row.get("target_value"), pick(row, "target_label"),
        current_language(),
    )  # fmt: skip


def target_with_year(row: pd.Series | dict) -> str:
    """'目标 ≥20,000人次（2025年）': a goal's target (`goal_target`) with its due year when
    it has one."""
    label, year = goal_target(row), row.get("target_year")
    if year is None or pd.isna(year):
        return t("records.target_label", label=label)
    return t("records.target_label_year", label=label, year=int(year))


def names_by_code(frame: pd.DataFrame, code_column: str, base: str) -> dict[str, str]:
    """Code → registry name in the current language, for a selectbox's options.

    The names are looked up while the page runs, not later when Streamlit formats an
    option, so the labels always match the language of the run that drew the widget.
    """
    names = frame[f"{base}_{current_language()}"]
    return dict(zip(frame[code_column], names, strict=True))


def column_labels(columns: pd.Index | list[str]) -> dict[str, str]:
    """Display labels for table columns; the frames keep stable ids, only headers change."""
    return {column: t(f"col.{column}") for column in columns}


def department_list(
    joined: str | None, region_code: str, english_names: dict[tuple[str, str], str]
) -> str | None:
    """A list of department names, as the registry joins them, in the current language.

    The registry records departments by their Chinese names; in English each is looked up
    in the department dimension and kept in Chinese only if it is missing there.
    """
    if pd.isna(joined) or current_language() == "zh":
        return joined
    names = joined.split(LIST_JOINER)
    return t("list.separator").join(english_names.get((region_code, name), name) for name in names)


def selectbox(label: str, options: Sequence[Any], key: str, **kwargs: Any) -> Any:
    """`st.selectbox` that shows its choice in the reader's language after a switch.

    Streamlit's box keeps showing the choice as it was formatted when it was made (the
    frontend holds the formatted text; a keyed box is not redrawn when its format
    changes), so after a switch the Chinese name stood in an English page. Handing the box
    its own value again, in the first run after the switch, redraws it formatted anew.
    """
    drawn = f"{DRAWN_PREFIX}{key}"
    language = current_language()
    switched = st.session_state.get(drawn, language) != language
    if switched and st.session_state.get(key) in options:
        st.session_state[key] = st.session_state[key]
    st.session_state[drawn] = language
    return st.selectbox(label, options, key=key, **kwargs)


def language_switch() -> None:
    """Sidebar radio for the language, mirrored in the `lang` query parameter.

    Session state holds the choice while the reader clicks around; the query parameter
    lets a shared link open in the same language. The parameter is read only when the
    session starts, so the radio, not a stale URL, decides afterwards. Each language is
    named in itself, so a reader finds their own whichever is shown.
    """
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
        st.session_state[LANGUAGE_KEY] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    st.sidebar.radio(
        both("app.language"),
        LANGUAGES,
        key=LANGUAGE_KEY,
        format_func=lambda lang: vocabulary.text(f"language.{lang}", lang),
        horizontal=True,
    )
    st.query_params[LANGUAGE_KEY] = st.session_state[LANGUAGE_KEY]
