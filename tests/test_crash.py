"""Crash-safety: `kepu ingest --no-build` and the publish step killed with SIGKILL at random
points, repeatedly. Afterwards the warehouse holds each file whole or not at all, the
archive and the audit agree, the published snapshot is the old or the new one, and the
same command then succeeds. (A whole `kepu build` killed while `kepu sql` reads is in
test_concurrency.py, to pay for its builds once.)"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ingest.home import KepuHome
from ingest.load import sha256_of
from ingest.specs import ALL_SPECS, EXTRA_TABLES
from tests.corpus import base_files, funding, population, respondent, survey

DATA_TABLES = [s.table for s in ALL_SPECS] + list(EXTRA_TABLES)
KEPU = [sys.executable, "-m", "orchestration.cli"]
KILLS = 5
REPO = Path(__file__).resolve().parent.parent


def _env(home: KepuHome) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KEPU_WAREHOUSE"}
    return env | {"KEPU_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home)}


def _batch(folder: Path) -> list[Path]:
    """Registers, five funding returns, a population return and a 6,000-respondent wave:
    enough files and rows for a kill to fall inside a load."""
    folder.mkdir(parents=True, exist_ok=True)
    files = base_files(folder)
    for year in range(2015, 2020):
        files.append(funding(folder / f"funding_{year}.xlsx", ["330304", year, "政府拨款", year]))
    files.append(population(folder / "population.xlsx", 916_900))
    people = [respondent(n) for n in range(1, 6001)]
    files.append(survey(folder / "survey.xlsx", respondents=people))
    return files


def _archive(home: KepuHome) -> list[Path]:
    """The archive's whole copies (a copy being written is hidden: `.<name>.partial`)."""
    return [f for f in home.archive.iterdir() if not f.name.startswith(".")]


def _state(home: KepuHome) -> dict[str, dict[str, int]]:
    """Rows per table of each accepted file (by SHA-256), after checking that no load is
    partial or orphaned and that the archive and the audit agree."""
    if not home.warehouse.exists():
        return {}
    with duckdb.connect(str(home.warehouse)) as con:  # read-write: replays a killed WAL
        tables = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        if "load_audit" not in tables:
            return {}
        audit = con.execute(
            "select distinct load_id, file_sha256, status, archived_path from raw.load_audit"
        ).fetchall()
        counts: dict[int, dict[str, int]] = {}
        for table in DATA_TABLES:
            for load_id, n in con.execute(
                f"select load_id, count(*) from raw.{table} group by 1"
            ).fetchall():
                counts.setdefault(load_id, {})[table] = n
        read = dict(
            con.execute(
                "select load_id, sum(rows_accepted) from raw.load_audit group by 1"
            ).fetchall()
        )
    loads = {load_id: (sha, status) for load_id, sha, status, _ in audit}
    assert set(counts) <= set(loads), "rows of a load that has no audit row"
    state: dict[str, dict[str, int]] = {}
    for load_id, (sha, status) in loads.items():
        landed = counts.get(load_id, {})
        if status == "rejected":
            assert not landed
            continue
        main = {t: n for t, n in landed.items() if t not in EXTRA_TABLES}
        assert sum(main.values()) == read[load_id], "a load's rows differ from its audit"
        assert sha not in state, "the same bytes accepted twice"
        state[sha] = landed
    for _, sha, _, archived in audit:
        assert sha256_of(Path(archived)) == sha, "audit names an archive copy that differs"
    for kept in _archive(home):
        assert sha256_of(kept) == kept.name.split(".")[0], "archive copy not its hash"
    return state


def _ingest(home: KepuHome, files: list[Path], **popen: object) -> subprocess.Popen:
    return subprocess.Popen(
        [*KEPU, "ingest", "--no-build", *map(str, files)],
        env=_env(home),
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **popen,
    )


def _archived(home: KepuHome, process: subprocess.Popen, count: int) -> float:
    """Wait until the command has archived the batch's `count` files (it has opened the
    warehouse, and what it writes from now on is the files' landings); the time it did."""
    while process.poll() is None and len(_archive(home)) < count:
        time.sleep(0.002)
    return time.monotonic()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:  # not yet written, or the log removed at close
        return None
    return found.st_size, found.st_mtime_ns


