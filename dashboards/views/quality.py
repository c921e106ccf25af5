"""Data quality: what was offered to the warehouse, what it accepted and what it refused.

For statisticians. Every file × sheet the loader was given is a row of fct_load_outcome
with its outcome (accepted, superseded by a later load, or refused) and row counts (rows
read, accepted, left out under `--accept-valid-rows`); the page counts them, draws the
files received per year by outcome, sums the rows per table and lists every load. Then
every located problem (fct_load_problem, in the sentence `kepu ingest` prints), the
checks of the build that published the snapshot (Great Expectations suites and dbt
tests), and the units that have not reported for their plan's current period. The date a
file was received is the 报送日期 of its 说明 sheet (else the load date).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import vocabulary
from dashboards import charts, data, quality_data
from dashboards.formats import DASH, day, fitted_width, table_name, whole
from dashboards.i18n import code_label, column_labels, current_language, localized, t
from ingest import problems

LOAD_COLUMNS = [
    "load_id",
    "file_name",
    "sheet_name",
    "table",
    "load_outcome",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "received_on",
    "loaded_at",
]
COUNT_COLUMNS = ["rows_read", "rows_accepted", "rows_rejected"]
LOADS_HEIGHT = 420  # about a dozen rows; the table scrolls
PROBLEMS_SHOWN = 500
# The problem's place as the mart names it → as ingest.problems names it.
PROBLEM_FIELDS = {
    "file_name": "file",
    "sheet_name": "sheet",
    "source_row": "row",
    "cell": "cell",
    "column_name": "column",
    "cell_value": "value",
    "error_code": "code",
    "expected_code": "expected",
    "error_fields": "fields",
}


def minute(value: object) -> str:
    """A load time to the minute, in UTC."""
    if value is None or pd.isna(value):
        return DASH
    return f"{pd.Timestamp(value).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"


def show_totals(audit: pd.DataFrame) -> None:
    """Files offered, accepted, superseded and refused; rows accepted and left out."""
    files = audit.groupby("load_id")["file_outcome"].first()
    columns = st.columns(6)
    numbers = [
        ("quality.files", len(files)),
        ("quality.files_accepted", int((files == "accepted").sum())),
        ("quality.files_superseded", int((files == "superseded").sum())),
        ("quality.files_rejected", int((files == "rejected").sum())),
        ("quality.rows_accepted", audit["rows_accepted"].sum()),
        ("quality.rows_rejected", audit["rows_rejected"].sum()),
    ]
    for column, (key, number) in zip(columns, numbers, strict=True):
        column.metric(t(key), whole(number))


def outcome_colours() -> alt.Scale:
    """Each outcome in the colour codes.csv gives it, in the codes' order."""
    codes = vocabulary.codes("load_outcome")
    return alt.Scale(
        domain=[code_label("load_outcome", code) for code in codes],
        range=[f"#{vocabulary.colour('load_outcome', code)}" for code in codes],
    )


def received_chart(audit: pd.DataFrame) -> alt.Chart:
    """Files received per year, stacked by outcome."""
    files = audit.groupby("load_id").agg(
        received_on=("received_on", "first"), file_outcome=("file_outcome", "first")
    )
    files["year"] = pd.to_datetime(files["received_on"]).dt.year
    files["outcome"] = [code_label("load_outcome", code) for code in files["file_outcome"]]
    counts = files.groupby(["year", "outcome"]).size().reset_index(name="files")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("col.year"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("files:Q", title=t("quality.files"), axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("outcome:N", title=t("col.load_outcome"), scale=outcome_colours()),
            tooltip=[
                alt.Tooltip("year:O", title=t("col.year")),
                alt.Tooltip("outcome:N", title=t("col.load_outcome")),
                alt.Tooltip("files:Q", title=t("quality.files"), format="d"),
            ],
        )
    )


def rows_by_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Rows read, accepted and left out per raw table, largest first."""
    sums = audit.groupby("table_name", dropna=False)[COUNT_COLUMNS].sum().reset_index()
    sums = sums.sort_values("rows_accepted", ascending=False)
    frame = pd.DataFrame({"table": [table_name(name) for name in sums["table_name"]]})
    for column in COUNT_COLUMNS:
        frame[column] = sums[column].astype("Int64").to_numpy()
    return frame


def load_table(audit: pd.DataFrame) -> pd.DataFrame:
    """Every file × sheet offered, newest first, in the reader's words and formats."""
    frame = audit.sort_values(["loaded_at", "load_id"], ascending=False).copy()
    frame["table"] = frame["table_name"].map(table_name)
    frame["load_outcome"] = [code_label("load_outcome", code) for code in frame["load_outcome"]]
    frame["sheet_name"] = frame["sheet_name"].fillna(DASH)
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].astype("Int64")
    frame["received_on"] = frame["received_on"].map(day)
    frame["loaded_at"] = frame["loaded_at"].map(minute)
    return frame[LOAD_COLUMNS]


def file_columns(frame: pd.DataFrame) -> dict[str, object]:
    """The load and its file name, whole and kept in view when the table scrolls sideways."""
    return {
        "load_id": st.column_config.NumberColumn(t("col.load_id"), pinned=True),
        "file_name": st.column_config.TextColumn(
            t("col.file_name"), width=fitted_width(frame["file_name"]), pinned=True
        ),
    }


