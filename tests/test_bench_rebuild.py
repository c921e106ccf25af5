"""The rebuild benchmark's own measures: the mart comparison that says the plain DuckDB
script computed the same marts, and the peak memory of a stage's process tree."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.bench_rebuild import compare_marts, run_measured


def _marts(path: Path, rows: list[tuple[int, float, str]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_a (k integer, v double, t varchar)")
        con.executemany("insert into marts.fct_a values (?, ?, ?)", rows)
        con.execute("create table marts.fct_b as select 1 as k")
    return path


ROWS = [(1, 0.1886490666349426, "a"), (2, 7648.995000000001, "b"), (3, None, "c")]


def test_marts_equal_but_for_the_last_digits_compare_equal(tmp_path: Path) -> None:
    ours = _marts(tmp_path / "ours.duckdb", ROWS)
    noisy = [(2, 7648.995, "b"), (1, 0.18864906663494263, "a"), (3, None, "c")]
    assert compare_marts(ours, _marts(tmp_path / "floor.duckdb", noisy)) == (2, {})


def test_a_different_number_or_a_missing_row_is_named(tmp_path: Path) -> None:
    ours = _marts(tmp_path / "ours.duckdb", ROWS)
    changed = [ROWS[0], (2, 7648.996, "b"), ROWS[2]]
    assert compare_marts(ours, _marts(tmp_path / "floor.duckdb", changed)) == (
        2,
        {"fct_a": "v"},
    )
    short = _marts(tmp_path / "short.duckdb", ROWS[:2])
    assert compare_marts(ours, short) == (2, {"fct_a": "(3, 3) vs (2, 3)"})


def test_a_stage_peak_memory_counts_its_children(tmp_path: Path) -> None:
    """A child that holds 300 MB in a grandchild for a second: the peak is at least that,
    and not far above (the interpreters' own few tens of MB)."""
    holder = "import time; block = bytearray(300 << 20); time.sleep(1.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {holder!r}])"
    stage = run_measured([sys.executable, "-c", parent])
    assert 300 <= stage.peak_rss_mb < 420
    assert stage.seconds >= 1.5


def test_a_failing_stage_raises_with_its_output() -> None:
    with pytest.raises(RuntimeError, match="no such table"):
        run_measured([sys.executable, "-c", "raise SystemExit('no such table')"])
