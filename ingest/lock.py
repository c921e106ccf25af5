"""One writer at a time: loads, builds and publishes of a Kepu home are serialised.

DuckDB lets one process write a database file; a second writer fails with a lock error.
So every writer (`kepu ingest`, `kepu build`, the Dagster steps that load, build and
publish) first takes an exclusive lock on `KEPU_HOME/warehouse.lock` (fcntl): a second
writer waits, told who holds the lock and since when. The kernel releases the lock when
its holder exits, however it exits (a crash, SIGKILL), so a lock is never left stale.
Readers never take it: they read the published snapshot, which writers only ever replace
by renaming a complete file over it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ingest.home import KepuHome

# Lock path → depth, per thread: a thread re-enters its own lock, while another thread of
# the same process (two dashboard sessions) waits for it like another process would, as
# each opens the file anew and flock locks an open file, not a process.
_local = threading.local()


def _depths() -> dict[str, int]:
    if not hasattr(_local, "held"):
        _local.held = {}
    return _local.held


@contextlib.contextmanager
def warehouse_lock(
    home: KepuHome, purpose: str, on_wait: Callable[[dict], None] | None = None
) -> Iterator[None]:
    """Hold the home's writer lock for the block; re-entrant within one thread.

    `on_wait` is called once with the holder's {pid, started_at, purpose} when the lock
    is taken by another process, before waiting for it."""
    home.ensure()
    path = str(home.root / "warehouse.lock")
    held = _depths()
    if held.get(path):
        held[path] += 1
        try:
            yield
        finally:
            held[path] -= 1
        return
    handle = open(path, "a+")  # noqa: SIM115 (held open for the whole block)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(holder(home))
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "started_at": started, "purpose": purpose}))
        handle.flush()
        held[path] = 1
        try:
            yield
        finally:
            held.pop(path, None)
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        handle.close()  # closing the file releases the lock


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created if missing) for the block.

    For work other than writing the warehouse that two processes must not do at once,
    such as two evaluators asking for the same assessment. Released however its holder
    exits, as the writer lock is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def holder(home: KepuHome) -> dict:
    """Who holds the lock, as its holder wrote it (empty if nobody says)."""
    try:
        return json.loads((home.root / "warehouse.lock").read_text() or "{}")
    except (OSError, ValueError):
        return {}
