"""`kepu bench ingest` at a small scale: every stage reads or lands all N respondents of
the same replicated workbook, and the JSON holds the figures the table prints. No timings
are asserted: speed goals live in the benchmark's output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from orchestration import bench_ingest
from orchestration.peak_memory import in_spawned_child

ROWS = 1_500  # a slice of the demo wave (6,401 respondents): no cycling needed


def test_the_files_replicate_the_demo_rows_with_fresh_ids(tmp_path: Path) -> None:
    files = bench_ingest.make_files(tmp_path, ROWS)
    demo = pd.read_excel(tmp_path / "demo" / "survey_beijing-2020.xlsx", sheet_name="受访者")
    xlsx = pd.read_excel(files.xlsx, sheet_name="受访者")
    text = pd.read_csv(files.csv, dtype=str, keep_default_na=False)
    ids = "受访者编号 / respondent_id"
    assert len(xlsx) == len(text) == ROWS
    assert xlsx[ids].tolist() == [f"beijing-2020-{i:07d}" for i in range(1, ROWS + 1)]
    assert text[ids].tolist() == xlsx[ids].tolist()
    others = [c for c in demo.columns if c != ids]
    pd.testing.assert_frame_equal(xlsx[others], demo[others].head(ROWS))
    # the csv holds the text a statistician would have typed: 63, not 63.0
    assert text.loc[0, "年龄 / age"] == str(int(demo.loc[0, "年龄 / age"]))
    assert text.loc[0, "权重 / weight"] == repr(float(demo.loc[0, "权重 / weight"]))


def test_every_stage_counts_all_rows_and_the_json_holds_the_figures(tmp_path: Path) -> None:
    result = bench_ingest.run(ROWS, repeats=1, folder=tmp_path / "files")
    figures = json.loads(bench_ingest.write_json(result, tmp_path / "ingest.json").read_text())
    assert figures["rows"] == ROWS
    assert figures["columns"] == 16
    for stage in ("calamine", "openpyxl", "ours", "ours_csv"):
        assert figures[stage]["rows"] == ROWS, stage
        assert figures[stage]["rows_per_second"] == ROWS / figures[stage]["seconds"]
        assert figures[stage]["peak_rss_mb"] > 0
    assert figures["ours_over_calamine"] == (
        figures["ours"]["seconds"] / figures["calamine"]["seconds"]
    )
    assert figures["ours"]["over_calamine"] == figures["ours_over_calamine"]
    assert figures["goal_ours_over_calamine"] == 2.0
    assert figures["memory_measure"].startswith("peak RSS (VmHWM)")
    assert f"{ROWS:,} respondents" in bench_ingest.report(result)


def _report_peak(pipe) -> None:
    from orchestration.peak_memory import own_peak_rss_mb

    pipe.send(own_peak_rss_mb())
    pipe.close()


def test_a_spawned_stage_reports_its_own_peak_not_its_parents() -> None:
    """A child spawned after the parent held 600 MiB reports what the child itself held
    (an interpreter: well under 300 MiB); getrusage's ru_maxrss would say ≥ 600 MiB, the
    parent's peak carried across exec."""
    held = bytearray(600 << 20)
    held[::4096] = b"\1" * len(range(0, len(held), 4096))  # every page resident
    peak = in_spawned_child(_report_peak)
    del held
    assert 5 < peak < 300
