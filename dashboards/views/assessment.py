"""Assessment: where each target of a plan stands, and the reports an evaluator hands in.

The statuses are fct_target_progress as built for the published snapshot, so the page
states the date they are assessed as of. The Word and Excel reports are the files
`kepu assess` wrote into KEPU_HOME/reports/<plan_id>/; the page offers each for download
and, for a review point that has none yet, a button that writes them with the function
`kepu assess` calls.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

import vocabulary
from dashboards import data, i18n
from dashboards.formats import fitted_width, goal_value, wrapped
from dashboards.i18n import (
    code_label,
    current_language,
    goal_indicator,
    goal_target,
    localized,
    names_by_code,
    reason_text,
    t,
)
from dashboards.links import PLAN, url_choice
from ingest.home import KepuHome
from orchestration.reviews import ReviewPoint, review_points

# The order and colours of codes.csv, which the Word and Excel assessment reports use too.
STATUSES = vocabulary.codes("progress_status")
STATUS_COLOURS = {code: f"#{vocabulary.colour('progress_status', code)}" for code in STATUSES}
DASH = "—"
MIME_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REPORT_FORMATS = ("docx", "xlsx")
# The status table in two: the status of each target, then the method and data behind
# it. Each fits the grid whole in a window 1440 px wide (GRID_PIXELS), so that no column
# is cut at the grid's right edge, where nothing shows that there is more to scroll to
# ('9.81' read for 9.81%). Values, years and words take the width of their longest text;
# the texts that may be long wrap in what is left, shared in these proportions (pixels at
# most).
STATUS_COLUMNS = ("indicator", "target", "latest_value", "latest_year", "status", "status_reason")
BASIS_COLUMNS = (
    "indicator",
    "target",  # two targets may share an indicator (a 2025 target, a 2035 vision)
    "ratio",
    "baseline_value",
    "baseline_year",
    "quality",
    "kind",
    "method",
)
WRAPPED_COLUMNS = {
    "indicator": 240,
    "target": 110,
    "status_reason": 240,
    "kind": 110,
    "method": 200,
}
GRID_PIXELS = 970
NARROWEST_WRAPPED = 80


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
    """Indicator, target, the latest value and its year, the status and the reason for it
    where one has it (the column only when a row does), then the ratio behind the status,
    the baseline and how the status was judged; values in their indicator's unit."""
    frame = localized(progress, "indicator_name", "target_label")
    rows = frame.to_dict("records")
    reasons = [reason_text(row, "status_reason") for row in rows]
    table = pd.DataFrame(
        {
            "indicator": [goal_indicator(row) for row in rows],
            "target": [goal_target(row) for row in rows],
            "latest_value": [goal_value(row, "latest_value") for _, row in frame.iterrows()],
            "latest_year": frame["latest_year"].astype("Int64"),
            "status": [status_word(code) for code in frame["progress_status"]],
            "status_reason": reasons,
            "ratio": frame["progress_ratio"].map(fixed),
            "baseline_value": [goal_value(row, "baseline_value") for _, row in frame.iterrows()],
            "baseline_year": frame["baseline_year"].astype("Int64"),
            "quality": [code_label("quality_flag", flag) for flag in frame["latest_quality_flag"]],
            "kind": [code_label("target_kind", kind) for kind in frame["target_kind"]],
            "method": [
                code_label("progress_method", method) for method in frame["progress_method"]
            ],
        }
    )
    return table if any(reasons) else table.drop(columns="status_reason")


def column_widths(table: pd.DataFrame) -> dict[str, int]:
    """Pixels per column: every column but the wrapped ones the width of its longest text or
    of its header, whichever is wider (a value is never cut at its right); the wrapped ones
    their WRAPPED_COLUMNS width, narrowed alike where the table would be wider than
    GRID_PIXELS."""
    fitted = {
        column: fitted_width(
            pd.concat([table[column].astype(str), pd.Series([t(f"col.{column}")])])
        )
        for column in table.columns
        if column not in WRAPPED_COLUMNS
    }
    wrapping = {c: width for c, width in WRAPPED_COLUMNS.items() if c in table.columns}
    scale = min(1.0, (GRID_PIXELS - sum(fitted.values())) / sum(wrapping.values()))
    narrowed = {c: max(NARROWEST_WRAPPED, int(width * scale)) for c, width in wrapping.items()}
    return {column: fitted.get(column) or narrowed[column] for column in table.columns}


def column_config(widths: dict[str, int]) -> dict[str, object]:
    """Each column's header, width and alignment; years as years, values to the right."""
    config: dict[str, object] = {}
    for column, width in widths.items():
        label = t(f"col.{column}")
        if column in ("baseline_year", "latest_year"):
            config[column] = st.column_config.NumberColumn(label, width=width, format="%d")
        elif column in ("latest_value", "ratio", "baseline_value"):
            config[column] = st.column_config.TextColumn(label, width=width, alignment="right")
        else:
            config[column] = st.column_config.TextColumn(label, width=width)
    return config


