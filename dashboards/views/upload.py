"""Upload: statisticians hand files to the warehouse and publish a new snapshot.

The same loader as `kepu ingest` and the same job as `kepu build` (`dashboards.upload_data`),
so a file is accepted or refused here exactly as on the command line, with the same
located problems (file, sheet, row, column, value, expected). Blank templates are on the
same page. This page works before anything is published: it is how a first snapshot is made.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import vocabulary
from dashboards import i18n
from dashboards.formats import DASH, table_name, whole
from dashboards.i18n import column_labels, current_language, t
from dashboards.upload_data import (
    STALL_SECONDS,
    DashboardBusy,
    StallWatch,
    Upload,
    build_and_publish,
    build_progress,
    ingest_uploads,
    one_writer,
    open_dagster_storage,
    template_bytes,
    writer_busy,
)
from ingest import problems
from ingest.home import KepuHome
from ingest.load import WarehouseBusy
from ingest.settings import limits
from ingest.specs import TEMPLATES

OUTCOMES_KEY = "upload_outcomes"
BUILT_KEY = "upload_built"
STUCK_KEY = "upload_stuck"
POLL_SECONDS = 0.5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 50
# Streamlit writes the drop zone's words in English only: they are replaced by ours.
DROPZONE_STYLE = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small,
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{
    display: none;
}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: "{drop}"; }}
[data-testid="stFileUploaderDropzone"] button > div::after {{ content: "{browse}"; }}
</style>
"""


class BuildStuck(Exception):
    """The build has made no progress for STALL_SECONDS: the page stops waiting for it."""

    def __init__(self, run_id: str | None) -> None:
        super().__init__(run_id)
        self.run_id = run_id


def in_background(
    work: Callable[[Callable[[dict], None]], Any], tick: Callable[[bool], None]
) -> Any:
    """Run `work(on_wait)` on a thread while this script keeps drawing: `tick(waited)` is
    called every half second (and may raise to stop waiting: the thread runs on), and a
    wait for another writer is shown as soon as it starts (`waited` from then on). The
    thread holds this server's writer lock (`one_writer`) until `work` ends, so a build
    the page stopped waiting for still keeps a second one from starting beside it."""
    waiting: dict[str, dict] = {}
    result: dict[str, Any] = {}

    def on_wait(holder: dict) -> None:
        waiting.setdefault("holder", holder)

    def run() -> None:
        try:
            result["value"] = one_writer(lambda: work(on_wait))
        except BaseException as error:  # re-raised on the script's thread below
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    notice = st.empty()
    while thread.is_alive():
        thread.join(POLL_SECONDS)
        if "holder" in waiting:
            holder = waiting["holder"]
            key = "ingest.waiting" if holder.get("pid") else "ingest.waiting_unknown"
            notice.info(t(key, **holder))
        tick("holder" in waiting)
    notice.empty()
    if "error" in result:
        raise result["error"]
    return result["value"]


def busy_guard(work: Callable[[], Any]) -> Any:
    """`work`, or a message (and None) when the warehouse is taken by someone else."""
    try:
        return work()
    except DashboardBusy:
        st.warning(t("upload.busy"))
    except WarehouseBusy as busy:
        st.error(t("ingest.warehouse_busy", path=str(busy)))
    return None


def template_name(kind: str) -> str:
    """A template by the sheets it holds, as the specs name them."""
    lang = current_language()
    return vocabulary.listing((getattr(spec, lang) for spec in TEMPLATES[kind]), lang)


def show_templates() -> None:
    st.subheader(t("upload.templates"))
    kinds = list(TEMPLATES)
    kind = i18n.selectbox(
        t("upload.template_kind"),
        kinds,
        format_func=template_name,
        key="template_kind",
    )
    st.download_button(
        t("upload.template_download"),
        data=template(kind),
        file_name=f"kepu-template-{kind}.xlsx",
        mime=XLSX,
        key="template_download",
    )


@st.cache_data(show_spinner=False)
def template(kind: str) -> bytes:
    return template_bytes(kind)


def problem_table(load: dict) -> pd.DataFrame:
    """The located problems of one file: where, the value, and the sentence `kepu ingest`
    prints for it in the reader's language."""
    found = problems.frame(load.get("problems") or [])
    lang = current_language()
    frame = pd.DataFrame(
        {
            "sheet": found["sheet"],
            "row": found["row"].astype("Int64"),
            "cell": found["cell"],
            "column": found["column"],
            "value": found["value"],
            "problem": [problems.describe(row, lang) for row in found.to_dict("records")],
        }
    )
    return frame.astype(object).fillna(DASH)


def show_static(frame: pd.DataFrame) -> None:
    """A short table as plain HTML: every word wraps and stays readable (and findable)."""
    st.table(frame.rename(columns=column_labels(frame.columns)), hide_index=True)


