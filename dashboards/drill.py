"""The drill-down under a target: its regions (a ranking, a grid of towns coloured by value
and a small trend per region) and, for a literacy target, its groups (the gap between two
groups over time with its interval). Every choice is a query parameter (`region`, `group`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import altair as alt
import pandas as pd
import streamlit as st

import vocabulary
from dashboards import charts, data, drill_data
from dashboards.charts import (
    CROSS,
    SUPPRESSED_COLOUR,
    TARGET_COLOUR,
    YEARS,
    cross_row,
    suppressed_marks,
    target_period_layers,
    target_periods,
    value_scale,
)
from dashboards.formats import DASH, quantity
from dashboards.i18n import code_label, current_language, goal_target, pick, reason_text, t
from dashboards.links import GROUP, PLAN, REGION, TARGET, TARGET_PAGE, anchor, url_choice
from orchestration.publish import spreadsheet_safe

BAR_COLOUR = "#1f4e79"
# Tiles run from pale to dark blue with the value; a suppressed town is grey.
LOW, HIGH, GREY = (222, 235, 247), (31, 78, 121), "#d9d9d9"
TILE_CSS = """<style>
.town-grid {display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
  gap: 0.4rem; margin-bottom: 1rem;}
.town {border-radius: 0.3rem; padding: 0.5rem 0.6rem; line-height: 1.3;}
.town .town-name {font-size: 0.85rem; overflow-wrap: anywhere;}
.town .town-value {font-size: 1.1rem; font-weight: 600;}
</style>"""
SMALL_HEIGHT = 110
# A ranked region's bar and label, and the value axis under the bars: Streamlit fits the
# whole chart, axis included, into its height, which left every other label out.
RANK_PIXELS, AXIS_PIXELS = 26, 60
TREND_HEIGHT = 300


def with_display(values: pd.DataFrame, goal: pd.Series) -> pd.DataFrame:
    """The values with what charts and tables show: the region's name, the value rounded
    and in its unit, the flag and the reason in the reader's language."""
    family, unit = goal["indicator_family"], pick(goal, "unit")
    frame = values.copy()
    if "region_name_zh" in frame.columns:
        frame["region"] = [pick(row, "region_name") for _, row in frame.iterrows()]
    frame["shown"] = frame["value"].round(2)
    frame["text"] = [quantity(value, family, unit) for value in frame["value"]]
    return with_flags(frame)


def with_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each value's quality flag and reason in the reader's language, and the
    run of the line it belongs to: a suppressed year starts a new run in its region's
    series (the one series of a frame without regions)."""
    frame["quality"] = [
        DASH if pd.isna(flag) else code_label("quality_flag", flag)
        for flag in frame["quality_flag"]
    ]
    frame["reason"] = [reason_text(row, "quality_reason") for row in frame.to_dict("records")]
    series = frame["region_code"] if "region_code" in frame.columns else pd.Series(0, frame.index)
    frame["segment"] = frame["value"].isna().groupby(series).cumsum()
    return frame


def year_tooltip(value_title: str, *extra: alt.Tooltip) -> list[alt.Tooltip]:
    """The hover of a value by year: the year, the value as shown, any `extra`, and its
    quality flag with the reason."""
    return [
        alt.Tooltip("year:Q", title=t("col.year"), format="d"),
        alt.Tooltip("text:N", title=value_title),
        *extra,
        alt.Tooltip("quality:N", title=t("col.quality")),
        alt.Tooltip("reason:N", title=t("col.reason")),
    ]


def ranking(latest: pd.DataFrame) -> pd.DataFrame:
    """One year's regions, highest value first; suppressed regions last, by name."""
    return latest.sort_values(["value", "region"], ascending=[False, True], na_position="last")


