"""Overview: which plans are monitored, and what each one promises.

Leadership starts here: the plans with their periods and review points, then the targets
of one plan with baseline, target year, the departments in charge and the sentence of
the plan each target comes from. A plan without numeric targets shows its measures.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from dashboards import data
from dashboards.i18n import (
    code_label,
    column_labels,
    department_list,
    localized,
    names_by_code,
    t,
)

PLAN_COLUMNS = [
    "plan_id",
    "plan_name",
    "region_name",
    "period",
    "issued_on",
    "review_points",
    "target_count",
    "measure_count",
]
TARGET_COLUMNS = [
    "indicator",
    "kind",
    "target",
    "baseline_year",
    "baseline_value",
    "target_year",
    "lead_departments",
    "cooperating_departments",
    "source_quote",
    "note",
]
MEASURE_COLUMNS = ["measure_no", "measure_title", "measure_summary", "responsible_units"]


def period_text(start: int, end: int | None) -> str:
    """'2021–2025', or '2022–' for a plan that states no end year."""
    return f"{start}–{'' if pd.isna(end) else int(end)}"


def review_points(reviews: pd.DataFrame) -> dict[str, str]:
    """Each plan's review calendar as one line, e.g. '2023 中期评估；2025 总结评估'."""
    return {
        plan_id: t("list.separator").join(
            f"{row.review_year} {code_label('review_kind', row.review_kind)}"
            for row in group.itertuples()
        )
        for plan_id, group in reviews.groupby("plan_id", sort=False)
    }


def plan_table(plans: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    frame = localized(plans, "plan_name", "region_name")
    frame["period"] = [
        period_text(s, e) for s, e in zip(frame.period_start, frame.period_end, strict=True)
    ]
    frame["review_points"] = frame["plan_id"].map(review_points(reviews))
    return frame[PLAN_COLUMNS]


def target_table(targets: pd.DataFrame, english_names: dict[tuple[str, str], str]) -> pd.DataFrame:
    frame = localized(targets, "indicator_name", "target_label", "note")
    frame["indicator"] = frame["indicator_name"]
    frame["kind"] = [code_label("target_kind", kind) for kind in frame["target_kind"]]
    frame["target"] = frame["target_label"]
    for column in ("lead_departments", "cooperating_departments"):
        frame[column] = [
            department_list(names, region, english_names)
            for names, region in zip(frame[column], frame["region_code"], strict=True)
        ]
    return frame[TARGET_COLUMNS]


def measure_table(
    measures: pd.DataFrame, english_names: dict[tuple[str, str], str]
) -> pd.DataFrame:
    frame = localized(measures, "title", "summary")
    frame["measure_title"] = frame["title"]
    frame["measure_summary"] = frame["summary"]
    frame["responsible_units"] = [
        department_list(units, region, english_names)
        for units, region in zip(frame["responsible_units"], frame["region_code"], strict=True)
    ]
    return frame[MEASURE_COLUMNS]


def show_table(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True, column_config=column_labels(frame.columns))


def show_plan(conn: duckdb.DuckDBPyConnection, plan_id: str) -> None:
    """The targets of one plan, or its measures when it sets no numeric target."""
    english_names = data.department_names(conn)
    targets = data.plan_targets(conn, plan_id)
    measures = data.plan_measures(conn, plan_id)
    if not targets.empty:
        st.subheader(t("overview.targets"))
        show_table(target_table(targets, english_names))
    if not measures.empty:
        st.subheader(t("overview.measures"))
        show_table(measure_table(measures, english_names))
    if targets.empty and measures.empty:
        st.info(t("overview.no_targets"))


def render() -> None:
    conn = data.connection()
    st.title(t("page.overview"))
    plans = data.plans(conn)
    st.subheader(t("overview.plans"))
    show_table(plan_table(plans, data.plan_reviews(conn)))
    names = names_by_code(plans, "plan_id", "plan_name")
    plan_id = st.selectbox(
        t("overview.choose_plan"), list(names), format_func=names.__getitem__, key="plan"
    )
    show_plan(conn, plan_id)


render()
