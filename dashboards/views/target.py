"""Target detail: one goal of one plan, chosen in the URL (`?plan=…&target=…`).

The page a tile of the Overview opens, and the page a bookmark keeps: the verdict in
colour and words with its reason, the latest value against the target and the baseline,
the departments in charge, and every yearly value the verdict was judged on.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from dashboards import charts, data, drill, drill_data, status_data
from dashboards.formats import DASH, day, difference, goal_value, missing, quantity, whole
from dashboards.i18n import (
    code_label,
    column_labels,
    current_language,
    department_list,
    goal_indicator,
    goal_target,
    names_by_code,
    pick,
    reason_text,
    t,
)
from dashboards.links import PLAN, TARGET, anchor, url_choice
from dashboards.verdicts import badge

TARGET_GROUP = "target"


def goal_name(goal: pd.Series) -> str:
    """'<indicator>: <target>' for a quantitative target, the title for a task."""
    if goal["goal_group"] == TARGET_GROUP:
        return t(
            "detail.goal_name",
            indicator=goal_indicator(goal),
            target=goal_target(goal),
        )
    return pick(goal, "target_label")


def year_text(year: object) -> str:
    return DASH if pd.isna(year) else str(int(year))


def shortfall(goal: pd.Series) -> str:
    """How far a target past its due year fell short, in its unit, and the share reached;
    '' for a target met or not yet judged."""
    gap, share = goal["gap_to_target"], goal["share_achieved"]
    if goal["goal_group"] != TARGET_GROUP or missing(gap) or gap <= 0 or missing(share):
        return ""
    return t(
        "detail.shortfall",
        gap=difference(gap, goal["indicator_family"], pick(goal, "unit")),
        share=f"{share * 100:.1f}%",
    )


def show_verdict(goal: pd.Series) -> None:
    stage = code_label("verdict_stage", goal["verdict_stage"])
    st.markdown(
        f"{badge(goal['progress_status'])} <small>{escape(stage)}</small>",
        unsafe_allow_html=True,
    )
    # the shortfall in the indicator's unit says more than the reason's bare number
    short = shortfall(goal)
    reason = "" if short else reason_text(goal.to_dict(), "status_reason")
    for line in (reason, short):
        if line:
            st.markdown(escape(line))


def show_numbers(goal: pd.Series) -> None:
    """Latest value, target and baseline (or units done for a task), side by side."""
    left, middle, right = st.columns(3)
    if goal["goal_group"] != TARGET_GROUP:
        left.metric(t("detail.units_done"), whole(goal["completed_pairs"]))
        middle.metric(t("detail.units_in_charge"), whole(goal["measure_unit_pairs"]))
        right.metric(t("detail.units_not_reported"), whole(goal["not_reported_pairs"]))
        return
    left.metric(
        t("detail.latest", year=year_text(goal["latest_year"])), goal_value(goal, "latest_value")
    )
    middle.metric(t("detail.target", year=year_text(goal["target_year"])), goal_target(goal))
    right.metric(
        t("detail.baseline", year=year_text(goal["baseline_year"])),
        goal_value(goal, "baseline_value"),
    )


def series_table(series: pd.DataFrame, goal: pd.Series) -> pd.DataFrame:
    """The yearly values in the indicator's unit, with whether each year met the target."""
    family, unit = goal["indicator_family"], pick(goal, "unit")
    return pd.DataFrame(
        {
            "year": series["year"].astype(int).astype(str),
            "value": [quantity(value, family, unit) for value in series["value"]],
            "year_status": [
                code_label("year_outcome", "not_assessed")
                if not in_period
                else DASH
                if pd.isna(met)
                else code_label("year_outcome", "met" if met else "missed")
                for in_period, met in zip(series["is_in_period"], series["is_met"], strict=True)
            ],
            "quality_flag": [
                DASH if pd.isna(flag) else code_label("quality_flag", flag)
                for flag in series["quality_flag"]
            ],
        }
    )


def show_series(series: pd.DataFrame, goal: pd.Series, chosen: tuple) -> None:
    """The region's values as a chart against the target over its period, then a table."""
    if series.empty or series["value"].isna().all():
        st.info(t("target.no_values"))
        if series.empty:
            return
    else:
        charts.show_once(
            chosen,
            lambda: drill.trend_chart(drill.with_display(series, goal), goal),
            key="target_trend",
            width="stretch",
        )
    table = series_table(series, goal)
    st.dataframe(table, hide_index=True, column_config=column_labels(table.columns))


def show_drill(conn, goal: pd.Series) -> None:
    """Target → region → group: the chosen region's values, the regions below it down the
    hierarchy (province → prefecture → county → town), and for a literacy target the gaps
    between groups in the chosen region."""
    at = drill.level(conn, goal)
    region = drill.choose_region(at)
    st.subheader(t("detail.series"))
    chosen = ("target_trend", conn.key, goal["target_id"], region, current_language())
    if region == goal["region_code"]:
        show_series(status_data.target_series(conn, goal["target_id"]), goal, chosen)
    else:
        values = drill_data.region_values(conn, goal["indicator_code"], region)
        charts.show_once(
            chosen,
            lambda: drill.trend_chart(drill.with_display(values, goal), goal),
            key="target_trend",
            width="stretch",
        )
    drill.show_path(at, goal)
    drill.show_regions(conn, goal, at)
    if drill.is_literacy(goal):
        drill.show_groups(region)


def show_goal(conn, goal: pd.Series) -> None:
    st.header(goal_name(goal))
    show_verdict(goal)
    show_numbers(goal)
    st.caption(t("detail.as_of", date=day(goal["as_of_date"])))
    departments = department_list(
        goal["lead_departments"], goal["region_code"], data.department_names(conn)
    )
    if departments:
        st.markdown(t("target.lead", names=departments))
    if goal["goal_group"] == TARGET_GROUP:
        show_drill(conn, goal)
    st.markdown(anchor("", t("detail.back"), **{PLAN: goal["plan_id"]}), unsafe_allow_html=True)


def render() -> None:
    conn = data.connection()
    plans = data.plans(conn)
    if plans.empty:
        st.info(t("app.no_plans"))
        return
    goals = status_data.goal_status(conn)
    names = names_by_code(plans, "plan_id", "plan_name")
    plan_id = url_choice(PLAN, t("overview.choose_plan"), list(names), names.__getitem__)
    plan_goals = goals[goals.plan_id == plan_id].set_index("target_id", drop=False)
    if plan_goals.empty:
        st.info(t("overview.no_targets"))
        return
    labels = {target_id: goal_name(goal) for target_id, goal in plan_goals.iterrows()}
    target_id = url_choice(TARGET, t("detail.choose_target"), list(labels), labels.__getitem__)
    show_goal(conn, plan_goals.loc[target_id])


render()
