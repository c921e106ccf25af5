"""Activities and trainings: count and stock targets valued from activity logs and registers.

Each kind of target is read its own way: a cumulative target by its running total against
the pro-rata path (target × elapsed share of the period, from 0 when the period starts to
the target when it ends); an annual target year by year, each year met or missed as
fct_target_progress judged it; a level target (a stock such as registered volunteers) by
its year-end values. The table beside the chart says what was counted, from which records.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import vocabulary
from dashboards import charts, data, i18n
from dashboards.i18n import code_label, localized, pick, t, target_with_year

VALUE_COLOUR = "#1f77b4"
PATH_COLOUR = "#7f7f7f"
TARGET_COLOUR = "#d62728"
# A year outside the judged ones: before the period, or after the as-of date.
NOT_ASSESSED = "not_assessed"
# Chart colours of the year outcomes (codes.csv gives them none: they are not report colours).
YEAR_COLOURS = {"met": "#2ca02c", "missed": "#ff7f0e", NOT_ASSESSED: "#bbbbbb"}
YEAR_AXIS = alt.Axis(format="d", tickMinStep=1)
YEAR_SCALE = alt.Scale(zero=False)


def choose_target(targets: pd.DataFrame) -> pd.Series:
    """The target the reader picks, named 'plan：indicator'."""
    frame = localized(targets, "plan_name", "indicator_name")
    names = {
        row.target_id: t("records.target_option", plan=row.plan_name, indicator=row.indicator_name)
        for row in frame.itertuples()
    }
    target_id = i18n.selectbox(
        t("records.choose_target"), list(names), format_func=names.__getitem__, key="record_target"
    )
    return targets.set_index("target_id", drop=False).loc[target_id]


def target_band(target: pd.Series) -> tuple[float, float] | None:
    """The span a range target (3–4) or an approximate one (≈4 ±1) accepts, if any."""
    value = float(target["target_value"])
    if pd.notna(target["target_value_upper"]):
        return value, float(target["target_value_upper"])
    if pd.notna(target["tolerance"]):
        return value - float(target["tolerance"]), value + float(target["tolerance"])
    return None


def target_layers(
    target: pd.Series, colour: alt.Color, start: float, end: float
) -> list[alt.Chart]:
    """A dashed rule at the target from `start` to `end` on the year axis (the target's own
    period, never the whole axis), over a pale band for the span a range or an approximate
    target accepts, and a ring at the due year; named in the legend by the target's label,
    as a label on the plot would sit on bars and points."""
    label = target_with_year(target)
    value = float(target["target_value"])
    frame = pd.DataFrame({"value": [value], "start": [start], "end": [end], "series": [label]})
    tooltip = [alt.Tooltip("series:N", title=t("activities.target"))]
    x = alt.X("start:Q", scale=YEAR_SCALE)
    rule = (
        alt.Chart(frame)
        .mark_rule(strokeDash=[6, 4], size=2)
        .encode(x=x, x2="end:Q", y="value:Q", color=colour, tooltip=tooltip)
    )
    layers = [rule]
    if pd.notna(target["target_year"]):
        due = frame.assign(due=float(target["target_year"]))
        layers.append(
            alt.Chart(due)
            .mark_point(shape="circle", size=120, strokeWidth=2, color=TARGET_COLOUR)
            .encode(x=alt.X("due:Q", scale=YEAR_SCALE), y="value:Q", tooltip=tooltip)
        )
    band = target_band(target)
    if band is None:
        return layers
    span = frame.assign(low=band[0], high=band[1])
    shade = (
        alt.Chart(span)
        .mark_rect(opacity=0.12, color=TARGET_COLOUR)
        .encode(x=x, x2="end:Q", y="low:Q", y2="high:Q", tooltip=tooltip)
    )
    return [shade, *layers]


def series_colour(colours: dict[str, str]) -> alt.Color:
    """A colour per series drawn, each named in the legend."""
    scale = alt.Scale(domain=list(colours), range=list(colours.values()))
    return alt.Color("series:N", scale=scale, title=None)


def with_legend_below(chart: alt.LayerChart) -> alt.LayerChart:
    """The legend under the plot, where long series names fit uncut."""
    return chart.configure_legend(orient="bottom", labelLimit=0, titleLimit=0)


def cumulative_chart(values: pd.DataFrame, target: pd.Series, unit: str) -> alt.LayerChart:
    """Running total at each year end against the straight pro-rata path.

    The x axis is the end of each year, so the period starts at the end of the year before
    it: there the path is 0, and at the end of the last year it reaches the target.
    """
    start, end = int(target["period_start"]), int(target["period_end"])
    colour = series_colour(
        {
            t("activities.running_total"): VALUE_COLOUR,
            t("activities.pro_rata"): PATH_COLOUR,
            target_with_year(target): TARGET_COLOUR,
        }
    )
    x = alt.X("year:Q", title=t("activities.year_end_axis"), axis=YEAR_AXIS, scale=YEAR_SCALE)
    shown = values[values["year"].between(start, end)]
    total = (
        alt.Chart(shown.assign(series=t("activities.running_total")))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("cumulative_value:Q", title=None),
            color=colour,
            tooltip=[
                alt.Tooltip("year:Q", title=t("col.year"), format="d"),
                alt.Tooltip("annual_value:Q", title=t("activities.annual_value"), format=",.2~f"),
                alt.Tooltip("cumulative_value:Q", title=t("col.running_total"), format=",.2~f"),
            ],
        )
    )
    path_frame = pd.DataFrame(
        {
            "year": [start - 1, end],
            "path": [0.0, float(target["target_value"])],
            "series": t("activities.pro_rata"),
        }
    )
    path = (
        alt.Chart(path_frame)
        .mark_line(strokeDash=[4, 3])
        .encode(x="year:Q", y="path:Q", color=colour)
    )
    start_label = (
        alt.Chart(path_frame.iloc[[0]].assign(label=t("activities.period_start")))
        .mark_text(align="left", dx=6, dy=-12, color=PATH_COLOUR)
        .encode(x="year:Q", y="path:Q", text="label:N")
    )
    layers = [*target_layers(target, colour, start - 1, end), path, start_label, total]
    title = t("activities.cumulative_title", unit=unit)
    return with_legend_below(alt.layer(*layers).properties(title=title, height=380))


def with_verdicts(values: pd.DataFrame, outcomes: dict[int, str]) -> pd.DataFrame:
    """Yearly values with the outcome the progress judgement gave each year it used."""
    codes = [outcomes.get(int(year), NOT_ASSESSED) for year in values["year"]]
    return values.assign(
        verdict=codes, year_status=[code_label("year_outcome", code) for code in codes]
    )


def annual_chart(frame: pd.DataFrame, target: pd.Series, unit: str) -> alt.LayerChart:
    """A bar per year, green when the year met the annual target, orange when it missed."""
    drawn = set(frame["verdict"])
    used = [code for code in vocabulary.codes("year_outcome") if code in drawn]
    bar_colour = alt.Color(
        "year_status:N",
        scale=alt.Scale(
            domain=[code_label("year_outcome", code) for code in used],
            range=[YEAR_COLOURS[code] for code in used],
        ),
        title=t("col.year_status"),
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(size=28)
        .encode(
            x=alt.X("year:Q", title=t("col.year"), axis=YEAR_AXIS, scale=YEAR_SCALE),
            y=alt.Y("annual_value:Q", title=None),
            color=bar_colour,
            tooltip=[
                alt.Tooltip("year:Q", title=t("col.year"), format="d"),
                alt.Tooltip("annual_value:Q", title=t("activities.annual_value"), format=",.2~f"),
                alt.Tooltip("year_status:N", title=t("col.year_status")),
            ],
        )
    )
    # bars stand on their year: the rule reaches the outer edges of the period's bars
    period = float(target["period_start"]) - 0.5, float(target["period_end"]) + 0.5
    rules = target_layers(target, series_colour({target_with_year(target): TARGET_COLOUR}), *period)
    chart = alt.layer(*rules, bars).resolve_scale(color="independent")
    return with_legend_below(
        chart.properties(title=t("activities.annual_title", unit=unit), height=380)
    )


def level_chart(values: pd.DataFrame, target: pd.Series, unit: str) -> alt.LayerChart:
    """Year-end values (a stock) against the level the plan wants by its target year."""
    colour = series_colour(
        {t("activities.stock_value"): VALUE_COLOUR, target_with_year(target): TARGET_COLOUR}
    )
    line = (
        alt.Chart(values.assign(series=t("activities.stock_value")))
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title=t("col.year"), axis=YEAR_AXIS, scale=YEAR_SCALE),
            y=alt.Y("annual_value:Q", title=None),
            color=colour,
            tooltip=[
                alt.Tooltip("year:Q", title=t("col.year"), format="d"),
                alt.Tooltip("annual_value:Q", title=t("activities.stock_value"), format=",.2~f"),
            ],
        )
    )
    period = float(target["period_start"]), float(target["target_year"])
    chart = alt.layer(*target_layers(target, colour, *period), line)
    return with_legend_below(
        chart.properties(title=t("activities.level_title", unit=unit), height=380)
    )


def rule_text(values: pd.DataFrame) -> str:
    """'计数规则：人次合计，来源：活动记录。': what was counted in which records."""
    row = values.iloc[0]
    return t(
        "activities.rule",
        measure=code_label("count_measure", row["measure"]),
        source=code_label("record_source", row["record_source"]),
    )


def value_table(frame: pd.DataFrame, kind: str, period_start: int) -> None:
    """Year and value, with the running total of a cumulative target (and a note on years
    before its period, which the total leaves out) and the verdict of each year of an
    annual one."""
    table = pd.DataFrame({"year": frame["year"], "value": frame["annual_value"]})
    if kind == "cumulative":
        table["running_total"] = frame["cumulative_value"]
        if (frame["year"] < period_start).any():
            table["note"] = [
                t("activities.before_period") if year < period_start else ""
                for year in frame["year"]
            ]
    if kind == "annual":
        table["year_status"] = frame["year_status"]
    config: dict[str, object] = {column: t(f"col.{column}") for column in table.columns}
    config["year"] = st.column_config.NumberColumn(t("col.year"), format="%d")
    for column in ("value", "running_total"):
        config[column] = st.column_config.NumberColumn(t(f"col.{column}"), format="localized")
    st.dataframe(table, hide_index=True, column_config=config)


def status_text(progress: pd.Series) -> str:
    ratio = progress["progress_ratio"]
    return t(
        "activities.status",
        as_of=pd.Timestamp(progress["as_of_date"]).date().isoformat(),
        status=code_label("progress_status", progress["progress_status"]),
        method=code_label("progress_method", progress["progress_method"]),
        ratio="—" if pd.isna(ratio) else f"{ratio:.2f}",
    )


def target_progress(conn: data.Published, target: pd.Series) -> pd.Series:
    """The target's row of fct_target_progress, which has one for every target."""
    progress = data.target_progress(conn, target["plan_id"]).set_index("target_id")
    return progress.loc[target["target_id"]]


def show_target(conn: data.Published, target: pd.Series) -> None:
    values = data.record_counts(conn, target["target_id"])
    unit = pick(target, "unit")
    kind = target["target_kind"]
    progress = target_progress(conn, target)
    if kind == "annual":
        frame = with_verdicts(values, data.year_outcomes(conn, target["target_id"]))
    else:
        frame = values
    if kind == "cumulative":
        chart = cumulative_chart(frame, target, unit)
    elif kind == "annual":
        chart = annual_chart(frame, target, unit)
    else:
        chart = level_chart(frame, target, unit)
    charts.show(chart, width="stretch", key="record_chart")
    st.caption(status_text(progress))
    st.subheader(t("activities.values"))
    value_table(frame, kind, int(target["period_start"]))
    st.caption(rule_text(values))
    st.caption(pick(target, "definition"))


def render() -> None:
    conn = data.connection()
    targets = data.record_targets(conn)
    if targets.empty:
        st.info(t("records.no_targets"))
        return
    show_target(conn, choose_target(targets))


render()
