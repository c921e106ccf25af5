"""Concurrency: readers during publishing see whole snapshots and no lock errors; two loads
started at once are serialised, the second told whom it waits for."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from ingest.home import KepuHome
from ingest.lock import warehouse_lock
from tests.corpus import base_files
from tests.test_crash import KEPU, PUBLISH_LOOP, REPO, _batch, _env, _state
from tests.test_dashboard_upload import copy_home

READER = """
import duckdb, json, sys, time
target, end = sys.argv[1], time.time() + float(sys.argv[2])
reads, errors, mixed, builds = 0, [], 0, set()
while time.time() < end:
    try:
        with duckdb.connect(target, read_only=True) as con:
            (build,) = con.execute("select build_id from snapshot_info").fetchone()
            rows = {b for (b,) in con.execute("select distinct build from fct_a").fetchall()}
            audit = {b for (b,) in con.execute("select build from fct_load_audit").fetchall()}
        number = int(build.split("-")[1])
        mixed += not (rows == audit == {number})
        builds.add(number)
        reads += 1
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"reads": reads, "errors": errors[:5], "mixed": mixed, "builds": len(builds)}))
"""


def test_readers_during_publishing_see_whole_snapshots_and_no_lock_errors(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "warehouse.duckdb", tmp_path / "published" / "kepu.duckdb"
    target.parent.mkdir()
    with duckdb.connect(str(source)) as con:
        con.execute("create schema marts")
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_LOOP, str(source), str(target), "0"],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.PIPE,
    )
    try:
        assert publisher.stdout.readline().strip() == b"ready"
        while not target.exists():
            time.sleep(0.05)
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", READER, str(target), "8"], stdout=subprocess.PIPE
            )
            for _ in range(3)
        ]
        reports = [json.loads(r.communicate(timeout=120)[0]) for r in readers]
    finally:
        os.killpg(publisher.pid, signal.SIGKILL)
        publisher.wait(timeout=60)
    for report in reports:
        assert report["errors"] == [] and report["mixed"] == 0, report
        assert report["reads"] > 10
    assert max(r["builds"] for r in reports) > 1, "no publish happened while reading"


def test_a_second_load_waits_for_the_first_and_says_for_whom(tmp_path: Path) -> None:
    home = KepuHome(tmp_path / "home").ensure()
    files = base_files(tmp_path / "files")
    with warehouse_lock(home, "a test holding the lock"):
        waiting = subprocess.Popen(
            [*KEPU, "ingest", "--no-build", "--lang", "en", *map(str, files)],
            env=_env(home),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = waiting.stderr.readline()
        assert said.startswith(f"waiting for the load started by pid {os.getpid()} at ")
        assert "(a test holding the lock)" in said
        time.sleep(0.5)
        assert waiting.poll() is None, "the second load went ahead while the lock was held"
    out, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0
    assert out.count("accepted") == 2


def test_two_loads_started_at_once_are_serialised_not_corrupted(tmp_path: Path) -> None:
    files = _batch(tmp_path / "files")
    reference = KepuHome(tmp_path / "reference").ensure()
    alone = subprocess.run(
        [*KEPU, "ingest", "--no-build", *map(str, files)], env=_env(reference), cwd=REPO
    )
    assert alone.returncode == 0
    home = KepuHome(tmp_path / "home").ensure()
    both = [
        subprocess.Popen(
            [*KEPU, "ingest", "--no-build", "--lang", "en", *map(str, files)],
            env=_env(home),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in both]
    assert [p.returncode for p in both] == [0, 0]
    assert sum("waiting for the load started by pid" in err for _, err in results) == 1
    outs = sorted(out for out, _ in results)
    assert outs[0].count("duplicate") == len(files) or outs[1].count("duplicate") == len(files)
    assert _state(home) == _state(reference)


def _snapshot(home: KepuHome) -> tuple[str, dict[str, int]]:
    """The build a snapshot holds and the rows of each of its data tables. Not of
    `validation_result`: it lists the checks of the run that published, and a `kepu build`
    runs the dbt tests but not the Great Expectations suites a load job runs."""
    with duckdb.connect(str(home.published), read_only=True) as con:
        (build,) = con.execute("select build_id from snapshot_info").fetchone()
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()]
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    counts.pop("snapshot_info")
    counts.pop("validation_result")
    return build, counts


class _SqlReader(threading.Thread):
    """`kepu sql` in a loop, as a user at the command line would, until stopped."""

    def __init__(self, home: KepuHome):
        super().__init__(daemon=True)
        self.home, self.stop, self.failures, self.reads = home, threading.Event(), [], 0

    def run(self) -> None:
        query = "select count(*) as n from fct_funding"
        while not self.stop.wait(2.0):  # a user every two seconds; each start costs a core
            done = subprocess.run(
                [*KEPU, "sql", query, "--csv"],
                env=_env(self.home),
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0 or not done.stdout.startswith("n\n"):
                self.failures.append(done.stderr[-500:])
            self.reads += 1


def test_a_build_killed_or_finished_while_kepu_sql_reads(
    demo_home: KepuHome, tmp_path: Path
) -> None:
    """`kepu sql` keeps reading while `kepu build` runs over the demo warehouse, is killed
    (SIGKILL, the whole process group, dbt included) part way, and runs again: no failed
    read, no lock error; the killed build leaves the old snapshot or a whole new one of the
    same data, and the same build then succeeds. On a copy of the demo warehouse: the
    session's snapshot stays the one the load job published."""
    home = copy_home(demo_home, tmp_path / "kepu")
    before, tables = _snapshot(home)
    reader = _SqlReader(home)
    reader.start()
    try:
        build = subprocess.Popen(
            [*KEPU, "build"],
            env=_env(home),
            cwd=REPO,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(random.Random(11).uniform(5.0, 40.0))
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=60)
        killed, counts = _snapshot(home)
        assert counts == tables, "the snapshot after a killed build is not a whole one"
        rebuilt = subprocess.run([*KEPU, "build"], env=_env(home), cwd=REPO, capture_output=True)
        assert rebuilt.returncode == 0, rebuilt.stderr.decode()[-2000:]
    finally:
        reader.stop.set()
        reader.join(timeout=120)
    after, counts = _snapshot(home)
    assert reader.failures == [] and reader.reads > 0
    assert after not in {before, killed} and counts == tables
    assert not list(home.published.parent.glob(".kepu-*"))
