"""Verdicts in colour and words: the colours of codes.csv (which the Word and Excel
reports use too) and the words of the vocabulary, as small HTML badges.

A badge names its verdict (`data-status`); how a verdict looks is one style block for the
whole app (`STYLE`, drawn by app.py), so a page of many badges does not repeat it.
"""

from __future__ import annotations

from html import escape

import vocabulary
from dashboards.i18n import code_label

STATUSES = vocabulary.codes("progress_status")
# Text on a background darker than this (relative luminance) is drawn white.
DARK_BELOW = 0.45


def colour(code: str) -> str:
    return f"#{vocabulary.colour('progress_status', code) or 'FFFFFF'}"


def ink(code: str) -> str:
    """Black or white, whichever reads on the status colour."""
    red, green, blue = (int(colour(code)[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#FFFFFF" if luminance < DARK_BELOW else "#000000"


def word(code: str) -> str:
    return code_label("progress_status", code)


def badge(code: str, text: str | None = None) -> str:
    """The status word (or `text`) on the status colour (see `STYLE`)."""
    shown = escape(word(code) if text is None else text)
    return f'<span class="verdict" data-status="{escape(code)}">{shown}</span>'


def _style() -> str:
    """A badge on its verdict's colour, and a scorecard cell (`goal-cell`) in it."""
    looks = "".join(
        f'.verdict[data-status="{code}"]{{background:{colour(code)};color:{ink(code)}}}'
        f'.goal-cell[data-status="{code}"]{{background:{colour(code)}}}'
        for code in STATUSES
    )
    return f"<style>.verdict{{padding:1px 8px;border-radius:4px;white-space:nowrap}}{looks}</style>"


STYLE = _style()
