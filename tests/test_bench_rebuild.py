"""The rebuild benchmark's own measures: the mart comparison that says the plain DuckDB
script computed the same marts, the server's marts copied for it, the peak memory of a
stage's process tree, and the report. A whole rebuild is the benchmark's to run (`make
bench`: the district on both engines), not the tests': the demo is built and compared on
both engines by tests/test_postgres.py."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.engine import connect
from orchestration.bench import Stage
from orchestration.bench_rebuild import (
    LOAD_EVENT_COLUMNS,
    BenchResult,
    ServerRebuild,
    compare_marts,
    report,
    run_measured,
    server_marts,
    write_json,
)
from orchestration.cli import parser


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


def test_columns_set_aside_are_not_compared_nor_ordered_by(tmp_path: Path) -> None:
    """Each engine's own load time: set aside, the rows still pair up by the rest."""
    rows = [(1, 0.5, "2026-12-02 08:00"), (2, 1.5, "2026-12-02 08:01")]
    later = [(1, 0.5, "2026-12-02 09:01"), (2, 1.5, "2026-12-02 09:00")]
    for name, values in (("ours", rows), ("server", later)):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb")) as con:
            con.execute("create schema marts")
            con.execute("create table marts.fct_load (k integer, v double, loaded_at varchar)")
            con.executemany("insert into marts.fct_load values (?, ?, ?)", values)
    ours, server = tmp_path / "ours.duckdb", tmp_path / "server.duckdb"
    assert compare_marts(ours, server) == (1, {"fct_load": "loaded_at"})
    assert compare_marts(ours, server, LOAD_EVENT_COLUMNS) == (1, {})


def test_the_servers_marts_copy_with_duckdbs_types(
    postgres_env: dict[str, str], tmp_path: Path
) -> None:
    """Lists (with a comma inside an element), decimals, dates, quotes and nulls arrive
    as DuckDB's mart holds them."""
    reference = tmp_path / "reference.duckdb"
    mart = (
        "select 1 as k, [3, 7] as load_ids, ['a', 'b,c'] as names, 12.345::decimal(18, 3) "
        "as funding, date '2023-12-31' as as_of, 'say \"hi\"' as note, "
        "null::double as share"
    )
    with duckdb.connect(str(reference)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_x as {mart}")
    with connect({**postgres_env, "KEPU_POSTGRES_DATABASE": "postgres"}) as con:
        con.autocommit = True
        con.execute("create database bench_copy")
    server = {**postgres_env, "KEPU_POSTGRES_DATABASE": "bench_copy"}
    with connect(server) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_x as select 1 as k, array[3, 7] as load_ids, "
            "array['a', 'b,c'] as names, 12.345::numeric as funding, date '2023-12-31' "
            "as as_of, 'say \"hi\"' as note, null::double precision as share"
        )
    copied = server_marts(reference, server, tmp_path / "copied.duckdb")
    with duckdb.connect(str(copied), read_only=True) as con:
        assert con.execute("select * from marts.fct_x").fetchall() == [
            (1, [3, 7], ["a", "b,c"], Decimal("12.345"), date(2023, 12, 31), 'say "hi"', None)
        ]
    assert compare_marts(reference, copied) == (1, {})


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


def test_a_server_stage_peak_memory_counts_the_servers_processes() -> None:
    """A client of a few MB while the server process holds 300 MB: the stage's peak is
    at least the server's."""
    holder = "import time; block = bytearray(300 << 20); time.sleep(30)"
    server = subprocess.Popen([sys.executable, "-c", holder])
    try:
        alone = run_measured([sys.executable, "-c", "import time; time.sleep(1.5)"])
        with_server = run_measured(
            [sys.executable, "-c", "import time; time.sleep(1.5)"], server=server.pid
        )
    finally:
        server.kill()
        server.wait()
    assert alone.peak_rss_mb < 100
    assert 300 <= with_server.peak_rss_mb - alone.peak_rss_mb < 360


def test_the_rebuild_benchmark_runs_on_duckdb_unless_told() -> None:
    assert parser().parse_args(["bench", "rebuild"]).engine == "duckdb"


