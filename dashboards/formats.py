"""Numbers as the readers of a Chinese monitoring report expect them.

Percentages with two decimals, counts as whole numbers with separators and, from 100,000
up, in 万 (ten thousands) in Chinese; money per person to the fen; dates as dates; and a
dash, never 'None' or 'nan', where there is no value. The words around a number come
from the vocabulary (`format.*`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from unicodedata import east_asian_width

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboards.i18n import current_language, pick, t
from ingest.specs import ALL_SPECS, EXTRA_TABLES
from vocabulary import PERCENT_FAMILIES, POINTS_FAMILIES, difference_in_points

DASH = "—"
PER_CAPITA_FAMILIES = ("funding_per_capita",)
# From here a count reads better in 万 than as six or more digits.
TEN_THOUSAND_FROM = 100_000
# A table column wide enough for its longest text: pixels per Latin character (a Chinese
# one takes two), the cell's padding, and the most a column may take of the page.
PIXELS_PER_CHARACTER = 6.8
CELL_PADDING = 24
WIDEST_COLUMN = 480
# Streamlit's grid wraps a cell's text only in rows taller than 4rem; wrapped lines are
# about 19 px apart at its 14 px font.
WRAPPING_ROW_PIXELS = 65
LINE_PIXELS = 20
# A year range in a name (2021—2035年, 2017–2020) is one word: a browser may otherwise break
# a line at its dash (2021— | 2035年) or before 年. A word joiner (zero width) between its
# parts keeps it whole. (\u5e74 is 年: the dashboard's source holds no Chinese text.)
WORD_JOINER = "\u2060"
YEAR_RANGE = re.compile(r"(\d{4})([—–-])(\d{4})(\u5e74?)")
# Where a line may break: after a space, and before or after a Chinese character.
BREAKS = re.compile(r"(?<=\s)|(?=[\u2e80-\uffef])|(?<=[\u2e80-\uffef])")


def missing(value: object) -> bool:
    return value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value))


def whole(value: float | None) -> str:
    """12,345, or a dash."""
    return DASH if missing(value) else f"{round(float(value)):,}"


def unbroken_years(name: str) -> str:
    """`name` with each year range joined so that no line of an HTML cell breaks inside
    it: '（2021—2035年）' keeps '2021—2035年' on one line. For HTML only: a table's text
    (and its CSV) keeps the name as registered."""
    return YEAR_RANGE.sub(lambda match: WORD_JOINER.join(filter(None, match.groups())), name)


def text_pixels(text: str) -> float:
    """About how many pixels `text` takes in a table cell (a Chinese character two Latin ones)."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text) * PIXELS_PER_CHARACTER


def fitted_width(texts: pd.Series) -> int:
    """Pixels that show the longest of `texts` whole (a file name is not to be cut)."""
    longest = max((text_pixels(str(text)) for text in texts), default=0)
    return min(round(longest) + CELL_PADDING, WIDEST_COLUMN)


