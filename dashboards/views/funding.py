"""Funding: per-capita science funding (人均科普经费) against plan targets, and its sources.

Per-capita figures are only comparable when the reader knows what was divided by what,
so the page states the indicator's numerator and denominator and shows both beside each
value. The target and baseline come from the plan registry, matched to the values by
indicator and region.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import vocabulary
from dashboards import charts, data, i18n
from dashboards.charts import target_period_layers, target_periods
from dashboards.i18n import code_label, column_labels, names_by_code, pick, t

# Total is the sum of the other sources, and the special fund is a part of the government
# appropriation: stacking either would count money twice.
NOT_STACKED = ("total", "special_fund")
STACK_ORDER = tuple(code for code in vocabulary.codes("funding_source") if code not in NOT_STACKED)
SERIES_COLOURS = {
    "funding.value": "#1f77b4",
    "funding.baseline": "#ff7f0e",
    "funding.target": "#d62728",
}
YEAR_AXIS = alt.Axis(format="d", tickMinStep=1)


def ratio_caption(indicator: pd.Series) -> str:
    """'分子：科普专项经费；分母：户籍人口' from the indicator's registry definition. The
    numerator is one of the funding sources (total or special fund) and named as such."""
    return t(
        "funding.ratio",
        numerator=code_label("funding_source", indicator["funding_numerator"]),
        denominator=code_label("population_denominator", indicator["population_denominator"]),
    )


def series_colour(keys: list[str]) -> alt.Color:
    """A colour per series drawn (value, target, baseline), named in the legend."""
    scale = alt.Scale(domain=[t(key) for key in keys], range=[SERIES_COLOURS[key] for key in keys])
    return alt.Color("series:N", scale=scale, title=None)


def value_layer(values: pd.DataFrame, unit: str, colour: alt.Color) -> alt.Chart:
    frame = values.assign(series=t("funding.value"), per_capita=values["value"].round(2))
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title=t("col.year"), axis=YEAR_AXIS),
            y=alt.Y("per_capita:Q", title=unit),
            color=colour,
            tooltip=[
                alt.Tooltip("year:Q", title=t("col.year"), format="d"),
                alt.Tooltip("per_capita:Q", title=unit, format=".2f"),
            ],
        )
    )


def baseline_layers(baselines: pd.DataFrame, colour: alt.Color) -> list[alt.Chart]:
    """A point at each baseline the registry gives, with its value as a label."""
    frame = baselines.assign(
        series=t("funding.baseline"), baseline_year=baselines["baseline_year"].astype("float")
    )
    frame["label"] = [
        t("funding.baseline_label", value=value, year=int(year))
        for value, year in zip(frame["baseline_value"], frame["baseline_year"], strict=True)
    ]
    base = alt.Chart(frame)
    point = base.mark_point(shape="diamond", size=160, filled=True).encode(
        x="baseline_year:Q",
        y="baseline_value:Q",
        color=colour,
        tooltip=[alt.Tooltip("label:N", title=t("funding.baseline"))],
    )
    text = base.mark_text(
        align="left", dx=8, dy=12, color=SERIES_COLOURS["funding.baseline"]
    ).encode(x="baseline_year:Q", y="baseline_value:Q", text="label:N")
    return [point, text]


def per_capita_chart(values: pd.DataFrame, targets: pd.DataFrame, unit: str) -> alt.LayerChart:
    """Yearly per-capita values, with the plan's targets and baselines where it gives them."""
    baselines = targets.dropna(subset=["baseline_year", "baseline_value"])
    periods = target_periods(targets)
    keys = ["funding.value"]
    keys += ["funding.target"] if not periods.empty else []
    keys += ["funding.baseline"] if not baselines.empty else []
    colour = series_colour(keys)
    layers = [value_layer(values, unit, colour)]
    layers += target_period_layers(periods, colour, t("funding.target"))
    if not baselines.empty:
        layers += baseline_layers(baselines, colour)
    return alt.layer(*layers).properties(title=t("funding.per_capita_title"), height=360)


def value_table(values: pd.DataFrame) -> pd.DataFrame:
    """Numerator in 万元 and denominator in 万人 (as the returns report them), and the ratio
    to 2 decimals; rounded, so that no float noise reaches a reader or an export."""
    return pd.DataFrame(
        {
            "year": values["year"],
            "numerator": (values["numerator_value"] / 10_000).round(2),
            "denominator": (values["denominator_value"] / 10_000).round(2),
            "per_capita": values["value"].round(2),
            "quality": [code_label("quality_flag", flag) for flag in values["quality_flag"]],
        }
    )