def ranking_chart(ranked: pd.DataFrame, goal: pd.Series) -> alt.LayerChart:
    """Bars of the value per region in rank order, the target as a vertical rule; a
    suppressed region has no bar, only an × with its reason."""
    order = list(ranked["region"])
    y = alt.Y("region:N", sort=order, title=None, axis=alt.Axis(labelLimit=400))
    value_title = t("col.value_unit", unit=pick(goal, "unit"))
    tooltip = [
        alt.Tooltip("region:N", title=t("col.region")),
        alt.Tooltip("text:N", title=t("col.value")),
        alt.Tooltip("quality:N", title=t("col.quality")),
        alt.Tooltip("reason:N", title=t("col.reason")),
    ]
    published = ranked[ranked["value"].notna()]
    bars = (
        alt.Chart(published)
        .mark_bar(color=BAR_COLOUR)
        .encode(x=alt.X("shown:Q", title=value_title), y=y, tooltip=tooltip)
    )
    layers: list[alt.Chart] = [bars]
    suppressed = ranked[ranked["value"].isna()]
    if not suppressed.empty:
        layers.append(
            alt.Chart(suppressed)
            .mark_point(shape=CROSS, size=90, strokeWidth=2, color=SUPPRESSED_COLOUR)
            .encode(x=alt.value(6), y=y, tooltip=tooltip)
        )
    if goal["is_target_on_value_scale"] and pd.notna(goal["target_value"]):
        rule = pd.DataFrame({"target_value": [goal["target_value"]], "label": [goal_target(goal)]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=2)
            .encode(x="target_value:Q", tooltip=[alt.Tooltip("label:N", title=t("trend.target"))])
        )
    return alt.layer(*layers).properties(height=max(160, RANK_PIXELS * len(ranked) + AXIS_PIXELS))


def tile_colour(value: float, low: float, high: float) -> tuple[str, str]:
    """Background and text colour of a town's tile: darker for a higher value."""
    if pd.isna(value):
        return GREY, "#000000"
    share = 0.5 if high == low else (value - low) / (high - low)
    rgb = [round(a + (b - a) * share) for a, b in zip(LOW, HIGH, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), "#ffffff" if share > 0.5 else "#000000"


def town_grid(ranked: pd.DataFrame) -> str:
    """A map-like grid of tiles (no map is available offline), one per region in rank
    order, coloured by value; a suppressed region is grey and says why on hover."""
    low, high = ranked["value"].min(), ranked["value"].max()
    tiles = []
    for row in ranked.itertuples():
        background, ink = tile_colour(row.value, low, high)
        hover = row.reason or row.quality
        tiles.append(
            f'<div class="town" data-region="{escape(row.region_code)}" title="{escape(hover)}"'
            f' style="background:{background};color:{ink}">'
            f'<div class="town-name">{escape(row.region)}</div>'
            f'<div class="town-value">{escape(row.text)}</div></div>'
        )
    return f'{TILE_CSS}<div class="town-grid">{"".join(tiles)}</div>'


def small_multiples(frame: pd.DataFrame, goal: pd.Series) -> alt.FacetChart:
    """A small trend chart per region, the line broken where a value is suppressed, the
    target over its period in each."""
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1), scale=YEARS)
    tooltip = year_tooltip(t("col.value"))
    base = alt.Chart(frame)
    published = base.transform_filter("isValid(datum.value)")
    line = published.mark_line(color=BAR_COLOUR).encode(
        x=x,
        y=alt.Y("shown:Q", title=None, scale=value_scale(zero=False)),
        detail="segment:N",
    )
    points = published.mark_point(filled=True, color=BAR_COLOUR).encode(
        x=x, y="shown:Q", tooltip=tooltip
    )
    crosses = (
        base.transform_filter("!isValid(datum.value)")
        .mark_point(shape=CROSS, size=70, strokeWidth=2, color=SUPPRESSED_COLOUR)
        .encode(x=x, y=cross_row(SMALL_HEIGHT), tooltip=tooltip)
    )
    layers = [line, points, crosses]
    periods = target_periods(pd.DataFrame([goal]))
    if not periods.empty:
        period = periods.iloc[0]
        layers.append(
            published.mark_rule(color=TARGET_COLOUR, strokeDash=[4, 3]).encode(
                x=alt.datum(period["start_year"]),
                x2=alt.datum(period["due_year"]),
                y=alt.datum(float(period["target_value"])),
            )
        )
    return (
        alt.layer(*layers)
        .properties(width=180, height=SMALL_HEIGHT)
        .facet(
            facet=alt.Facet("region:N", title=None, header=alt.Header(labelLimit=200)), columns=4
        )
    )


def export_table(ranked: pd.DataFrame, goal: pd.Series) -> bytes:
    """The ranking as CSV: headers in the reader's language, values rounded to two
    decimals, formula-like text neutralised."""
    table = pd.DataFrame(
        {
            t("col.region_code"): ranked["region_code"],
            t("col.region"): ranked["region"],
            t("col.year"): ranked["year"].astype(int),
            t("col.value_unit", unit=pick(goal, "unit")): ranked["value"].round(2),
            t("col.quality"): ranked["quality"],
            t("col.reason"): ranked["reason"],
        }
    )
    return spreadsheet_safe(table).to_csv(index=False).encode("utf-8-sig")


REGION_TAB = "region_tab"  # the open tab's label, kept in the session across targets