def show_table(frame: pd.DataFrame, height: int | str = "content") -> None:
    """Counts as whole numbers with separators; every header in the reader's language."""
    config: dict[str, object] = column_labels(frame.columns)
    for column in COUNT_COLUMNS:
        config[column] = st.column_config.NumberColumn(t(f"col.{column}"), format="localized")
    if "file_name" in frame.columns:
        config |= file_columns(frame)
    st.dataframe(frame, hide_index=True, column_config=config, height=height)


def problem_table(found: pd.DataFrame) -> pd.DataFrame:
    """Located problems with the sentence `kepu ingest` prints for each, in the reader's
    language (written by ingest.problems from the codes and fields the mart keeps)."""
    lang = current_language()
    rows = found[list(PROBLEM_FIELDS)].rename(columns=PROBLEM_FIELDS)
    rows["row"] = rows["row"].astype("Int64")
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    frame = found[["load_id", "file_name", "sheet_name", "cell", "column_name", "cell_value"]]
    frame = frame.astype(object).fillna(DASH)
    frame.insert(3, "row", rows["row"].astype(object).fillna(DASH))
    frame["problem"] = [problems.describe(record, lang) for record in records]
    return frame.rename(columns={"column_name": "column", "cell_value": "value"})


def show_problems(conn: object) -> None:
    found = quality_data.load_problems(conn)
    st.subheader(t("quality.problems"))
    if found.empty:
        st.success(t("quality.no_problems"))
        return
    st.caption(t("quality.problems_count", count=len(found), files=found["load_id"].nunique()))
    frame = problem_table(found.head(PROBLEMS_SHOWN))
    config: dict[str, object] = column_labels(frame.columns) | file_columns(frame)
    config["problem"] = st.column_config.TextColumn(t("col.problem"), width="large")
    st.dataframe(frame, hide_index=True, column_config=config, height=LOADS_HEIGHT)
    if len(found) > PROBLEMS_SHOWN:
        st.caption(t("ingest.more_problems", count=len(found) - PROBLEMS_SHOWN))


def show_validations(conn: object) -> None:
    """Checks passed and failed per kind (GX suites, dbt tests) and every failure."""
    st.subheader(t("quality.validations"))
    checks = quality_data.validations(conn)
    if checks is None:
        st.info(t("quality.no_validations"))
        return
    kinds = [kind for kind in ("gx", "dbt") if (checks["check_kind"] == kind).any()]
    columns = st.columns(4)
    for index, kind in enumerate(kinds):
        mine = checks[checks["check_kind"] == kind]
        passed = int(mine["passed"].sum())
        columns[2 * index].metric(t(f"quality.{kind}_passed"), whole(passed))
        columns[2 * index + 1].metric(t(f"quality.{kind}_failed"), whole(len(mine) - passed))
    if "gx" not in kinds:
        st.caption(t("quality.gx_not_run"))
    failed = checks[~checks["passed"]].copy()
    if failed.empty:
        st.success(t("quality.all_checks_passed", count=len(checks)))
        return
    failed["check_kind"] = [code_label("check_kind", kind) for kind in failed["check_kind"]]
    failed["severity"] = [code_label("check_severity", code) for code in failed["severity"]]
    frame = failed[["check_kind", "asset_key", "check_name", "severity"]]
    st.dataframe(frame, hide_index=True, column_config=column_labels(frame.columns))


def show_not_reported(conn: object) -> None:
    st.subheader(t("quality.not_reported"))
    units = quality_data.units_not_reported(conn)
    if units.empty:
        st.success(t("quality.all_reported"))
        return
    units = localized(units, "plan_name", "title", "department_name")
    units["unit_role"] = [code_label("unit_role", code) for code in units["unit_role"]]
    units["last_period"] = units["last_period"].fillna(t("quality.never_reported"))
    st.caption(t("quality.not_reported_count", count=len(units)))
    columns = ["measure_no", "title", "department_name", "unit_role", "last_period"]
    # one table per plan, in the order of their periods: a plan's name is too long to repeat
    for plan_id in units["plan_id"].unique():
        plan = units[units["plan_id"] == plan_id]
        first = plan.iloc[0]
        plan_name, period = first["plan_name"], first["current_period"]
        st.markdown(t("quality.plan_period", plan=plan_name, period=period))
        config: dict[str, object] = column_labels(columns)
        config["title"] = st.column_config.TextColumn(t("col.title"), width="medium")
        st.dataframe(plan[columns], hide_index=True, column_config=config)


def render() -> None:
    conn = data.connection()
    audit = quality_data.load_outcomes(conn)
    if audit.empty:
        st.info(t("quality.no_loads"))
        return
    show_totals(audit)
    st.subheader(t("quality.received"))
    charts.show(received_chart(audit), width="stretch")
    st.subheader(t("quality.by_table"))
    show_table(rows_by_table(audit))
    st.caption(t("quality.records_note"))
    st.subheader(t("quality.loads"))
    show_table(load_table(audit), height=LOADS_HEIGHT)
    show_problems(conn)
    show_validations(conn)
    show_not_reported(conn)


render()
