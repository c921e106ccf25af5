"""Scientific literacy: the literacy ratio (公民具备科学素质的比例) against plan targets, by
group, and the gaps between groups.

Every number here is a survey estimate, so each comes with its 95% interval and its flag
under the NCHS presentation standard for proportions. The page reads the published values
(fct_indicator_value), in which a suppressed estimate has no number: it is a break in the
line, a cross on the axis and a dash in the table, with its reason. A flagged or reviewed
estimate is drawn with its own marker and printed with a mark that a footnote explains.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import vocabulary
from dashboards import charts, data, i18n
from dashboards.charts import (
    CROSS,
    CROSS_SIZE,
    MAX_LINES,
    YEARS,
    cross_row,
    fewest_lines,
    target_period_layers,
    target_periods,
    value_scale,
)
from dashboards.formats import DASH, fitted_width, whole
from dashboards.i18n import (
    code_label,
    column_labels,
    current_language,
    names_by_code,
    pick,
    reason_text,
    t,
)

WHOLE_POPULATION = data.WHOLE_POPULATION
# The survey breakdowns; `cumulative` is the running-total series of count targets.
DIMENSIONS = tuple(code for code in vocabulary.codes("group_dimension") if code != "cumulative")
# Groups in their natural order (by age, by schooling), not alphabetically.
GROUP_ORDER = vocabulary.codes("survey_group")
# Markers of the published quality flags; a suppressed value has no marker, only an ×.
QUALITY_SHAPES = {"present": "circle", "flag": "triangle-up", "review": "square"}
SUPPRESS = "suppress"
MARKS = {"flag": "*", "review": "†"}
NUMBER_COLUMNS = ["standard_error", "ci", "df", "sample_size", "design_effect"]
# No red or orange: those are the target and the baseline.
GROUP_COLOURS = (
    "#1f77b4",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
)
TARGET_COLOUR = "#d62728"
BASELINE_COLOUR = "#ff7f0e"
RULE_CHANGE_COLOUR = "#888888"
YEAR_AXIS = alt.Axis(format="d", tickMinStep=1)
TREND_HEIGHT = 400
GAP_HEIGHT = 320


def fixed(value: float) -> str:
    return DASH if pd.isna(value) else f"{value:.2f}"


def interval(lower: float, upper: float) -> str:
    return DASH if pd.isna(lower) or pd.isna(upper) else f"{lower:.2f} – {upper:.2f}"


def marked(value: float, flag: str) -> str:
    """The value to 2 decimals with the mark of its flag, e.g. '24.90*'."""
    return DASH if pd.isna(value) else f"{value:.2f}{MARKS.get(flag, '')}"


def group_name(value: str) -> str:
    """A survey group's word (a survey_group code)."""
    return code_label("survey_group", value)


def by_group_order(values: pd.DataFrame) -> pd.DataFrame:
    rank = {group: position for position, group in enumerate(GROUP_ORDER)}
    order = values["group_value"].map(rank).fillna(len(rank))
    return values.assign(group_rank=order).sort_values(["year", "group_rank", "group_value"])


def display_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """What tooltips show: the value rounded as in the table, the interval as text, the flag
    and its reason in the reader's language."""
    return frame.assign(
        shown=frame["value"].round(2),
        ci=[interval(lo, hi) for lo, hi in zip(frame["ci_lower"], frame["ci_upper"], strict=True)],
        quality=[code_label("quality_flag", flag) for flag in frame["quality_flag"]],
        reason=[reason_text(row, "quality_reason") for row in frame.to_dict("records")],
    )


def with_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """Number the runs of published values in each series, so that a suppressed year breaks
    the line rather than being bridged by it."""
    suppressed = frame["value"].isna()
    return frame.assign(segment=suppressed.groupby(frame["series"]).cumsum())


def palette(series: list[str], extra: dict[str, str]) -> alt.Scale:
    """A colour per series, then the fixed colours of target and baseline."""
    colours = [GROUP_COLOURS[i % len(GROUP_COLOURS)] for i in range(len(series))]
    return alt.Scale(domain=[*series, *extra], range=[*colours, *extra.values()])