def show_regions(conn: data.Published, goal: pd.Series, at: Level) -> None:
    """The regions below the level `at` (nothing when there are none), in three tabs of
    the same ranked values: the grid with its export, the ranking as bars, each region's
    trend. Only the open tab is built and sent; choosing another reruns the page. Sent to
    a hidden tab, the bars and a small chart per region of a province or the nation were
    still drawn by the browser on every choice of target: `kepu bench dashboard` at
    national scale, the target page's filter change took 0.75 s with the three one above
    the other, 0.57 s with all three sent to tabs, 0.44 s with the open tab alone. Each
    chart is converted once per publish, target, level and language."""
    frame = at.below
    if frame.empty:
        return
    year = int(frame["year"].max())
    ranked = ranking(frame[frame["year"] == year])
    chosen = (conn.key, goal["target_id"], at.path["region_code"].iloc[-1], current_language())
    st.subheader(t("drill.regions", year=year))
    grid, bars, trends = st.tabs(
        [t("drill.tab_grid"), t("drill.tab_ranking"), t("drill.trends")],
        key=REGION_TAB,
        on_change="rerun",
    )
    if grid.open:
        with grid:
            st.markdown(town_grid(ranked), unsafe_allow_html=True)
            st.download_button(
                t("drill.export"),
                data=export_table(ranked, goal),
                file_name=f"{goal['target_id']}-{year}.csv",
                mime="text/csv",
                key="region_export",
            )
    if bars.open:
        with bars:
            charts.show_once(
                ("ranking", *chosen),
                lambda: ranking_chart(ranked, goal),
                key="region_ranking",
                width="stretch",
            )
    if trends.open:
        with trends:
            charts.show_once(
                ("trends", *chosen), lambda: small_multiples(frame, goal), key="region_trends"
            )
            if frame["value"].isna().any():
                st.caption(t("drill.suppressed_note"))


def trend_chart(frame: pd.DataFrame, goal: pd.Series) -> alt.LayerChart:
    """One region's values by year with their interval, against the target over its period."""
    x = alt.X("year:Q", title=t("col.year"), axis=alt.Axis(format="d", tickMinStep=1), scale=YEARS)
    tooltip = year_tooltip(t("col.value"))
    y = alt.Y(
        "shown:Q",
        title=t("col.value_unit", unit=pick(goal, "unit")),
        scale=value_scale(zero=False),
    )
    layers = series_layers(frame, x, y, tooltip)
    layers += target_period_layers(target_periods(pd.DataFrame([goal])))
    return alt.layer(*layers).properties(height=TREND_HEIGHT)


def series_layers(frame: pd.DataFrame, x: alt.X, y: alt.Y, tooltip: list) -> list[alt.Chart]:
    """A series by year: its 95% intervals as bars, the published values as a line with
    points, and each suppressed year as an × with its reason, never a point at 0."""
    published = frame[frame["value"].notna()]
    layers: list[alt.Chart] = []
    band = published.dropna(subset=["ci_lower", "ci_upper"])
    if not band.empty:
        layers.append(
            alt.Chart(band)
            .mark_rule(color=BAR_COLOUR, opacity=0.4, size=3)
            .encode(x=x, y="ci_lower:Q", y2="ci_upper:Q")
        )
    layers += [
        alt.Chart(published).mark_line(color=BAR_COLOUR).encode(x=x, y=y, detail="segment:N"),
        alt.Chart(published)
        .mark_point(filled=True, size=60, color=BAR_COLOUR)
        .encode(x=x, y="shown:Q", tooltip=tooltip),
    ]
    suppressed = frame[frame["value"].isna()]
    if not suppressed.empty:
        layers.append(suppressed_marks(suppressed, x, SUPPRESSED_COLOUR, tooltip))
    return layers


@dataclass(frozen=True)
class Level:
    """Where the reader stands under a target: `path` the regions from the plan's down to
    the one whose regions below are ranked (region_code, region), `below` those regions'
    values with `with_display` columns (empty when the plan's region has none below)."""

    path: pd.DataFrame
    below: pd.DataFrame


def level(conn: data.Published, goal: pd.Series) -> Level:
    """The level the URL's region (`?region=`) puts the reader on: the regions below it
    when it has any with values (a province's prefectures, a county's towns), else the
    regions beside it (a town among its county's towns). A region not below the plan's
    is ignored: the plan's own region."""
    top = goal["region_code"]
    requested = st.query_params.get(REGION) or st.session_state.get(REGION) or top
    path = drill_data.region_path(conn, top, requested)
    if path.empty:
        path = drill_data.region_path(conn, top, top)
    below = drill_data.regions_below(conn, goal["indicator_code"], path["region_code"].iloc[-1])
    if below.empty and len(path) > 1:
        path = path.iloc[:-1]  # its regions below are regions_shown's
    path = path.assign(region=[pick(row, "region_name") for _, row in path.iterrows()])
    return Level(path, regions_shown(conn, goal, path["region_code"].iloc[-1], current_language()))