def show_value_table(values: pd.DataFrame) -> None:
    table = value_table(values)
    config: dict[str, object] = column_labels(table.columns)
    config["year"] = st.column_config.NumberColumn(t("col.year"), format="%d")
    for column in ("numerator", "denominator"):
        config[column] = st.column_config.NumberColumn(t(f"col.{column}"), format="%.2f")
    config["per_capita"] = st.column_config.NumberColumn(t("col.per_capita"), format="%.2f")
    st.dataframe(table, hide_index=True, column_config=config)


def source_frame(funding: pd.DataFrame) -> pd.DataFrame:
    """Funding rows with the source named in the reader's language and a stacking order."""
    return funding.assign(
        source=[code_label("funding_source", code) for code in funding["funding_source"]],
        stack_order=[
            STACK_ORDER.index(code) if code in STACK_ORDER else len(STACK_ORDER)
            for code in funding["funding_source"]
        ],
    )


def source_chart(funding: pd.DataFrame) -> alt.LayerChart:
    """Stacked components of the funding, with the special fund drawn as a line over them."""
    frame = source_frame(funding)
    stacked = frame[~frame["funding_source"].isin(NOT_STACKED)]
    special = frame[frame["funding_source"] == "special_fund"]
    drawn = frame[frame["funding_source"] != "total"].sort_values(["stack_order", "source"])
    domain = list(dict.fromkeys(drawn["source"]))
    colour = alt.Color(
        "source:N", scale=alt.Scale(domain=domain, scheme="tableau10"), title=t("col.source")
    )
    amount = t("col.amount_10k")
    tooltip = [
        alt.Tooltip("year:O", title=t("col.year")),
        alt.Tooltip("source:N", title=t("col.source")),
        alt.Tooltip("amount_10k_yuan:Q", title=amount, format=",.2f"),
    ]
    bars = (
        alt.Chart(stacked)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("col.year")),
            y=alt.Y("amount_10k_yuan:Q", stack="zero", title=amount),
            color=colour,
            order=alt.Order("stack_order:Q"),
            tooltip=tooltip,
        )
    )
    line = (
        alt.Chart(special)
        .mark_line(point=True, strokeDash=[4, 2])
        .encode(x="year:O", y="amount_10k_yuan:Q", color=colour, tooltip=tooltip)
    )
    return alt.layer(bars, line).properties(title=t("funding.by_source"), height=360)


def show_indicator(conn: data.Published, indicator: pd.Series, region: str) -> None:
    """Chart, caption and table of one per-capita indicator in one region."""
    values = data.indicator_values(conn, indicator["indicator_code"], region)
    if values.empty:
        st.info(t("funding.no_values"))
        return
    targets = data.indicator_targets(conn, indicator["indicator_code"], region)
    chart = per_capita_chart(values, targets, pick(indicator, "unit"))
    charts.show(chart, width="stretch", key="per_capita_chart")
    st.caption(ratio_caption(indicator))
    st.caption(pick(indicator, "definition"))
    st.subheader(t("funding.values"))
    show_value_table(values)


def show_sources(conn: data.Published, region: str) -> None:
    funding = data.funding_by_source(conn, region)
    if funding.empty:
        st.info(t("funding.no_sources"))
        return
    charts.show(source_chart(funding), width="stretch", key="source_chart")
    st.caption(t("funding.special_fund_note"))


def choose_region(regions: pd.DataFrame) -> str:
    """Regions with values; the first one a plan sets a target for comes up first."""
    names = names_by_code(regions, "region_code", "region_name")
    targeted = [i for i, has in enumerate(regions["has_target"]) if has]
    return i18n.selectbox(
        t("funding.choose_region"),
        list(names),
        index=targeted[0] if targeted else 0,
        format_func=names.__getitem__,
        key="region",
    )


def choose_indicator(indicators: pd.DataFrame) -> pd.Series:
    """The per-capita funding indicator the reader picks, as its registry row."""
    names = names_by_code(indicators, "indicator_code", "indicator_name")
    code = i18n.selectbox(
        t("funding.choose_indicator"), list(names), format_func=names.__getitem__, key="indicator"
    )
    return indicators.set_index("indicator_code", drop=False).loc[code]


def render() -> None:
    conn = data.connection()
    indicators = data.funding_indicators(conn)
    if indicators.empty:
        st.info(t("funding.no_values"))
        return
    left, right = st.columns(2)
    with left:
        indicator = choose_indicator(indicators)
    regions = data.indicator_regions(conn, indicator["indicator_code"])
    if regions.empty:
        st.info(t("funding.no_values"))
        return
    with right:
        region = choose_region(regions)
    show_indicator(conn, indicator, region)
    show_sources(conn, region)


render()
