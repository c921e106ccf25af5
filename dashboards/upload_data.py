"""What the upload page does with files, outside Streamlit so that tests can call it.

An upload goes through the same loader as `kepu ingest` (`ingest.load.load_files`) and a
build through the same Dagster job as `kepu build` (`orchestration.run.run_job`): the page
adds no check and skips none. Uploaded bytes are written under KEPU_HOME in a folder with a
generated name; of the name the browser sent only a single, cleaned file name is kept, so
the warehouse records the file as `kepu ingest` would and a name can never choose a path.
The loader's own limits (size, content sniffing, unpacked size) then apply as for any file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import TypeVar

import dagster as dg
from sqlalchemy.exc import SQLAlchemyError

from ingest.home import KepuHome
from ingest.load import load_files
from ingest.specs import TEMPLATES
from ingest.workbook import write_workbook
from orchestration.run import RunOutcome, run_job, use_home

UPLOADS_FOLDER = "uploads"
MAX_NAME_CHARS = 120
# Word characters (any script), spaces, dots, hyphens and brackets; anything else
# (separators, control characters, quotes, wildcards) becomes an underscore.
UNSAFE_CHARACTERS = re.compile(r"[^\w .()\uff08\uff09\-]")  # and full-width brackets
FALLBACK_NAME = "upload"
# A build whose run records no event for this long appears stuck (a step's process
# stopped, or blocked on a lock). dbt records every model as it finishes: a demo build's
# events are seconds apart; the gaps of a national build are not measured, hence the margin.
STALL_SECONDS = 15 * 60
T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it: its name (for messages only) and its bytes."""

    name: str
    data: bytes


def safe_name(offered: str) -> str:
    """A single file name from whatever name a browser sent: no folder, no separator, no
    leading dot, at most MAX_NAME_CHARS characters, the suffix kept (the loader reads it)."""
    base = PureWindowsPath(offered.replace("/", "\\")).name  # strips both kinds of folder
    cleaned = UNSAFE_CHARACTERS.sub("_", base).strip(" .")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    suffix = suffix[:10]
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].strip(" .") or FALLBACK_NAME
    return f"{stem}.{suffix}" if suffix else stem


def save_uploads(uploads: Sequence[Upload], home: KepuHome) -> tuple[Path, list[Path]]:
    """Write the uploads into a new folder under the home: (the folder, the files in the
    order given). Each file sits in a generated sub-folder of its own, so two uploads of
    one name do not collide."""
    root = home.ensure().root / UPLOADS_FOLDER
    root.mkdir(exist_ok=True)
    batch = Path(tempfile.mkdtemp(prefix="batch-", dir=root))
    paths = []
    for upload in uploads:
        folder = batch / uuid.uuid4().hex
        folder.mkdir()
        path = folder / safe_name(upload.name)
        path.write_bytes(upload.data)
        paths.append(path)
    return batch, paths


def ingest_uploads(
    uploads: Sequence[Upload],
    home: KepuHome,
    accept_valid_rows: bool = False,
    on_wait: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Land the uploads as `kepu ingest --no-build` lands files: one outcome per file, in
    the order given (`LoadOutcome.to_dict()`, what the command line prints). The saved
    copies are removed afterwards: the loader archives every file's bytes itself."""
    batch, paths = save_uploads(uploads, home)
    try:
        outcomes = load_files(paths, home, accept_valid_rows=accept_valid_rows, on_wait=on_wait)
        return [outcome.to_dict() for outcome in outcomes]
    finally:
        shutil.rmtree(batch, ignore_errors=True)


def build_and_publish(home: KepuHome, on_wait: Callable[[dict], None] | None = None) -> RunOutcome:
    """`kepu build`: dbt build over what is loaded, its checks, then publish the snapshot."""
    use_home(home)
    return run_job("build_job", quiet=True, on_wait=on_wait)


def template_bytes(kind: str) -> bytes:
    """The blank workbook `kepu template <kind>` writes."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(Path(folder) / f"{kind}.xlsx", [(s, None) for s in TEMPLATES[kind]])
        return path.read_bytes()


class DashboardBusy(Exception):
    """Another session of this dashboard is loading or building right now."""


def writer_busy() -> bool:
    """Whether a session of this server is loading or building right now."""
    return _WRITER.locked()


# The home's writer lock is re-entrant within a process (ingest.lock), so it does not keep
# two sessions of one dashboard server apart: this lock does.
_WRITER = threading.Lock()


def one_writer(work: Callable[[], T]) -> T:
    """Run `work` unless another session of this server is loading or building."""
    if not _WRITER.acquire(blocking=False):
        raise DashboardBusy
    try:
        return work()
    finally:
        _WRITER.release()


def open_dagster_storage(home: KepuHome) -> None:
    """Make the Dagster storage (runs, event log, schedules) the build of `home` will use
    before the build starts in the background: the progress ticks (`build_progress`) open
    it beside the run, and two first openings of a fresh SQLite storage race to stamp its
    schema version (alembic: "more than one head"). Opening an existing one only reads."""
    use_home(home)  # names DAGSTER_HOME, as `build_and_publish` will
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    dg.DagsterInstance.get().dispose()


@dataclass(frozen=True)
class BuildProgress:
    """Where the newest build_job run stands: its id, assets materialized and planned, and
    the storage id of its newest event (a new event is progress, whatever its kind)."""

    run_id: str
    done: int
    planned: int
    last_event: int


def build_progress(started_after: float) -> BuildProgress | None:
    """The progress of the newest build_job run started after `started_after` (a Unix
    time) in this process's Dagster instance; None before it starts."""
    dagster_home = os.environ.get("DAGSTER_HOME")
    if not dagster_home or not (Path(dagster_home) / "history" / "runs.db").exists():
        return None  # the run has not made its instance's storage yet
    try:
        instance = dg.DagsterInstance.get()
        runs = instance.get_run_records(dg.RunsFilter(job_name="build_job"), limit=1)
    except SQLAlchemyError:  # the run is still creating the storage's tables
        return None
    if not runs or runs[0].create_timestamp.timestamp() < started_after:
        return None
    run_id = runs[0].dagster_run.run_id
    planned = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, limit=10_000
    ).records
    done = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
    ).records
    newest = instance.get_records_for_run(run_id, ascending=False, limit=1).records
    last_event = newest[0].storage_id if newest else 0
    return BuildProgress(run_id, len(done), len(planned), last_event)


@dataclass
class StallWatch:
    """Whether a build has gone STALL_SECONDS without progress: no new event in its run
    (or, before its run exists, no run at all). Times are `time.monotonic()` seconds."""

    since: float
    seen: tuple[str, int] | None = None

    def stalled(self, progress: BuildProgress | None, now: float) -> bool:
        mark = None if progress is None else (progress.run_id, progress.last_event)
        if mark != self.seen:
            self.seen, self.since = mark, now
        return now - self.since >= STALL_SECONDS
