"""Data quality: what was offered to the warehouse, what it accepted and what it refused.

For statisticians. Every file × sheet the loader was given is a row of fct_load_audit
with its outcome and row counts (rows read, accepted, and left out under
`--accept-valid-rows`); the page counts them, draws the files received per year by
outcome, sums the rows per table and lists every load. The date a file was received is
the 报送日期 of its 说明 sheet (else the load date); the load time is when it landed.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import data, status_data
from dashboards.formats import DASH, day, whole
from dashboards.i18n import code_label, column_labels, current_language, t
from ingest.specs import ALL_SPECS

TABLE_NAMES = {spec.table: {"zh": spec.zh, "en": spec.en} for spec in ALL_SPECS}
LOAD_COLUMNS = [
    "load_id",
    "file_name",
    "sheet_name",
    "table",
    "load_status",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "received_on",
    "loaded_at",
]
COUNT_COLUMNS = ["rows_read", "rows_accepted", "rows_rejected"]
LOADS_HEIGHT = 420  # about a dozen rows; the table scrolls


def table_name(table: str | None) -> str:
    """The name of a raw table as its template names it; a dash for a refused file that
    never reached a table."""
    if table is None or pd.isna(table):
        return DASH
    return TABLE_NAMES.get(table, {}).get(current_language(), table)


def minute(value: object) -> str:
    """A load time to the minute, in UTC."""
    if value is None or pd.isna(value):
        return DASH
    return f"{pd.Timestamp(value).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"


def show_totals(audit: pd.DataFrame) -> None:
    """Files offered, accepted and refused; rows accepted and left out."""
    files = audit.groupby("load_id")["load_status"].first()
    columns = st.columns(5)
    numbers = [
        ("quality.files", len(files)),
        ("quality.files_accepted", int((files == "accepted").sum())),
        ("quality.files_rejected", int((files == "rejected").sum())),
        ("quality.rows_accepted", audit["rows_accepted"].sum()),
        ("quality.rows_rejected", audit["rows_rejected"].sum()),
    ]
    for column, (key, number) in zip(columns, numbers, strict=True):
        column.metric(t(key), whole(number))


def received_chart(audit: pd.DataFrame) -> alt.Chart:
    """Files received per year, stacked by outcome."""
    files = audit.groupby("load_id").agg(
        received_on=("received_on", "first"), load_status=("load_status", "first")
    )
    files["year"] = pd.to_datetime(files["received_on"]).dt.year
    files["outcome"] = [code_label("load_status", code) for code in files["load_status"]]
    counts = files.groupby(["year", "outcome"]).size().reset_index(name="files")
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("col.year"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("files:Q", title=t("quality.files"), axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("outcome:N", title=t("col.load_status")),
            tooltip=[
                alt.Tooltip("year:O", title=t("col.year")),
                alt.Tooltip("outcome:N", title=t("col.load_status")),
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
    frame["load_status"] = [code_label("load_status", code) for code in frame["load_status"]]
    frame["sheet_name"] = frame["sheet_name"].fillna(DASH)
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].astype("Int64")
    frame["received_on"] = frame["received_on"].map(day)
    frame["loaded_at"] = frame["loaded_at"].map(minute)
    return frame[LOAD_COLUMNS]


def show_table(frame: pd.DataFrame, height: int | str = "content") -> None:
    """Counts as whole numbers with separators; every header in the reader's language."""
    config: dict[str, object] = column_labels(frame.columns)
    for column in COUNT_COLUMNS:
        config[column] = st.column_config.NumberColumn(t(f"col.{column}"), format="localized")
    if "file_name" in frame.columns:
        config["file_name"] = st.column_config.TextColumn(t("col.file_name"), width="large")
    st.dataframe(frame, hide_index=True, column_config=config, height=height)


def render() -> None:
    conn = data.connection()
    st.title(t("page.quality"))
    audit = status_data.load_audit(conn)
    if audit.empty:
        st.info(t("quality.no_loads"))
        return
    show_totals(audit)
    st.subheader(t("quality.received"))
    st.altair_chart(received_chart(audit), use_container_width=True)
    st.subheader(t("quality.by_table"))
    show_table(rows_by_table(audit))
    st.subheader(t("quality.loads"))
    show_table(load_table(audit), height=LOADS_HEIGHT)
    st.caption(t("quality.problems_note"))


render()
