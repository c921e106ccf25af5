"""The peak resident memory of this process's own image, for the benches that run each
stage in a spawned child (`in_spawned_child`): `VmHWM` of /proc/self/status.

Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux keeps a process's high-water mark across
execve (the old image's peak stays in the process's signal->maxrss), so a child spawned
by a parent that had grown to 874 MB reported at least 874 MB for every stage, whatever
it did itself."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

MEASURE = "peak RSS (VmHWM) of the child process running the stage"


def own_peak_rss_mb() -> float:
    """This process's peak resident set since it started its program, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


def in_spawned_child(target: Callable[..., None], *args: object) -> Any:
    """What `target(*args, pipe)` sends on `pipe`, run in a child process of its own. The
    child is spawned, not forked: a fork of a process whose DuckDB or polars thread pools
    have run can deadlock. A child that dies before it sends is an error naming its exit
    code, not a wait without end: only the child holds the pipe's sending end."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, sender))
    child.start()
    sender.close()
    try:
        return receiver.recv()
    except EOFError:
        child.join()
        raise RuntimeError(
            f"the child process running {target.__qualname__} exited with code "
            f"{child.exitcode} before it reported"
        ) from None
    finally:
        child.join()