def shape_scale(published: pd.DataFrame) -> alt.Shape:
    """A marker shape per quality flag of the published values, listing only those drawn."""
    drawn = set(published["quality_flag"])
    flags = [flag for flag in vocabulary.codes("quality_flag") if flag in drawn]
    scale = alt.Scale(
        domain=[code_label("quality_flag", flag) for flag in flags],
        range=[QUALITY_SHAPES[flag] for flag in flags],
    )
    return alt.Shape("quality:N", scale=scale, title=t("col.quality"))


def with_legends_below(chart: alt.LayerChart) -> alt.LayerChart:
    """Legends under the plot, where ten occupations and the quality markers fit; symbols
    opaque, as the legend otherwise takes them from the first layer, the pale band."""
    return chart.configure_legend(orient="bottom", columns=4, labelLimit=320, symbolOpacity=1)


def trend_layers(
    frame: pd.DataFrame, colour: alt.Color, value_title: str, group_title: str
) -> list[alt.Chart]:
    """Line, markers by quality, and an × in the plot's bottom strip (`value_scale`, never
    at a value of 0) for each suppressed value (explained in a note: a legend cannot show a
    stroked × beside filled markers)."""
    x = alt.X("year:Q", title=t("col.year"), axis=YEAR_AXIS, scale=YEARS)
    head = [
        alt.Tooltip("year:Q", title=t("col.year"), format="d"),
        alt.Tooltip("series:N", title=group_title),
    ]
    published = frame[frame["value"].notna()]
    suppressed = frame[frame["value"].isna()]
    shape = shape_scale(published)
    line = (
        alt.Chart(published)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("shown:Q", title=value_title, scale=value_scale(zero=False)),
            color=colour,
            detail="segment:N",
        )
    )
    points = (
        alt.Chart(published)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=x,
            y="shown:Q",
            color=colour,
            shape=shape,
            tooltip=[
                *head,
                alt.Tooltip("shown:Q", title=value_title, format=".2f"),
                alt.Tooltip("ci:N", title=t("col.ci")),
                alt.Tooltip("quality:N", title=t("col.quality")),
                alt.Tooltip("reason:N", title=t("col.reason")),
            ],
        )
    )
    crosses = (
        alt.Chart(suppressed)
        .mark_point(shape=CROSS, size=CROSS_SIZE, strokeWidth=2, opacity=1)
        .encode(
            x=x,
            y=cross_row(),
            color=colour,
            tooltip=[
                *head,
                alt.Tooltip("quality:N", title=t("col.quality")),
                alt.Tooltip("reason:N", title=t("col.reason")),
            ],
        )
    )
    return [line, points, crosses]


def ci_band(frame: pd.DataFrame, colour: alt.Color) -> alt.Chart:
    """The 95% logit interval as a shaded band, broken where the line is."""
    return (
        alt.Chart(frame.dropna(subset=["ci_lower", "ci_upper"]))
        .mark_area(opacity=0.18)
        .encode(
            x="year:Q",
            y="ci_lower:Q",
            y2="ci_upper:Q",
            color=colour,
            detail="segment:N",
        )
    )


def baseline_layers(baselines: pd.DataFrame, colour: alt.Color) -> list[alt.Chart]:
    """A diamond at each baseline the registry gives, with its value as a label."""
    frame = baselines.assign(
        series=t("literacy.baseline"), baseline_year=baselines["baseline_year"].astype("float")
    )
    frame["label"] = [
        t("literacy.baseline_label", value=value, year=int(year))
        for value, year in zip(frame["baseline_value"], frame["baseline_year"], strict=True)
    ]
    base = alt.Chart(frame)
    point = base.mark_point(shape="diamond", size=170, filled=True, opacity=1).encode(
        x="baseline_year:Q",
        y="baseline_value:Q",
        color=colour,
        tooltip=[alt.Tooltip("label:N", title=t("literacy.baseline"))],
    )
    text = base.mark_text(align="left", dx=10, dy=14, color=BASELINE_COLOUR).encode(
        x="baseline_year:Q", y="baseline_value:Q", text="label:N"
    )
    return [point, text]


