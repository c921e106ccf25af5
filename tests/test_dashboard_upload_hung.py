"""A build that really hangs: its dbt process is alive but stopped (SIGSTOP), so the run
records nothing more. The upload page must say so after STALL_SECONDS, name the run and
how to stop it, stop waiting, and leave the published snapshot as it was.

The words are written out here, not taken from the vocabulary.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import upload_data
from dashboards.upload_data import BuildProgress, StallWatch
from ingest.home import KepuHome
from tests.test_dashboard_upload import APP, UPLOAD, copy_home

STALL_SECONDS = 30  # above the gaps between a demo build's events, below a test's patience
DBT_WAIT_SECONDS = 600


def test_a_build_is_stalled_only_after_stall_seconds_without_a_new_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upload_data, "STALL_SECONDS", 10)
    watch = StallWatch(since=100.0)
    assert not watch.stalled(None, 109.0)
    assert watch.stalled(None, 110.0)  # no run at all for 10 s
    assert not watch.stalled(BuildProgress("r1", 0, 5, 7), 111.0)
    assert not watch.stalled(BuildProgress("r1", 1, 5, 8), 120.0)
    assert not watch.stalled(BuildProgress("r1", 1, 5, 8), 129.9)
    assert watch.stalled(BuildProgress("r1", 1, 5, 8), 130.0)


def descendants(pid: int) -> list[int]:
    """The processes below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


class DbtStopper(threading.Thread):
    """Stops (SIGSTOP) the first `dbt build` this process starts: alive, but silent."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pid: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + DBT_WAIT_SECONDS
        while self.pid is None and not self.done.is_set() and time.monotonic() < deadline:
            for pid in descendants(os.getpid()):
                words = command_line(pid)
                if any(Path(w).name == "dbt" for w in words) and "build" in words:
                    os.kill(pid, signal.SIGSTOP)
                    self.pid = pid
                    break
            time.sleep(0.2)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def newest_build_run() -> str:
    runs = dg.DagsterInstance.get().get_run_records(dg.RunsFilter(job_name="build_job"), limit=1)
    return runs[0].dagster_run.run_id


def test_a_build_whose_dbt_process_is_stopped_is_reported_stuck_with_its_run_and_how_to_stop_it(
    demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = copy_home(demo_home, tmp_path / "kepu")
    for variable, value in {
        "KEPU_HOME": home.root,
        "KEPU_WAREHOUSE": home.warehouse,
        "DAGSTER_HOME": home.dagster_home,
    }.items():
        monkeypatch.setenv(variable, str(value))  # the build sets them too; restored after
    monkeypatch.setattr(upload_data, "STALL_SECONDS", STALL_SECONDS)
    published = digest(home.published)
    stopper = DbtStopper()
    stopper.start()
    try:
        app = AppTest.from_file(APP, default_timeout=DBT_WAIT_SECONDS).run()
        app.switch_page(UPLOAD).run()
        app.button(key="build").click().run()
        assert not app.exception
        assert stopper.pid is not None, "the build ended before its dbt process was stopped"
        run_id, pid = newest_build_run(), os.getpid()
        assert app.status[0].label == "构建看来卡住了"
        assert app.error[0].value == (
            f"构建（运行 {run_id}）已有 0.5 分钟没有任何进展，看来卡住了；之前的快照仍保持发布。"
            f"要停止它，请停止本看板的服务进程（pid {pid}，例如 kill {pid}），"
            "再重新启动看板并点击“构建并发布”。"
        )
        assert digest(home.published) == published

        app.sidebar.radio[0].set_value("en").run()  # the run is still stopped
        assert [error.value for error in app.error] == [
            f"The build (run {run_id}) has made no progress for 0.5 minutes and appears stuck;"
            " the previous snapshot stays published. To stop it, stop this dashboard's server"
            f" process (pid {pid}, e.g. kill {pid}), then start the dashboard again and press"
            " Build and publish."
        ]
        assert upload_data.writer_busy(), "a second build could start beside the stuck one"
    finally:
        stopper.done.set()
        if stopper.pid is not None:
            os.kill(stopper.pid, signal.SIGKILL)
        deadline = time.monotonic() + DBT_WAIT_SECONDS
        while upload_data.writer_busy() and time.monotonic() < deadline:
            time.sleep(0.5)
    assert not upload_data.writer_busy()
    assert digest(home.published) == published