def show_outcome(load: dict) -> None:
    """One file: what landed (rows per table) or why it was refused, row by row."""
    name, status = load["file"], load["status"]
    if status == "duplicate":
        st.info(t("upload.duplicate", file=name, load_id=load["load_id"]))
        return
    if status == "accepted":
        st.success(t("upload.accepted", file=name, load_id=load["load_id"]))
        rows = pd.DataFrame(
            {
                "table": [table_name(table) for table in load["rows"]],
                "rows_accepted": [whole(count) for count in load["rows"].values()],
            }
        )
        show_static(rows)
        if load["rows_rejected"]:
            st.warning(t("upload.rows_left_out", count=load["rows_rejected"]))
    else:
        st.error(t("upload.rejected", file=name, count=load["problem_count"]))
    if load["problem_count"]:
        frame = problem_table(load).head(PROBLEMS_SHOWN)
        show_static(frame)
        if load["problem_count"] > len(frame):
            st.caption(t("ingest.more_problems", count=load["problem_count"] - len(frame)))


def upload_limit_mb() -> int:
    """The largest file a reader can hand in: the loader's limit, or the server's if lower."""
    return min(limits().file_mb, st.get_option("server.maxUploadSize"))


def show_upload(home: KepuHome) -> None:
    st.subheader(t("upload.files_heading"))
    words = {"drop": t("upload.drop", mb=upload_limit_mb()), "browse": t("upload.browse")}
    st.markdown(DROPZONE_STYLE.format(**words), unsafe_allow_html=True)
    files = st.file_uploader(
        t("upload.files"), accept_multiple_files=True, key="uploads", help=t("upload.files_help")
    )
    accept_valid_rows = st.checkbox(t("upload.accept_valid_rows"), key="accept_valid_rows")
    if st.button(t("upload.load"), disabled=not files, type="primary", key="load"):
        uploads = [Upload(file.name, file.getvalue()) for file in files]
        with st.spinner(t("upload.loading")):
            outcomes = busy_guard(
                lambda: in_background(
                    lambda on_wait: ingest_uploads(uploads, home, accept_valid_rows, on_wait),
                    tick=lambda waited: None,
                )
            )
        if outcomes is not None:
            st.session_state[OUTCOMES_KEY] = outcomes
    for load in st.session_state.get(OUTCOMES_KEY, []):
        show_outcome(load)


def show_stuck(stuck: dict) -> None:
    """What a statistician reads of a build that stopped making progress: its run, that
    the previous snapshot stays published, and how to stop it (it runs inside this
    dashboard's server process, so stopping that process stops it)."""
    minutes = f"{round(STALL_SECONDS / 60, 1):g}"
    if stuck["run_id"] is None:
        st.error(t("upload.build_stuck_unstarted", minutes=minutes, pid=stuck["pid"]))
    else:
        st.error(t("upload.build_stuck", minutes=minutes, run_id=stuck["run_id"], pid=stuck["pid"]))


def show_build(home: KepuHome) -> None:
    st.subheader(t("upload.build_heading"))
    st.caption(t("upload.build_note"))
    if not st.button(t("upload.build"), key="build"):
        if st.session_state.get(BUILT_KEY):
            st.success(t("upload.published"))
        if STUCK_KEY in st.session_state and not writer_busy():
            del st.session_state[STUCK_KEY]  # the stuck run has ended since
        if STUCK_KEY in st.session_state:
            show_stuck(st.session_state[STUCK_KEY])
        return
    st.session_state.pop(STUCK_KEY, None)
    open_dagster_storage(home)  # here, not beside the run in the background (its docstring)
    started = time.time()
    watch = StallWatch(time.monotonic())
    with st.status(t("upload.building"), expanded=True) as status:
        bar = st.progress(0.0, text=t("upload.build_waiting"))

        def tick(waited: bool) -> None:
            progress = build_progress(started)
            if progress and progress.planned:
                done, planned = progress.done, progress.planned
                bar.progress(done / planned, text=t("upload.build_steps", done=done, total=planned))
            if progress is None and waited:
                watch.since = time.monotonic()  # queued behind another writer: not stuck
            if watch.stalled(progress, time.monotonic()):
                raise BuildStuck(progress.run_id if progress else None)

        try:
            outcome = busy_guard(
                lambda: in_background(lambda on_wait: build_and_publish(home, on_wait), tick)
            )
        except BuildStuck as stuck:
            st.session_state[STUCK_KEY] = {"run_id": stuck.run_id, "pid": os.getpid()}
            status.update(label=t("upload.build_stuck_label"), state="error", expanded=True)
            show_stuck(st.session_state[STUCK_KEY])
            return
        if outcome is None:
            status.update(label=t("upload.build_not_started"), state="error")
        elif outcome.success:
            bar.progress(1.0, text=t("upload.build_done"))
            status.update(label=t("upload.published"), state="complete")
            st.session_state[BUILT_KEY] = True
            st.rerun()  # every part of the page, and the sidebar's publish time, anew
        else:
            status.update(label=t("upload.build_failed", run_id=outcome.run_id), state="error")
            for check in outcome.failed_checks:
                st.write(check)


def render() -> None:
    st.caption(t("upload.intro"))
    home = KepuHome.from_env()
    show_upload(home)
    show_build(home)
    show_templates()


render()