def rule_change_layers(years: list[int]) -> list[alt.Chart]:
    """A dotted vertical line at each survey year whose literacy rule differs from before."""
    base = alt.Chart(pd.DataFrame({"year": years, "label": t("literacy.rule_change")}))
    rule = base.mark_rule(strokeDash=[2, 3], color=RULE_CHANGE_COLOUR).encode(x="year:Q")
    text = base.mark_text(align="left", dx=4, dy=8, color=RULE_CHANGE_COLOUR).encode(
        x="year:Q", y=alt.value(0), text="label:N"
    )
    return [rule, text]


def estimate_frame(values: pd.DataFrame, dimension: str) -> pd.DataFrame:
    frame = display_columns(by_group_order(values))
    if dimension == WHOLE_POPULATION:
        frame["series"] = t("literacy.series")
    else:
        frame["series"] = [group_name(group) for group in frame["group_value"]]
    return with_segments(frame)


def trend_chart(
    frame: pd.DataFrame,
    targets: pd.DataFrame,
    dimension: str,
    rule_changes: list[int],
    subtitle: str = "",
) -> alt.LayerChart:
    """The literacy ratio by survey year against the plan's target and baseline;
    `subtitle` says which groups are drawn when not all of them are."""
    baselines = targets.dropna(subset=["baseline_year", "baseline_value"])
    periods = target_periods(targets)
    extra = {}
    if not periods.empty:
        extra[t("literacy.target")] = TARGET_COLOUR
    if not baselines.empty:
        extra[t("literacy.baseline")] = BASELINE_COLOUR
    series = list(dict.fromkeys(frame["series"]))
    colour = alt.Color("series:N", scale=palette(series, extra), title=None)
    value_title = t("col.estimate")
    group_title = t("col.group")
    layers = [ci_band(frame, colour)] if dimension == WHOLE_POPULATION else []
    layers += trend_layers(frame, colour, value_title, group_title)
    if rule_changes:
        layers += rule_change_layers(rule_changes)
    layers += target_period_layers(periods, colour, t("literacy.target"))
    if not baselines.empty:
        layers += baseline_layers(baselines, colour)
    title = t("literacy.trend_title")
    if subtitle:
        title = alt.TitleParams(title, subtitle=subtitle)
    chart = alt.layer(*layers).properties(title=title, height=TREND_HEIGHT)
    return with_legends_below(chart)


def estimate_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Year, group, estimate (with its flag's mark), quality and reason, then SE, CI, df, n
    and design effect; a suppressed estimate has a dash in every number column. The flag
    and its reason sit beside the estimate, where a narrow window still shows them."""
    frame = frame.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "year": frame["year"],
            "group": [group_name(group) for group in frame["group_value"]],
            "estimate": [
                marked(value, flag)
                for value, flag in zip(frame["value"], frame["quality_flag"], strict=True)
            ],
            "quality": frame["quality"],
            "reason": frame["reason"],
            "standard_error": frame["standard_error"].map(fixed),
            "ci": frame["ci"],
            "df": frame["degrees_of_freedom"].map(whole),
            "sample_size": frame["sample_size"].map(whole),
            "design_effect": frame["design_effect"].map(fixed),
        }
    )
    suppressed = frame["quality_flag"] == SUPPRESS
    table.loc[suppressed, ["estimate", *NUMBER_COLUMNS]] = DASH
    return table


def show_table(table: pd.DataFrame, flags: pd.Series) -> None:
    """The table, then a footnote for each mark it uses. The reason column only when a row
    has one: empty, it would only push the numbers out of view."""
    if not table["reason"].any():
        table = table.drop(columns="reason")
    config: dict[str, object] = column_labels(table.columns)
    # Names of groups and reasons are long; the grid would otherwise cut them short.
    for column in ("group", "comparison", "pair"):
        if column in table.columns:
            width = fitted_width(table[column])
            config[column] = st.column_config.TextColumn(t(f"col.{column}"), width=width)
    if "reason" in table.columns:
        config["reason"] = st.column_config.TextColumn(t("col.reason"), width="large")
    st.dataframe(table, hide_index=True, column_config=config)
    for flag in MARKS:
        if (flags == flag).any():
            st.caption(t(f"literacy.footnote_{flag}"))


def rule_changes(waves: pd.DataFrame) -> list[int]:
    """Survey years whose literacy rule differs from the wave before."""
    previous = waves["rule_id"].shift()
    changed = previous.notna() & waves["rule_id"].ne(previous)
    return [int(year) for year in waves.loc[changed, "year"]]


def year_runs(years: list[int]) -> str:
    """Survey years with consecutive ones joined: [2016, 2018, 2019, 2020] → '2016、2018–2020'."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return t("literacy.year_separator").join(
        f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs
    )


