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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from ingest.home import KepuHome

_held: dict[str, int] = {}  # lock path → depth, for the process that holds it


@contextlib.contextmanager
def warehouse_lock(
    home: KepuHome, purpose: str, on_wait: Callable[[dict], None] | None = None
) -> Iterator[None]:
    """Hold the home's writer lock for the block; re-entrant within one process.

    `on_wait` is called once with the holder's {pid, started_at, purpose} when the lock
    is taken by another process, before waiting for it."""
    home.ensure()
    path = str(home.root / "warehouse.lock")
    if _held.get(path):
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
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
        _held[path] = 1
        try:
            yield
        finally:
            _held.pop(path, None)
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        handle.close()  # closing the file releases the lock


def holder(home: KepuHome) -> dict:
    """Who holds the lock, as its holder wrote it (empty if nobody says)."""
    try:
        return json.loads((home.root / "warehouse.lock").read_text() or "{}")
    except (OSError, ValueError):
        return {}