def _writes(home: KepuHome, process: subprocess.Popen) -> list[float]:
    """Watch the warehouse's file and its write-ahead log until the command ends; the time
    of each change seen (each landing's commit, and the checkpoint at close)."""
    files = (home.warehouse, home.warehouse.with_name(home.warehouse.name + ".wal"))
    seen, times = [_stamp(f) for f in files], []
    while process.poll() is None:
        now = [_stamp(f) for f in files]
        if now != seen:
            seen = now
            times.append(time.monotonic())
        time.sleep(0.002)
    return times


def test_a_killed_load_leaves_whole_files_and_the_same_load_then_succeeds(
    tmp_path: Path,
) -> None:
    """Each kill falls at a random time between the first and the last write of the
    reference run once its files were archived, counted from the archiving: the span the
    files land in. (The command's start, archiving, reading of the first file and exit
    write nothing: a kill there would show no landing caught part-way.)"""
    files = _batch(tmp_path / "files")
    reference_home = KepuHome(tmp_path / "reference").ensure()
    finished = _ingest(reference_home, files)
    archived = _archived(reference_home, finished, len(files))
    writes = [t - archived for t in _writes(reference_home, finished)]
    assert finished.wait(timeout=300) == 0, finished.stderr.read().decode()
    reference = _state(reference_home)
    assert len(reference) == len(files)
    rng = random.Random(20261201)
    partial_seen = 0
    for attempt in range(KILLS):
        home = KepuHome(tmp_path / f"killed_{attempt}").ensure()
        process = _ingest(home, files)
        _archived(home, process, len(files))
        time.sleep(rng.uniform(writes[0], writes[-1]))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        state = _state(home)
        for sha, rows in state.items():
            assert rows == reference[sha], "a file landed in part"
        partial_seen += 0 < len(state) < len(reference)
        again = _ingest(home, files)
        assert again.wait(timeout=300) == 0, again.stderr.read().decode()
        assert _state(home) == reference
        assert not list(home.archive.glob(".*.partial"))
    assert partial_seen, "no kill fell inside the batch: the test proved nothing"


PUBLISH_LOOP = """
import sys
from pathlib import Path
import duckdb
from orchestration.publish import publish_marts
source, target, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
print("ready", flush=True)
while True:
    n += 1
    with duckdb.connect(str(source)) as con:
        con.execute(
            "create or replace table marts.fct_a as "
            "select ? as build, range as i from range(20000)",
            [n],
        )
        con.execute(
            "create or replace table marts.fct_load_audit as select ? as build, "
            "false as is_synthetic, 'accepted' as load_status",
            [n],
        )
    publish_marts(source, target, f"build-{n}")
"""


def _snapshot_is_whole(path: Path) -> int:
    """The build a snapshot holds, after checking that every table comes from it."""
    with duckdb.connect(str(path), read_only=True) as con:
        (build,) = con.execute("select build_id from snapshot_info").fetchone()
        builds = {b for (b,) in con.execute("select distinct build from fct_a").fetchall()}
        (rows,) = con.execute("select count(*) from fct_a").fetchone()
        audit = {b for (b,) in con.execute("select build from fct_load_audit").fetchall()}
    number = int(build.split("-")[1])
    assert builds == audit == {number} and rows == 20000, "a mixed or partial snapshot"
    return number


def test_a_killed_publish_leaves_the_old_or_the_new_snapshot(tmp_path: Path) -> None:
    source, target = tmp_path / "warehouse.duckdb", tmp_path / "published" / "kepu.duckdb"
    target.parent.mkdir()
    with duckdb.connect(str(source)) as con:
        con.execute("create schema marts")
    rng = random.Random(7)
    seen = []
    for attempt in range(5):
        process = subprocess.Popen(
            [sys.executable, "-c", PUBLISH_LOOP, str(source), str(target), str(attempt * 1000)],
            cwd=REPO,
            start_new_session=True,
            stdout=subprocess.PIPE,
        )
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 1.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        if target.exists():
            seen.append(_snapshot_is_whole(target))
    assert len(set(seen)) > 1, f"too few publishes completed to prove anything: {seen}"