def method_caption(waves: pd.DataFrame, values: pd.DataFrame) -> str:
    """The rule of each wave, how the estimates and their intervals were computed (the
    interval methods of the values shown) and how strata with a single PSU were handled."""
    rules = [
        t(
            "literacy.rule_years",
            rule=pick(group.iloc[0], "rule_name"),
            years=year_runs([int(y) for y in group["year"]]),
        )
        for _, group in waves.groupby("rule_id", sort=False)
    ]
    used = set(values["ci_method"].dropna())
    intervals = [
        code_label("ci_method", code) for code in vocabulary.codes("ci_method") if code in used
    ]
    lonely = sorted(
        {value for joined in waves["lonely_psu"].dropna() for value in joined.split(", ")}
    )
    return t(
        "literacy.method",
        rules=t("list.separator").join(rules),
        ci=t("list.separator").join(intervals),
        lonely=t("list.separator").join(code_label("lonely_psu", code) for code in lonely),
    )


def gap_frame(gaps: pd.DataFrame) -> pd.DataFrame:
    rank = {dimension: position for position, dimension in enumerate(DIMENSIONS)}
    frame = gaps.rename(columns={"gap": "value"})
    frame = frame.assign(dimension_rank=frame["group_dimension"].map(rank))
    frame = display_columns(frame.sort_values(["year", "dimension_rank"]))
    frame["series"] = [
        code_label("gap_dimension", dimension) for dimension in frame["group_dimension"]
    ]
    frame["pair"] = [
        f"{group_name(minuend)} − {group_name(subtrahend)}"
        for minuend, subtrahend in zip(frame["minuend"], frame["subtrahend"], strict=True)
    ]
    return with_segments(frame)


