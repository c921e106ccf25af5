"""The process the raw tables' Great Expectations suites run in (`orchestration.defs.checks`).

One spawned child per run process: started when a run loads files (its start, ~3 s of
importing Great Expectations and making its context, overlaps the load) or by the first
check with rows to read, and stopped when dbt starts. Great Expectations' modules and the
batches' memory (~200 MB, and up to 1 GB at national scale) leave with it, so the Dagster
process that goes on to run dbt beside dbt's own is as small as a run without suites (the
build's peak memory goal, issue 12). A run whose checks have nothing to read starts none.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from expectations.check import start_suites

T = TypeVar("T")


@functools.cache
def suite_worker() -> ProcessPoolExecutor:
    """The suites' process: spawned, not forked (a fork of a process whose DuckDB thread
    pools have run can deadlock)."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def warm() -> None:
    """Start the suites' process and its fixed cost now, without waiting for it."""
    suite_worker().submit(start_suites)


def stop() -> None:
    """End the suites' process, if one was started (its memory goes with it)."""
    if suite_worker.cache_info().currsize:
        suite_worker().shutdown()
        suite_worker.cache_clear()


def run(function: Callable[..., T], *arguments: object) -> T:
    """`function(*arguments)` in the suites' process; a process that died (killed, out of
    memory) fails this call and is replaced for the next."""
    try:
        return suite_worker().submit(function, *arguments).result()
    except BrokenProcessPool:
        suite_worker.cache_clear()
        raise