# Figures made up so that every ratio is known: DuckDB 30 + 60 s, PostgreSQL 40 + 140 s,
# the floor 10 + 35 s; late returns of 9 s and 18 s.
FIGURES = BenchResult(
    scale="district",
    files=19,
    file_mb=1.2,
    rows={"regions": 100, "survey_respondents": 2_400},
    load=Stage(30.0, 310.0),
    build=Stage(60.0, 820.0),
    floor_read=Stage(10.0, 120.0),
    floor_transform=Stage(35.0, 400.0),
    incremental=Stage(9.0, 700.0),
    marts_compared=42,
    marts_differing={},
    postgres=ServerRebuild(
        server="a throw-away cluster the bench started (postgres (PostgreSQL) 15.14)",
        memory_measure="the client's process tree (RSS) and the server's (PSS)",
        load=Stage(40.0, 350.0),
        build=Stage(140.0, 1_900.0),
        incremental=Stage(18.0, 1_500.0),
        marts_compared_with="duckdb",
        marts_compared=42,
        marts_differing={"fct_funding": "funding_yuan"},
    ),
)


def test_the_report_sets_postgresql_beside_duckdb_and_the_floor() -> None:
    lines = report(FIGURES).splitlines()
    assert lines[2:9] == [
        "| stage | DuckDB s | peak MB | PostgreSQL s | peak MB | floor stage | floor s | peak MB |",
        "|---|---|---|---|---|---|---|---|",
        "| load (parse, type, check, land) | 30.0 | 310 | 40.0 | 350 | read (cells as text) "
        "| 10.0 | 120 |",
        "| build (dbt + tests + publish) | 60.0 | 820 | 140.0 | 1,900 | transform (models' SQL) "
        "| 35.0 | 400 |",
        "| **total** | **90.0** | | **180.0** | | | **45.0** | |",
        "| one late county return (load + build + publish) | 9.0 | 700 | 18.0 | 1,500 |  | | |",
        "",
    ]
    assert lines[9:] == [
        "DuckDB ÷ floor: 2.00 (goal ≤ 2); late return 10.0% of its full rebuild (goal ≤ 10%)",
        "PostgreSQL ÷ floor: 4.00 (goal ≤ 2); late return 10.0% of its full rebuild (goal ≤ 10%)",
        "peak memory of our stages: 1,900 MB (goal ≤ 2,048 MB)",
        "DuckDB's marts compared with the floor's: 42, differing: none",
        "PostgreSQL's published marts compared with duckdb's: 42, differing: "
        "fct_funding (funding_yuan)",
        "PostgreSQL server: a throw-away cluster the bench started (postgres (PostgreSQL) "
        "15.14); its memory: the client's process tree (RSS) and the server's (PSS)",
        f"memory: {FIGURES.memory_measure}",
    ]


def test_the_json_keeps_its_keys_and_gains_the_servers(tmp_path: Path) -> None:
    figures = json.loads(write_json(FIGURES, tmp_path / "rebuild.json").read_text())
    assert {key: figures[key] for key in ("ours_seconds", "floor_seconds", "postgres_seconds")} == {
        "ours_seconds": 90.0,
        "floor_seconds": 45.0,
        "postgres_seconds": 180.0,
    }
    assert figures["load"] == {"seconds": 30.0, "peak_rss_mb": 310.0}
    assert {"scale", "files", "file_mb", "rows", "build", "floor_read", "floor_transform",
            "incremental", "marts_compared", "marts_differing", "memory_measure",
            "goals"} <= set(figures)  # fmt: skip
    assert figures["postgres"]["build"] == {"seconds": 140.0, "peak_rss_mb": 1_900.0}
    assert figures["postgres"]["incremental"]["seconds"] == 18.0
    assert figures["postgres"]["marts_differing"] == {"fct_funding": "funding_yuan"}
    assert figures["postgres"]["server"].startswith("a throw-away cluster")


def test_the_report_without_duckdb_sets_the_server_beside_the_floor() -> None:
    alone = dataclasses.replace(FIGURES, load=None, build=None, incremental=None, marts_compared=0)
    lines = report(alone).splitlines()
    assert lines[2] == "| stage | PostgreSQL s | peak MB | floor stage | floor s | peak MB |"
    assert lines[6] == "| **total** | **180.0** | | | **45.0** | |"
    assert not any(line.startswith(("DuckDB", "| **total** | **90.0")) for line in lines)
