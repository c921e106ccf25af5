"""The peak resident memory of this process's own image, for the benches that run each
stage in a spawned child: `VmHWM` of /proc/self/status.

Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux keeps a process's high-water mark across
execve (the old image's peak stays in the process's signal->maxrss), so a child spawned
by a parent that had grown to 874 MB reported at least 874 MB for every stage, whatever
it did itself."""

from __future__ import annotations

from pathlib import Path

MEASURE = "peak RSS (VmHWM) of the child process running the stage"


def own_peak_rss_mb() -> float:
    """This process's peak resident set since it started its program, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")