@data.cached
def regions_shown(
    conn: data.Published, goal: pd.Series, region_code: str, language: str
) -> pd.DataFrame:
    """The values of the regions below `region_code` (`drill_data.regions_below`) with
    `with_display` columns in `language` (the one `t` reads), worked out once per publish,
    target, region and language, not on every rerun: `with_display` names and labels the
    rows one by one in Python (a year's value per region below, years times regions)."""
    below = drill_data.regions_below(conn, goal["indicator_code"], region_code)
    return with_display(below, goal) if not below.empty else below


def choose_region(at: Level) -> str:
    """The regions on the path from the plan's region, then the regions below the last of
    them in rank order (at most MOST_REGION_CHOICES: the box sends every option on every
    rerun)."""
    names = dict(zip(at.path["region_code"], at.path["region"], strict=True))
    if not at.below.empty:
        year = at.below["year"].max()
        ranked = ranking(at.below[at.below["year"] == year]).head(data.MOST_REGION_CHOICES)
        names.update(zip(ranked["region_code"], ranked["region"], strict=True))
    return url_choice(REGION, t("drill.choose_region"), list(names), names.__getitem__)


def show_path(at: Level, goal: pd.Series) -> None:
    """The path from the plan's region to the ranked level, each step a link up to it."""
    steps = [
        anchor(
            TARGET_PAGE,
            row.region,
            **{PLAN: goal["plan_id"], TARGET: goal["target_id"], REGION: row.region_code},
        )
        for row in at.path.itertuples()
    ]
    st.markdown(t("drill.path", path=" › ".join(steps)), unsafe_allow_html=True)


def gap_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """The gap by survey year with its 95% interval as an error bar, 0 as a reference;
    a suppressed gap is an × with its reason."""
    x = alt.X("year:Q", title=t("col.year"), axis=alt.Axis(format="d", tickMinStep=1), scale=YEARS)
    tooltip = year_tooltip(t("col.gap"), alt.Tooltip("ci:N", title=t("col.ci")))
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#444444").encode(y="zero:Q")
    layers = [zero, *series_layers(frame, x, alt.Y("shown:Q", title=t("col.gap")), tooltip)]
    return alt.layer(*layers).properties(height=TREND_HEIGHT)


@st.fragment
def show_groups(region_code: str) -> None:
    """The gap between the groups of a breakdown over time, in the chosen region: a
    fragment, so choosing another breakdown redraws this chart only (it reads the
    publish in force, not the one of the run that drew the page)."""
    conn = data.connection()
    st.subheader(t("drill.groups"))
    dimensions = drill_data.gap_dimensions(conn, region_code)
    if not dimensions:
        st.info(t("drill.no_gaps"))
        return
    names = {d: code_label("gap_dimension", d) for d in data_order(dimensions)}
    dimension = url_choice(GROUP, t("drill.choose_group"), list(names), names.__getitem__)
    gaps = drill_data.group_gaps(conn, region_code, dimension)
    frame = gaps.assign(region_code=region_code)
    frame["shown"] = frame["value"].round(2)
    frame["text"] = [
        DASH if pd.isna(v) else t("format.points", value=f"{v:,.2f}") for v in frame["value"]
    ]
    frame["ci"] = [
        DASH if pd.isna(lo) else f"{lo:.2f} – {hi:.2f}"
        for lo, hi in zip(frame["ci_lower"], frame["ci_upper"], strict=True)
    ]
    frame = with_flags(frame)
    pair = gaps.iloc[-1]
    st.markdown(
        t(
            "drill.gap_pair",
            minuend=code_label("survey_group", pair["minuend"]),
            subtrahend=code_label("survey_group", pair["subtrahend"]),
        )
    )
    chosen = ("group_gap", conn.key, region_code, dimension, current_language())
    charts.show_once(chosen, lambda: gap_chart(frame), key="group_gap_chart", width="stretch")
    if frame["value"].isna().any():
        st.caption(t("drill.suppressed_note"))


def data_order(dimensions: list[str]) -> list[str]:
    """Breakdowns in the vocabulary's order (sex, urban/rural, …)."""
    order = vocabulary.codes("group_dimension")
    return sorted(dimensions, key=order.index)


def is_literacy(goal: pd.Series) -> bool:
    return goal["indicator_code"] == data.LITERACY_RATIO