def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes in a cell `width` pixels wide that wraps it: between words, and
    between any two Chinese characters."""
    usable, lines, line = width - CELL_PADDING, 1, 0.0
    for piece in BREAKS.split(text):
        pixels = text_pixels(piece)
        if line and line + pixels > usable:
            lines, line = lines + 1, 0.0
        line += pixels
        while line > usable:  # a word wider than the cell is cut across lines
            lines, line = lines + 1, line - usable
    return lines


def wrapped_row_height(texts: pd.Series, width: int) -> int:
    """Pixels of a table row tall enough for the longest of `texts` wrapped in a column
    `width` pixels wide; at least WRAPPING_ROW_PIXELS, from which the grid wraps at all."""
    lines = max((wrapped_lines(str(text), width) for text in texts), default=1)
    return max(WRAPPING_ROW_PIXELS, lines * LINE_PIXELS + CELL_PADDING)


# The grid's header row and borders, in pixels: a table is drawn as tall as its rows.
TABLE_HEADER_PIXELS = 38


@dataclass(frozen=True)
class Wrapped:
    """A table whose columns `widths` (pixels, by column) wrap their text: the column
    settings, and the row and table heights that show every row whole without scrolling."""

    columns: dict[str, object]
    row_height: int
    height: int


def wrapped(frame: pd.DataFrame, widths: dict[str, int]) -> Wrapped:
    """The grid cuts a long text on one line: these columns get their width and every row
    the height of the longest text wrapped in them (the row height is the grid's, one for
    all rows)."""
    present = {column: width for column, width in widths.items() if column in frame.columns}
    columns = {
        column: st.column_config.TextColumn(t(f"col.{column}"), width=width)
        for column, width in present.items()
    }
    row = max((wrapped_row_height(frame[c], w) for c, w in present.items()), default=35)
    return Wrapped(columns, row, TABLE_HEADER_PIXELS + row * len(frame))


def day(value: date | datetime | pd.Timestamp | None) -> str:
    """2017-03-25, never with a time of day; a dash where there is no date."""
    return DASH if missing(value) else pd.Timestamp(value).date().isoformat()


def quantity(value: float | None, family: str | None, unit: str | None) -> str:
    """A value in its indicator's unit: '17.60%', '6.59个百分点', '4.78元/人',
    '34.0万人次', '7,800个'."""
    if missing(value):
        return DASH
    value = float(value)
    unit = "" if missing(unit) else unit
    if family in PERCENT_FAMILIES:
        return f"{value:.2f}%"
    if family in POINTS_FAMILIES:
        return t("format.points", value=f"{value:,.2f}")
    if family in PER_CAPITA_FAMILIES:
        return t("format.quantity", value=f"{value:,.2f}", unit=unit)
    if abs(value) >= TEN_THOUSAND_FROM:
        return t("format.ten_thousand", wan=f"{value / 10_000:,.1f}", plain=whole(value), unit=unit)
    shown = whole(value) if value == round(value) else f"{value:,.2f}"
    return t("format.quantity", value=shown, unit=unit)


def difference(value: float | None, family: str | None, unit: str | None) -> str:
    """A difference between two values of an indicator: percentage points between
    shares, gaps or dispersions ('0.19个百分点', `vocabulary.difference_in_points`), the
    indicator's unit otherwise."""
    if not missing(value) and difference_in_points(family):
        return t("format.points", value=f"{float(value):,.2f}")
    return quantity(value, family, unit)


def goal_value(row: pd.Series | dict, column: str) -> str:
    """One value column of a goal row (fct_target_progress with its indicator's family and
    unit) in the indicator's unit."""
    return quantity(row[column], row["indicator_family"], pick(row, "unit"))


def plain(value: object, column: str) -> str:
    """A table cell: a dash where empty; years and numbers (`*_year`, `*_no`) without
    separators; whole numbers without decimals; others to two decimals."""
    if missing(value):
        return DASH
    if isinstance(value, str):
        return value
    if column.endswith(("year", "_no")):
        return str(int(value))
    number = float(value)
    return whole(number) if number == round(number) else f"{number:,.2f}"


def styled(frame: pd.DataFrame) -> Styler:
    """A table as readers expect it (see `plain`); the frame keeps its values, only their
    display changes, so a missing cell reads '—', never a grey 'None'.

    A text column with no value at all holds the dash itself: Streamlit draws such a
    column (Arrow's null type) as grey 'None' whatever the Styler says (the national
    plan's targets name no departments)."""
    empty = [c for c in frame.columns if frame[c].dtype == object and frame[c].isna().all()]
    shown = frame.assign(**dict.fromkeys(empty, DASH)) if empty and len(frame) else frame
    return shown.style.format(
        {column: partial(plain, column=column) for column in frame.columns}, na_rep=DASH
    )


TABLE_NAMES = {spec.table: {"zh": spec.zh, "en": spec.en} for spec in ALL_SPECS}


def table_name(table: str | None) -> str:
    """A raw table as its template's sheet names it (the survey answers, which have no
    sheet of their own, by their label); a dash for a refused file that reached no table."""
    if table is None or pd.isna(table):
        return DASH
    if table in TABLE_NAMES:
        return TABLE_NAMES[table][current_language()]
    return t(f"table.{table}") if table in EXTRA_TABLES else table
