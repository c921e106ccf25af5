"""What every chart of the dashboard draws the same honest way.

A target is a line only over its own period, from the plan's start to its due year, with
the due year marked: drawn across the whole axis, a target missed in 2020 would look met
in 2023. A suppressed value is no point at all: the line breaks there and an × on the
axis carries its reason on hover.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from dashboards.data import cached
from dashboards.i18n import goal_target, pick, t

# An × (an SVG path: Vega-Lite's "cross" is a +) marks where a suppressed value would be.
CROSS = "M -1 -1 L 1 1 M 1 -1 L -1 1"
TARGET_COLOUR = "#d62728"
SUPPRESSED_COLOUR = "#7f7f7f"
# At most this many lines on one chart; more tangle (ten occupations).
MAX_LINES = 6
# Room in pixels the scales leave at a plot's edges for an × (at most CROSS_SIZE square
# pixels: √110 / 2 plus half its stroke is 6.2 px from its centre), so that one at the first
# or last year, or on the bottom row where suppressed values go, is drawn whole rather than
# cut by the chart's edge.
CROSS_SIZE = 110
EDGE_PIXELS = 14
# Years start in 2016: an axis drawn from zero would squeeze them into a line; not rounded
# out to a "nice" year, which would draw an empty one at either end.
YEARS = alt.Scale(zero=False, nice=False, padding=EDGE_PIXELS)


def value_scale(**options: Any) -> alt.Scale:
    """A value axis whose lowest value is drawn EDGE_PIXELS above the bottom of the plot,
    leaving that strip to the row of ×s (`cross_row`)."""
    return alt.Scale(padding=EDGE_PIXELS, **options)


def cross_row(height: int | None = None) -> dict[str, Any]:
    """The y of the ×s of suppressed values: the middle of the plot's bottom strip, from
    the height the plot is drawn at (Streamlit's, not always the one the chart asks for);
    a facet's cell, where that height is another signal, gives its own `height`."""
    if height is not None:
        return alt.value(height - EDGE_PIXELS / 2)
    return alt.value({"expr": f"height - {EDGE_PIXELS / 2:g}"})


class _Unvalidated:
    """A chart whose `to_dict` skips Altair's check of the spec against the Vega-Lite
    schema: at national size that check was two thirds of a literacy page's rerun, and
    the charts here are built by the same code on every run (a test compares the spec
    with the one `st.altair_chart` sends)."""

    def __init__(self, chart: alt.TopLevelMixin) -> None:
        self.chart = chart

    def to_dict(self) -> dict[str, Any]:
        return self.chart.to_dict(validate=False)


def vega_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec `st.altair_chart` sends for `chart` (its data as Arrow
    datasets, Streamlit's theme), made by Streamlit's own converter without validation."""
    return _convert_altair_to_vega_lite_spec(_Unvalidated(chart))


def show(chart: alt.TopLevelMixin, key: str | None = None, width: str | None = None) -> None:
    """Draw `chart` as `st.altair_chart` would (`width` None: Streamlit's default for the
    kind of chart), from its unvalidated spec."""
    st.vega_lite_chart(vega_spec(chart), width=width, key=key)


@cached
def _spec_once(selection: tuple, _build: Callable[[], alt.TopLevelMixin]) -> dict[str, Any]:
    """`vega_spec` of the chart `_build` makes, kept for `selection` (Streamlit hashes
    the selection only, not the function)."""
    return vega_spec(_build())


def show_once(
    selection: tuple,
    build: Callable[[], alt.TopLevelMixin],
    key: str | None = None,
    width: str | None = None,
) -> None:
    """`show` the chart `build` makes, converted once per `selection`: what the chart is
    drawn from, the publish's key first (`Published.key`) and the language last."""
    st.vega_lite_chart(_spec_once(selection, build), width=width, key=key)


def year_of(value: object) -> float:
    """The year of a date or a year number; NaN where there is none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return float("nan")
    if isinstance(value, int | float):
        return float(value)
    return float(pd.Timestamp(value).year)


def target_periods(targets: pd.DataFrame) -> pd.DataFrame:
    """One row per target with a number on the scale of the values charted
    (fct_plan_target.is_target_on_value_scale: not a growth rate): the years it runs over
    (`start_year` from its period's start, `due_year` its target year or else its
    period's end), its value and its label with the due year."""
    drawn = targets[targets["is_target_on_value_scale"].fillna(False).astype(bool)]
    frame = drawn.assign(due_year=drawn["target_year"].fillna(drawn["period_end"]))
    frame = frame.dropna(subset=["target_value", "due_year"]).copy()
    frame["due_year"] = frame["due_year"].astype(float)
    starts = [year_of(start) for start in frame["period_start"]]
    frame["start_year"] = [
        due if pd.isna(start) else start
        for start, due in zip(starts, frame["due_year"], strict=True)
    ]
    frame["label"] = [
        t("trend.target_label", label=goal_target(row), year=int(row["due_year"]))
        for _, row in frame.iterrows()
    ]
    return frame


def target_period_layers(
    periods: pd.DataFrame, colour: alt.Color | None = None, series: str | None = None
) -> list[alt.Chart]:
    """A dashed line at each target's value from its start to its due year, a ring at the
    due year and the label there, from the targets' `target_periods` (which the chart
    also asks whether it has a target to name); `colour` and `series` put the target in
    the legend."""
    frame = periods.assign(series=series or t("trend.target"))
    if frame.empty:
        return []
    base = alt.Chart(frame)
    stroke = {"color": colour} if colour is not None else {}
    tooltip = [alt.Tooltip("label:N", title=t("trend.target"))]
    if "plan_name_zh" in frame.columns:
        frame["plan_name"] = [pick(row, "plan_name") for _, row in frame.iterrows()]
        base = alt.Chart(frame)
        tooltip.insert(0, alt.Tooltip("plan_name:N", title=t("col.plan_name")))
    line = base.mark_rule(strokeDash=[6, 4], size=2, color=TARGET_COLOUR).encode(
        x=alt.X("start_year:Q", scale=YEARS),
        x2="due_year:Q",
        y="target_value:Q",
        tooltip=tooltip,
        **stroke,
    )
    due = base.mark_point(shape="circle", size=120, strokeWidth=2, color=TARGET_COLOUR).encode(
        x=alt.X("due_year:Q", scale=YEARS), y="target_value:Q", tooltip=tooltip
    )
    text = base.mark_text(align="right", dx=-6, dy=-10, color=TARGET_COLOUR).encode(
        x="due_year:Q", y="target_value:Q", text="label:N"
    )
    return [line, due, text]


def suppressed_marks(
    frame: pd.DataFrame, x: alt.X, colour: alt.Color | str, tooltip: list
) -> alt.Chart:
    """An × in the bottom strip of the plot (never at a value of 0; the value axis is
    `value_scale()`) for each suppressed value in `frame`, with its reason on hover."""
    encoding = {"color": colour} if isinstance(colour, alt.Color) else {}
    mark_colour = colour if isinstance(colour, str) else SUPPRESSED_COLOUR
    return (
        alt.Chart(frame)
        .mark_point(shape=CROSS, size=CROSS_SIZE, strokeWidth=2, opacity=1, color=mark_colour)
        .encode(x=x, y=cross_row(), tooltip=tooltip, **encoding)
    )


def fewest_lines(frame: pd.DataFrame, series: str, limit: int = MAX_LINES) -> list[str]:
    """The series to draw when there are more than `limit`: the top and bottom halves by
    their latest published value (the table keeps every series)."""
    latest = (
        frame.dropna(subset=["value"])
        .sort_values("year")
        .groupby(series)["value"]
        .last()
        .sort_values(ascending=False)
    )
    names = list(latest.index)
    if len(names) <= limit:
        return names
    half = limit // 2
    return names[:half] + names[-(limit - half) :]