def show_progress(progress: pd.DataFrame) -> None:
    st.subheader(t("assessment.status_table"))
    st.markdown(summary(progress))
    table = status_table(progress)
    show_table(table[[c for c in STATUS_COLUMNS if c in table.columns]], "progress_table")
    st.subheader(t("assessment.basis_table"))
    show_table(table[list(BASIS_COLUMNS)], "basis_table")
    st.caption(t("assessment.ratio_note"))


def show_table(table: pd.DataFrame, key: str) -> None:
    """A part of the status table, every row whole: as tall as its rows, which are as tall
    as the longest wrapped text."""
    widths = column_widths(table)
    layout = wrapped(table, {c: widths[c] for c in WRAPPED_COLUMNS if c in widths})
    st.dataframe(
        coloured(table) if "status" in table.columns else table,
        hide_index=True,
        column_config=column_config(widths),
        row_height=layout.row_height,
        height=layout.height,
        key=key,
    )


def report_label(path: Path, point: ReviewPoint) -> str:
    """'总结评估（2026-03-31）· 中文 · Word' for `<plan>_<kind>_<as-of>_<lang>.<format>`."""
    lang = path.stem.rsplit("_", 1)[-1]
    return t(
        "assessment.download",
        kind=code_label("assessment_kind", point.kind),
        as_of=point.as_of.isoformat(),
        language=vocabulary.text(f"language.{lang}", current_language()),
        format=t(f"assessment.format_{path.suffix.removeprefix('.')}"),
    )


def point_files(files: list[Path], point: ReviewPoint) -> list[Path]:
    """The report files `kepu assess` writes for a review point (any language, format)."""
    stem = f"{point.plan_id}_{point.kind}_{point.as_of.isoformat()}_"
    return [path for path in files if path.name.startswith(stem)]


def generate(point: ReviewPoint) -> None:
    """Write the point's reports in both languages, Word and Excel, as `kepu assess`
    does (the same function), showing progress while the as-of warehouse is built."""
    # Imported here: it loads dbt's project through dagster-dbt, seconds that a reader
    # who only downloads reports should not wait for.
    from orchestration.assess import assess

    with st.status(t("assessment.generating"), expanded=True) as status:
        st.write(t("assessment.generating_step", as_of=point.as_of.isoformat()))
        written = assess(
            KepuHome.from_env(),
            plan_ids=[point.plan_id],
            as_of=point.as_of,
            kind=point.kind,
            langs=vocabulary.LANGUAGES,
            formats=REPORT_FORMATS,
        )
        status.update(label=t("assessment.generated", n=len(written)), state="complete")


def download(path: Path, label: str) -> None:
    st.download_button(
        label,
        data=path.read_bytes(),
        file_name=path.name,
        mime=MIME_TYPES.get(path.suffix, "application/octet-stream"),
        icon=":material/download:",
        key=f"report_{path.name}",
    )


def show_point(point: ReviewPoint, files: list[Path], today: date) -> None:
    """One review point: its reports to download, or a button that writes them."""
    heading = t(
        "assessment.review_point",
        year=point.year,
        review=code_label("review_kind", point.review_kind),
        as_of=point.as_of.isoformat(),
    )
    with st.container(border=True, key=f"point_{point.year}_{point.review_kind}"):
        st.markdown(f"**{heading}**")
        found = point_files(files, point)
        for path in found:
            download(path, report_label(path, point))
        if found:
            return
        if point.as_of > today:
            st.caption(t("assessment.not_due"))
        elif st.button(t("assessment.generate"), key=f"generate_{point.key}"):
            generate(point)
            st.rerun()


def show_reports(plan_id: str) -> None:
    """Each review point of the plan with its reports; reports written for other dates
    (`kepu assess --as-of …`) after them."""
    st.subheader(t("assessment.reports"))
    files = data.report_files(KepuHome.from_env().plan_reports(plan_id))
    points = [point for point in review_points() if point.plan_id == plan_id]
    today = date.today()
    for point in points:
        show_point(point, files, today)
    listed = {path for point in points for path in point_files(files, point)}
    others = [path for path in files if path not in listed]
    if others:
        st.caption(t("assessment.other_reports"))
        for path in others:
            download(path, path.name)


def choose_as_of(conn: data.Published, snapshots: dict[str, Path]) -> str:
    """The current snapshot, or an assessment snapshot written by `kepu assess`."""
    current = data.progress_as_of(conn).isoformat()
    options = ["", *snapshots]

    def label(option: str) -> str:
        if not option:
            return t("assessment.current", as_of=current)
        if option.endswith("-latest"):
            return t("assessment.with_corrections", as_of=option.removesuffix("-latest"))
        return t("assessment.as_received", as_of=option)

    return i18n.selectbox(t("assessment.choose_as_of"), options, format_func=label,
                          key="report_as_of") or ""  # fmt: skip


def show_plan(conn: data.Published, plan_id: str) -> None:
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
    show_reports(plan_id)


def render() -> None:
    conn = data.connection()
    plans = data.plans(conn)
    if plans.empty:
        st.info(t("app.no_plans"))
        return
    names = names_by_code(plans, "plan_id", "plan_name")
    plan_id = url_choice(PLAN, t("assessment.choose_plan"), list(names), names.__getitem__)
    show_plan(conn, plan_id)


render()
