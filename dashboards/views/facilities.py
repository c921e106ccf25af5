"""Facilities: coverage of science facilities (科普设施覆盖率) against plan targets.

Coverage is the share of all units of a level in the year's register that have an active
facility of the rule's types. A unit that did not report counts as not covered, so the
page states how many did not report beside every figure. The published snapshot keeps
those units as counts per region (fct_facility_coverage), not as a list of names, so the
page lists the counts per town or street and says so.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboards import charts, data, i18n
from dashboards.i18n import goal_target, localized, t, target_with_year

PERCENT = 100
BAR_COLOUR = "#1f77b4"
TARGET_COLOUR = "#d62728"
YEAR_AXIS = alt.Axis(format="d", tickMinStep=1)
# Streamlit draws rows 35 px high; a table this tall shows every town without scrolling.
ROW_PIXELS = 35
# Streamlit fits a chart's title, legend and axes inside its height: room for those, then
# a bar height per town.
BAR_PIXELS = 30
FRAME_PIXELS = 130
COUNT_COLUMNS = ["units", "covered_units", "reporting_units", "non_reporting_units"]


def target_options(targets: pd.DataFrame) -> dict[str, str]:
    """Target id → 'plan：indicator', named in the reader's language."""
    frame = localized(targets, "plan_name", "indicator_name")
    return {
        row.target_id: t("records.target_option", plan=row.plan_name, indicator=row.indicator_name)
        for row in frame.itertuples()
    }


def choose_target(targets: pd.DataFrame) -> pd.Series:
    names = target_options(targets)
    target_id = i18n.selectbox(
        t("records.choose_target"),
        list(names),
        format_func=names.__getitem__,
        key="facility_target",
    )
    return targets.set_index("target_id", drop=False).loc[target_id]


def choose_year(coverage: pd.DataFrame) -> int:
    """The years the target has values for, the latest first."""
    years = sorted({int(year) for year in coverage["year"]}, reverse=True)
    return i18n.selectbox(t("facilities.choose_year"), years, key="facility_year")


def with_percent(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage in percent to two decimals, as the target states it, and the region's name."""
    frame = localized(coverage, "region_name")
    frame["coverage_pct"] = (frame["coverage"] * PERCENT).round(2)
    return frame


def target_rule(target: pd.Series, axis: str = "y") -> alt.Chart:
    """A dashed line at the target across the value `axis`, named in the legend (a label
    on the plot would sit on the bars of towns near the target)."""
    label = target_with_year(target)
    frame = pd.DataFrame({"target_value": [target["target_value"]], "label": [label]})
    colour = alt.Color(
        "label:N",
        scale=alt.Scale(domain=[label], range=[TARGET_COLOUR]),
        legend=alt.Legend(title=None, orient="top"),
    )
    position = alt.X("target_value:Q") if axis == "x" else alt.Y("target_value:Q")
    return (
        alt.Chart(frame)
        .mark_rule(strokeDash=[6, 4], size=2)
        .encode(
            position,
            color=colour,
            tooltip=[alt.Tooltip("label:N", title=t("facilities.target"))],
        )
    )


def count_tooltips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("region_name:N", title=t("col.region")),
        alt.Tooltip("coverage_pct:Q", title=t("col.coverage"), format=".2f"),
        *(alt.Tooltip(f"{column}:Q", title=t(f"col.{column}")) for column in COUNT_COLUMNS),
    ]


