"""Assessment: where each target of a plan stands, and the reports an evaluator hands in.

The statuses are fct_target_progress as built for the published snapshot, so the page
states the date they are assessed as of. The Word and Excel reports are the files
`kepu assess` wrote into KEPU_HOME/reports/<plan_id>/; the page offers each for download
and, when there are none, gives the command that writes them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

import vocabulary
from dashboards import data
from dashboards.i18n import code_label, localized, names_by_code, reason_text, t
from ingest.home import KepuHome

# The order and colours of codes.csv, which the Word and Excel assessment reports use too.
STATUSES = vocabulary.codes("progress_status")
STATUS_COLOURS = {code: f"#{vocabulary.colour('progress_status', code)}" for code in STATUSES}
DASH = "—"
MIME_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def fixed(value: float) -> str:
    """A value to two decimals, or a dash where there is none (a styled table would print
    a missing number as 'None')."""
    return DASH if pd.isna(value) else f"{value:,.2f}"


def status_word(code: str) -> str:
    return code_label("progress_status", code)


def coloured(frame: pd.DataFrame) -> Styler:
    """The table with each status word on its status colour."""
    colours = {status_word(code): colour for code, colour in STATUS_COLOURS.items()}

    def background(word: object) -> str:
        return f"background-color: {colours[word]}; color: #000000" if word in colours else ""

    return frame.style.map(background, subset=["status"])


def summary(progress: pd.DataFrame) -> str:
    """'共 9 项量化目标：已达成 4 项；进展顺利 3 项；…', statuses in report order."""
    counts = progress["progress_status"].value_counts()
    parts = [
        t("assessment.summary_part", status=status_word(code), count=int(counts[code]))
        for code in STATUSES
        if code in counts
    ]
    return t("assessment.summary", n=len(progress), parts=t("list.separator").join(parts))


def status_table(progress: pd.DataFrame) -> pd.DataFrame:
    """Indicator, target and status first, with the reason for a status where one has it
    (the column only when a row does: it must not sit off screen to the right), then the
    values and ratio behind the status."""
    frame = localized(progress, "indicator_name", "target_label")
    reasons = [reason_text(row, "status_reason") for row in frame.to_dict("records")]
    table = pd.DataFrame(
        {
            "indicator": frame["indicator_name"],
            "target": frame["target_label"],
            "status": [status_word(code) for code in frame["progress_status"]],
            "status_reason": reasons,
            "latest_value": frame["latest_value"].map(fixed),
            "latest_year": frame["latest_year"].astype("Int64"),
            "ratio": frame["progress_ratio"].map(fixed),
            "baseline_value": frame["baseline_value"].map(fixed),
            "baseline_year": frame["baseline_year"].astype("Int64"),
            "quality": [code_label("quality_flag", flag) for flag in frame["latest_quality_flag"]],
            "kind": [code_label("target_kind", kind) for kind in frame["target_kind"]],
            "method": [
                code_label("progress_method", method) for method in frame["progress_method"]
            ],
        }
    )
    return table if any(reasons) else table.drop(columns="status_reason")


def show_progress(progress: pd.DataFrame) -> None:
    st.subheader(t("assessment.status_table"))
    st.markdown(summary(progress))
    table = status_table(progress)
    config: dict[str, object] = {column: t(f"col.{column}") for column in table.columns}
    for column in ("baseline_year", "latest_year"):
        config[column] = st.column_config.NumberColumn(t(f"col.{column}"), format="%d")
    config["indicator"] = st.column_config.TextColumn(t("col.indicator"), width="medium")
    if "status_reason" in table.columns:
        config["status_reason"] = st.column_config.TextColumn(t("col.status_reason"), width="large")
    for column in ("latest_value", "ratio", "baseline_value"):
        config[column] = st.column_config.TextColumn(t(f"col.{column}"), alignment="right")
    st.dataframe(coloured(table), hide_index=True, column_config=config, key="progress_table")
    st.caption(t("assessment.ratio_note"))


def show_reports(plan_id: str, as_of: str) -> None:
    """A download button per report file, or the command that writes them."""
    st.subheader(t("assessment.reports"))
    folder = KepuHome.from_env().plan_reports(plan_id)
    files = data.report_files(folder)
    if not files:
        st.info(t("assessment.no_reports"))
        st.code(
            f"kepu assess --plan {plan_id} --as-of {as_of} --kind final -o {folder}",
            language="bash",
        )
        return
    st.caption(t("assessment.reports_folder", folder=folder))
    for path in files:
        st.download_button(
            path.name,
            data=path.read_bytes(),
            file_name=path.name,
            mime=MIME_TYPES.get(path.suffix, "application/octet-stream"),
            icon=":material/download:",
            key=f"report_{path.name}",
        )


def choose_as_of(conn: duckdb.DuckDBPyConnection, snapshots: dict[str, Path]) -> str:
    """The current snapshot, or an assessment snapshot written by `kepu assess`."""
    current = data.progress_as_of(conn).isoformat()
    options = ["", *snapshots]

    def label(option: str) -> str:
        if not option:
            return t("assessment.current", as_of=current)
        if option.endswith("-latest"):
            return t("assessment.with_corrections", as_of=option.removesuffix("-latest"))
        return t("assessment.as_received", as_of=option)

    return st.selectbox(t("assessment.choose_as_of"), options, format_func=label,
                        key="report_as_of") or ""  # fmt: skip


def show_plan(conn: duckdb.DuckDBPyConnection, plan_id: str) -> None:
    snapshots = KepuHome.from_env().assessment_snapshots()
    chosen = choose_as_of(conn, snapshots)
    if chosen:
        path = snapshots[chosen]
        progress = data.assessment_progress(str(path), path.stat().st_mtime_ns, plan_id)
        as_of = chosen.removesuffix("-latest")
    else:
        progress = data.target_progress(conn, plan_id)
        as_of = data.progress_as_of(conn).isoformat()
    st.caption(t("assessment.as_of", as_of=as_of))
    if progress.empty:
        st.info(t("assessment.no_targets"))
        st.page_link("views/measures.py", label=t("page.measures"), icon="➡️")
    else:
        show_progress(progress)
    show_reports(plan_id, as_of)


def render() -> None:
    conn = data.connection()
    st.title(t("page.assessment"))
    plans = data.plans(conn)
    names = names_by_code(plans, "plan_id", "plan_name")
    plan_id = st.selectbox(
        t("assessment.choose_plan"), list(names), format_func=names.__getitem__, key="report_plan"
    )
    show_plan(conn, plan_id)


render()