def gap_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Each comparison's gap by survey year, with its 95% interval as an error bar."""
    series = list(dict.fromkeys(frame["series"]))
    colour = alt.Color("series:N", scale=palette(series, {}), title=None)
    value_title = t("col.gap")
    bars = (
        alt.Chart(frame.dropna(subset=["ci_lower", "ci_upper"]))
        .mark_rule(size=2, opacity=0.6)
        .encode(x="year:Q", y="ci_lower:Q", y2="ci_upper:Q", color=colour)
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#444444").encode(y="zero:Q")
    layers = [
        zero,
        bars,
        *trend_layers(frame, colour, value_title, t("col.comparison")),
    ]
    chart = alt.layer(*layers).properties(title=t("literacy.gap_title"), height=GAP_HEIGHT)
    return with_legends_below(chart)


def gap_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Year, comparison, the two groups, gap (with its flag's mark), quality and reason, then
    SE, CI, df and n; a suppressed gap has a dash in every number column."""
    frame = frame.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "year": frame["year"],
            "comparison": frame["series"],
            "pair": frame["pair"],
            "gap": [
                marked(value, flag)
                for value, flag in zip(frame["value"], frame["quality_flag"], strict=True)
            ],
            "quality": frame["quality"],
            "reason": frame["reason"],
            "standard_error": frame["standard_error"].map(fixed),
            "ci": frame["ci"],
            "df": frame["degrees_of_freedom"].map(whole),
            "sample_size": frame["sample_size"].map(whole),
        }
    )
    suppressed = frame["quality_flag"] == SUPPRESS
    table.loc[suppressed, ["gap", "standard_error", "ci", "df", "sample_size"]] = DASH
    return table


@data.cached
def show_estimates(conn: data.Published, region: str, dimension: str, language: str) -> None:
    """The estimates of one region and breakdown in the reader's `language` (the one `t`
    reads): chart, captions and table drawn once per publish and selection, then replayed
    by Streamlit's cache (no chart converted to its spec again: at national size that was
    most of a rerun)."""
    values = data.literacy_values(conn, region, dimension)
    if values.empty:
        st.info(t("literacy.no_values"))
        return
    waves = data.literacy_waves(conn, region)
    targets = data.indicator_targets(conn, data.LITERACY_RATIO, region)
    changes = rule_changes(waves)
    frame = estimate_frame(values, dimension)
    if frame["value"].notna().any():
        drawn = fewest_lines(frame, "series")
        groups = frame["series"].nunique()
        subtitle = t("literacy.top_bottom", n=MAX_LINES // 2, total=groups)
        chart = trend_chart(
            frame[frame["series"].isin(drawn)],
            targets,
            dimension,
            changes,
            subtitle if groups > len(drawn) else "",
        )
        charts.show(chart, width="stretch", key="literacy_chart")
        if (frame["quality_flag"] == SUPPRESS).any():
            st.caption(t("literacy.suppressed_note"))
    else:
        st.info(t("literacy.nothing_publishable"))
    if changes:
        st.caption(
            t("literacy.rule_changed", year=t("literacy.year_separator").join(map(str, changes)))
        )
    st.caption(method_caption(waves, values))
    st.subheader(t("literacy.estimates"))
    show_table(estimate_table(frame), frame["quality_flag"])


@data.cached
def show_gaps(conn: data.Published, region: str, language: str) -> None:
    """The gaps between groups in one region, drawn once per publish, region and
    `language` (see `show_estimates`)."""
    st.subheader(t("literacy.gaps"))
    gaps = data.literacy_gaps(conn, region)
    if gaps.empty:
        st.info(t("literacy.no_gaps"))
        return
    frame = gap_frame(gaps)
    if frame["value"].notna().any():
        charts.show(gap_chart(frame), width="stretch", key="literacy_gap_chart")
        if (frame["quality_flag"] == SUPPRESS).any():
            st.caption(t("literacy.suppressed_note"))
    else:
        st.info(t("literacy.nothing_publishable"))
    st.caption(t("literacy.gap_method"))
    show_table(gap_table(frame), frame["quality_flag"])


def choose_region(regions: pd.DataFrame) -> str:
    """Regions with estimates; the first one a plan sets a literacy target for comes first."""
    names = names_by_code(regions, "region_code", "region_name")
    targeted = [i for i, has in enumerate(regions["has_target"]) if has]
    return i18n.selectbox(
        t("literacy.choose_region"),
        list(names),
        index=targeted[0] if targeted else 0,
        format_func=names.__getitem__,
        key="literacy_region",
    )


def choose_dimension() -> str:
    names = {dimension: code_label("group_dimension", dimension) for dimension in DIMENSIONS}
    return i18n.selectbox(
        t("literacy.choose_dimension"),
        list(names),
        format_func=names.__getitem__,
        key="group_dimension",
    )


def render() -> None:
    conn = data.connection()
    regions = data.indicator_regions(conn, data.LITERACY_RATIO)
    if regions.empty:
        st.info(t("literacy.no_values"))
        return
    left, right = st.columns(2)
    with left:
        region = choose_region(regions)
    with right:
        dimension = choose_dimension()
    show_estimates(conn, region, dimension, current_language())
    show_gaps(conn, region, current_language())


render()