def town_chart(towns: pd.DataFrame, target: pd.Series, year: int) -> alt.LayerChart:
    """One bar per town or street, in code order, against the target; bars lie flat so
    the towns' names read in full."""
    order = list(towns.sort_values("region_code")["region_name"])
    bars = (
        alt.Chart(towns)
        .mark_bar(color=BAR_COLOUR)
        .encode(
            y=alt.Y("region_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X("coverage_pct:Q", title=t("col.coverage"), scale=alt.Scale(domain=[0, 100])),
            tooltip=count_tooltips(),
        )
    )
    chart = alt.layer(bars, target_rule(target, axis="x"))
    title = t("facilities.by_town_title", year=year)
    return chart.properties(title=title, height=FRAME_PIXELS + BAR_PIXELS * len(towns))


def trend_chart(trend: pd.DataFrame, target: pd.Series, region: str) -> alt.LayerChart:
    """The target region's coverage by year against the target."""
    line = (
        alt.Chart(trend)
        .mark_line(point=True, color=BAR_COLOUR)
        .encode(
            x=alt.X("year:Q", title=t("col.year"), axis=YEAR_AXIS, scale=alt.Scale(zero=False)),
            y=alt.Y("coverage_pct:Q", title=t("col.coverage"), scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("year:Q", title=t("col.year"), format="d"), *count_tooltips()],
        )
    )
    chart = alt.layer(line, target_rule(target))
    return chart.properties(title=t("facilities.trend_title", region=region), height=340)


def count_table(frame: pd.DataFrame) -> None:
    """Region, denominator, numerator, reporting and non-reporting units, coverage."""
    table = frame[["region_name", *COUNT_COLUMNS, "coverage_pct"]].rename(
        columns={"region_name": "region", "coverage_pct": "coverage"}
    )
    config: dict[str, object] = {column: t(f"col.{column}") for column in table.columns}
    config["coverage"] = st.column_config.NumberColumn(t("col.coverage"), format="%.2f")
    height = ROW_PIXELS * (len(table) + 1) + 3
    st.dataframe(table, hide_index=True, column_config=config, height=height)


def show_headline(region_row: pd.Series, target: pd.Series, year: int) -> None:
    """Coverage of the target region in the year, the target, and who did not report."""
    left, middle, right = st.columns(3)
    left.metric(t("facilities.coverage_in", year=year), f"{region_row['coverage_pct']:.2f}%")
    middle.metric(t("facilities.target"), goal_target(target))
    right.metric(
        t("col.non_reporting_units"),
        int(region_row["non_reporting_units"]),
        help=t("facilities.denominator_note"),
    )
    missing = int(region_row["non_reporting_units"])
    if missing:
        st.warning(t("facilities.non_reporting", n=missing, year=year))
    else:
        st.success(t("facilities.all_reported", year=year))


def show_non_reporting(region_row: pd.Series, towns: pd.DataFrame) -> None:
    """Where the units that did not report are: counts per town, as the snapshot keeps them."""
    if int(region_row["non_reporting_units"]) == 0:
        return
    st.subheader(t("facilities.non_reporting_title"))
    st.caption(t("facilities.no_unit_list"))
    if towns.empty:
        return
    where = towns[towns["non_reporting_units"] > 0].sort_values("region_code")
    table = where[["region_name", "non_reporting_units", "units"]].rename(
        columns={"region_name": "region"}
    )
    config = {column: t(f"col.{column}") for column in table.columns}
    st.dataframe(table, hide_index=True, column_config=config, key="non_reporting_table")


def show_target(conn: data.Published, target: pd.Series, year_slot: DeltaGenerator) -> None:
    coverage = with_percent(data.facility_coverage(conn, target["target_id"]))
    with year_slot:
        year = choose_year(coverage)
    own = coverage["region_code"] == target["region_code"]
    trend = coverage[own]
    region_row = trend.set_index("year").loc[year]
    towns = coverage[~own & (coverage["year"] == year)]

    show_headline(region_row, target, year)
    if towns.empty:
        st.info(t("facilities.no_towns"))
    else:
        charts.show(town_chart(towns, target, year), width="stretch", key="town_chart")
    charts.show(
        trend_chart(trend, target, region_row["region_name"]), width="stretch", key="trend_chart"
    )
    st.caption(t("facilities.denominator_note"))
    st.subheader(t("facilities.values", year=year))
    count_table(pd.concat([trend[trend["year"] == year], towns.sort_values("region_code")]))
    show_non_reporting(region_row, towns)


def render() -> None:
    conn = data.connection()
    targets = data.coverage_targets(conn)
    if targets.empty:
        st.info(t("records.no_targets"))
        return
    left, right = st.columns([3, 1])
    with left:
        target = choose_target(targets)
    show_target(conn, target, right)


render()
