"""A target's yearly values as a tiny inline SVG for its tile: cheap enough to draw a
dozen on one page, unlike a chart each. A year without a publishable value is a gap in
the line, never a zero; the target, where it is on the same scale, is a dashed line."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pandas as pd

WIDTH, HEIGHT, PAD = 140, 32, 3
LINE = "#1F4E79"
TARGET = "#7F7F7F"


def _scale(low: float, high: float, size: float, flip: bool) -> Callable[[float], float]:
    span = (high - low) or 1.0

    def to_pixels(value: float) -> float:
        share = (value - low) / span
        return PAD + (1 - share if flip else share) * (size - 2 * PAD)

    return to_pixels


def sparkline(series: pd.DataFrame, target: float | None, title: str) -> str:
    """SVG of `series` (year, value) with an optional target line; '' with under two values."""
    known = series.dropna(subset=["value"])
    if len(known) < 2:
        return ""
    values = [*known["value"], *([] if target is None or pd.isna(target) else [target])]
    x = _scale(series["year"].min(), series["year"].max(), WIDTH, flip=False)
    y = _scale(min(values), max(values), HEIGHT, flip=True)
    segments, current = [], []
    for year, value in zip(series["year"], series["value"], strict=True):
        if pd.isna(value):
            segments, current = [*segments, current], []
        else:
            current.append(f"{x(year):.1f},{y(value):.1f}")
    segments.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
        for points in segments
        if len(points) > 1
    )
    last = known.iloc[-1]
    dot = f'<circle cx="{x(last.year):.1f}" cy="{y(last.value):.1f}" r="2.5" fill="{LINE}"/>'
    rule = (
        ""
        if target is None or pd.isna(target)
        else f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
        f'stroke="{TARGET}" stroke-dasharray="3,2"/>'
    )
    return (
        f'<svg class="sparkline" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{rule}{lines}{dot}</svg>'
    )
