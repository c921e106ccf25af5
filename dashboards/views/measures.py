"""Measures: how far each responsible unit has carried out each measure of a plan (措施落实).

Qualitative plans (XX city's) set measures, not numbers. Every measure × responsible unit
pair has the status of its latest report (fct_measure_status), or "not reported" when the
unit never reported; the matrix shows all pairs at once, the counts sum them up, and one
measure opens into each unit's latest evidence and its full report history
(fct_measure_report).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

import vocabulary
from dashboards import data, i18n
from dashboards.i18n import code_label, department_list, localized, names_by_code, t

# The order and colours of codes.csv, which the Word and Excel assessment reports use too.
STATUSES = vocabulary.codes("measure_status")
STATUS_COLOURS = {code: f"#{vocabulary.colour('measure_status', code)}" for code in STATUSES}
MEASURE_COLUMNS = ["measure_no", "measure"]
# Streamlit draws rows 35 px high; tables this tall show every row without scrolling.
ROW_PIXELS = 35


def status_word(code: str) -> str:
    return code_label("measure_status", code)


def full_height(table: pd.DataFrame) -> int:
    return ROW_PIXELS * (len(table) + 1) + 3


def coloured(frame: pd.DataFrame, columns: list[str]) -> Styler:
    """The frame with every status word in `columns` on its status colour."""
    colours = {status_word(code): colour for code, colour in STATUS_COLOURS.items()}

    def background(word: object) -> str:
        return f"background-color: {colours[word]}; color: #000000" if word in colours else ""

    return frame.style.map(background, subset=columns)


def unit_order(status: pd.DataFrame) -> list[str]:
    """Units by how many measures they are responsible for, then by first appearance."""
    counts = Counter(status["department_name_zh"])
    first = list(dict.fromkeys(status["department_name_zh"]))
    return sorted(first, key=lambda unit: (-counts[unit], first.index(unit)))


def matrix(status: pd.DataFrame) -> pd.DataFrame:
    """One row per measure, one column per responsible unit (Chinese name as column id),
    the status word where the unit is responsible and nothing where it is not."""
    frame = localized(status, "title").assign(
        word=[status_word(code) for code in status["measure_status"]]
    )
    cells = frame.pivot(index="measure_id", columns="department_name_zh", values="word")
    heads = frame.drop_duplicates("measure_id").set_index("measure_id")
    table = pd.DataFrame(
        {"measure_no": heads["measure_no"], "measure": heads["title"]}, index=heads.index
    )
    table = table.join(cells[unit_order(status)].fillna(""))
    return table.sort_values("measure_no").reset_index(drop=True)


def show_matrix(
    status: pd.DataFrame, region: str, english_names: dict[tuple[str, str], str]
) -> None:
    st.subheader(t("measures.matrix"))
    table = matrix(status)
    units = [column for column in table.columns if column not in MEASURE_COLUMNS]
    config: dict[str, object] = {
        "measure_no": st.column_config.NumberColumn(t("col.measure_no"), format="%d", pinned=True),
        "measure": st.column_config.TextColumn(t("col.measure"), width="medium", pinned=True),
    }
    for unit in units:
        config[unit] = st.column_config.TextColumn(department_list(unit, region, english_names))
    st.dataframe(
        coloured(table, units),
        hide_index=True,
        column_config=config,
        height=full_height(table),
        key="measure_matrix",
    )
    st.caption(t("measures.matrix_note"))


def show_counts(status: pd.DataFrame) -> None:
    st.subheader(t("measures.counts"))
    counts = status["measure_status"].value_counts()
    for column, code in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        column.metric(status_word(code), int(counts.get(code, 0)))


def choose_measure(status: pd.DataFrame) -> str:
    heads = localized(status.drop_duplicates("measure_id"), "title")
    names = {row.measure_id: f"{row.measure_no}. {row.title}" for row in heads.itertuples()}
    return i18n.selectbox(
        t("measures.choose_measure"), list(names), format_func=names.__getitem__, key="measure"
    )


def show_latest(
    status: pd.DataFrame, region: str, english_names: dict[tuple[str, str], str]
) -> None:
    """Each responsible unit's latest status of the chosen measure with its evidence."""
    st.subheader(t("measures.latest"))
    table = pd.DataFrame(
        {
            "unit_name": [
                department_list(name, region, english_names)
                for name in status["department_name_zh"]
            ],
            "status": [status_word(code) for code in status["measure_status"]],
            "reporting_period": status["reporting_period"],
            "reported_on": status["reported_on"].dt.date,
            "evidence": status["evidence"],
            "document_ref": status["document_ref"].fillna(""),
            "report_count": status["report_count"],
        }
    )
    config: dict[str, object] = {column: t(f"col.{column}") for column in table.columns}
    config["evidence"] = st.column_config.TextColumn(t("col.evidence"), width="large")
    st.dataframe(
        coloured(table, ["status"]), hide_index=True, column_config=config, key="measure_latest"
    )


def show_history(
    reports: pd.DataFrame, region: str, english_names: dict[tuple[str, str], str]
) -> None:
    """Every report on the chosen measure, unit by unit, oldest period first."""
    st.subheader(t("measures.history"))
    if reports.empty:
        st.info(t("measures.no_history"))
        return
    table = pd.DataFrame(
        {
            "unit_name": [
                department_list(name, region, english_names)
                for name in reports["department_name_zh"]
            ],
            "reporting_period": reports["reporting_period"],
            "status": [status_word(code) for code in reports["measure_status"]],
            "evidence": reports["evidence"],
            "document_ref": reports["document_ref"].fillna(""),
            "reported_on": reports["reported_on"].dt.date,
        }
    )
    config: dict[str, object] = {column: t(f"col.{column}") for column in table.columns}
    config["evidence"] = st.column_config.TextColumn(t("col.evidence"), width="large")
    st.dataframe(
        coloured(table, ["status"]),
        hide_index=True,
        column_config=config,
        height=full_height(table),
        key="measure_history",
    )


def show_plan(conn: data.Published, plan: pd.Series) -> None:
    status = data.measure_status(conn, plan["plan_id"])
    region = plan["region_code"]
    english_names = data.department_names(conn)
    show_matrix(status, region, english_names)
    show_counts(status)
    measure_id = choose_measure(status)
    show_latest(status[status["measure_id"] == measure_id], region, english_names)
    show_history(data.measure_reports(conn, measure_id), region, english_names)


def render() -> None:
    conn = data.connection()
    plans = data.measure_plans(conn)
    if plans.empty:
        st.info(t("measures.no_measures"))
        return
    names = names_by_code(plans, "plan_id", "plan_name")
    plan_id = i18n.selectbox(
        t("measures.choose_plan"), list(names), format_func=names.__getitem__, key="measure_plan"
    )
    plan = plans.set_index("plan_id", drop=False).loc[plan_id]
    show_plan(conn, plan)


render()
