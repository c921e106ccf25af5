"""The process the raw tables' Great Expectations suites run in (`orchestration.defs.checks`).

One spawned child per run whose steps all run in one process (`wanted`: `kepu ingest`,
`kepu build`): started when the run loads files (its start, ~3 s of importing Great
Expectations and making its context, overlaps the load) or by the first check with rows
to read, and stopped when dbt starts. Great Expectations' modules and the batches' memory
(~200 MB, and up to 1 GB at national scale) leave with it, so the Dagster process that
goes on to run dbt beside dbt's own is as small as a run without suites (the build's peak
memory goal, issue 12). A run whose checks have nothing to read starts none."""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.util
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import dagster as dg

from expectations.check import start_suites
from orchestration.postgres import ONE_PROCESS_EXECUTORS

T = TypeVar("T")


@functools.cache
def suite_worker() -> ProcessPoolExecutor:
    """The suites' process: spawned, not forked (a fork of a process whose DuckDB thread
    pools have run can deadlock). Stopped when this process exits, before multiprocessing
    waits for its children: a process that is itself a multiprocessing child (a step of
    Dagster's multiprocess executor, a bench's stage) waits for them before the executor's
    own exit hook runs, and waited for ever on the idle suites' process. Before the
    executor's queue too (its finalizer, of priority 10, ends the thread that would send
    the suites' process its stop)."""
    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    multiprocessing.util.Finalize(None, stop, exitpriority=100)
    return executor


def wanted(context: dg.OpExecutionContext | dg.AssetCheckExecutionContext) -> bool:
    """Whether the suites of `context`'s run go to their own process: when one process runs
    every step (`kepu ingest`, `kepu build`), dbt's included. Under Dagster's multiprocess
    executor each check is a process of its own, which ends after it: it runs its suite
    itself (a process per check would pay the start twice). A check invoked directly runs
    in its caller's process, which goes on: the suites' own process too."""
    try:
        executor = context.job_def.executor_def.name
    except dg.DagsterError:  # invoked directly: no job
        return True
    return executor in ONE_PROCESS_EXECUTORS


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
