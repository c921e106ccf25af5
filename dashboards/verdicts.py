"""Verdicts in colour and words: the colours of codes.csv (which the Word and Excel
reports use too) and the words of the vocabulary, as small HTML badges."""

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
    """The status word (or `text`) on the status colour."""
    shown = escape(word(code) if text is None else text)
    return (
        f'<span class="verdict" data-status="{escape(code)}" style="background:{colour(code)};'
        f'color:{ink(code)};padding:1px 8px;border-radius:4px;white-space:nowrap">{shown}</span>'
    )
