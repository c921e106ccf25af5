"""Selections that travel in the URL, so a view can be bookmarked and shared.

A page binds a selectbox to a query parameter (`?plan=ouhai-2021-2025&target=…`): the
parameter, when it names an option, preselects the box, and choosing in the box writes
the parameter back. Links to a detail page carry the selection and the language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from urllib.parse import urlencode

import streamlit as st

from dashboards import i18n
from dashboards.i18n import LANGUAGE_KEY, current_language

PLAN = "plan"
TARGET = "target"
REGION = "region"
GROUP = "group"
TARGET_PAGE = "target"  # url_path of views/target.py


def _remember(key: str) -> None:
    st.query_params[key] = st.session_state[key]


def url_choice(
    key: str, label: str, options: Sequence[str], format_func: Callable[[str], str]
) -> str | None:
    """A selectbox whose choice is the query parameter `key`.

    The URL wins when it names an option the box does not show (a followed link or a
    bookmark); a choice made in the box is written to the URL before the page reruns.
    """
    requested = st.query_params.get(key)
    if requested in options and st.session_state.get(key) != requested:
        st.session_state[key] = requested
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    choice = i18n.selectbox(
        label, options, key=key, format_func=format_func, on_change=_remember, args=(key,)
    )
    if choice is not None:
        st.query_params[key] = choice
    return choice


def selection(**chosen: str) -> dict[str, str]:
    """Query parameters of a link: the selection and the reader's language."""
    return {**chosen, LANGUAGE_KEY: current_language()}


def href(url_path: str, **chosen: str) -> str:
    """The address of a page (its url_path; '' for the Overview) with a selection.

    A plain link, loaded as a bookmark is: `st.page_link` switches pages before the new
    query parameters reach the script, so the target page would open on its default.
    """
    return f"./{url_path}?{urlencode(selection(**chosen))}"


def anchor(url_path: str, label: str, **chosen: str) -> str:
    """An HTML link to a page with a selection, opened in the same tab."""
    return f'<a href="{escape(href(url_path, **chosen))}" target="_self">{escape(label)}</a>'
