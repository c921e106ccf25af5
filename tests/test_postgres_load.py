"""The loader on a PostgreSQL server (issue 13, KEPU_ENGINE=postgres), against a real
throw-away cluster: the same rows as on DuckDB, one transaction per file, and many loads
at once losing or duplicating nothing."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
import weakref
from collections import Counter
from pathlib import Path

import duckdb
import psycopg
import pytest

from ingest import load
from ingest.engine import connect
from ingest.home import KepuHome
from ingest.load import _landing_order, _Offered, load_files
from ingest.read import FileResult
from ingest.store import LOAD_LOCK_KEY
from tests.engine_frames import comparable, sort_key
from tests.helpers import REGIONS_ROWS, write_sheet

# Where two loads of the same files differ by nature: which load, when, which home.
LOAD_COLUMNS = {"load_id", "loaded_at", "archived_path"}
# The files every process of the concurrency test offers: the registers the others need.
SHARED_PREFIXES = ("regions", "registry_")
# One family of demo files per process, so that no file waits for another process's.
FAMILIES = (
    "population_",
    "funding_",
    "survey_",
    "facilities_",
    "activities_",
    "registers_",
    "measure_reports_",
    "task_reports_",
)
LOADER = """
import json, sys
from pathlib import Path
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.store import LOAD_LOCK_KEY
waited = []
outcomes = load_files(
    [Path(p) for p in sys.argv[2:]], KepuHome(Path(sys.argv[1])), on_wait=waited.append
)
print(json.dumps([[o.file_name, o.status, o.load_id] for o in outcomes]))
print(json.dumps(waited))
"""


def server_database(postgres_env: dict[str, str], name: str) -> dict[str, str]:
    """A new, empty database on the session's cluster; the environment that loads into it."""
    settings = {
        "host": postgres_env["KEPU_POSTGRES_HOST"],
        "port": postgres_env["KEPU_POSTGRES_PORT"],
    }
    with psycopg.connect(**settings, user="kepu", dbname="postgres", autocommit=True) as con:
        con.execute(f"drop database if exists {name}")
        con.execute(f"create database {name}")
    return {**postgres_env, "KEPU_ENGINE": "postgres", "KEPU_POSTGRES_DATABASE": name}


def use(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("KEPU_ENGINE", "KEPU_POSTGRES_HOST", "KEPU_POSTGRES_PORT"):
        monkeypatch.setenv(key, environ[key])
    monkeypatch.setenv("KEPU_POSTGRES_DATABASE", environ["KEPU_POSTGRES_DATABASE"])


def duckdb_tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return _raw_rows(con)


def server_tables(environ: dict[str, str]) -> dict[str, list[tuple]]:
    with connect(environ) as con:
        return _raw_rows(con)


def _raw_rows(con: duckdb.DuckDBPyConnection | psycopg.Connection) -> dict[str, list[tuple]]:
    """Every raw table's rows, without the load columns, as sorted comparable tuples (the
    two engines' connections execute and fetch alike)."""
    columns = _columns(
        con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'raw' order by table_name, ordinal_position"
        ).fetchall()
    )
    return {t: _sorted(con.execute(_select(t, c)).fetchall()) for t, c in columns.items()}


def _columns(found: list[tuple[str, str]]) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in found:
        if column not in LOAD_COLUMNS:
            columns.setdefault(table, []).append(column)
    return columns


def _select(table: str, columns: list[str]) -> str:
    return f"select {', '.join(columns)} from raw.{table}"


def _sorted(found: list[tuple]) -> list[tuple]:
    return sorted((tuple(comparable(v) for v in row) for row in found), key=sort_key)


def server_audit(environ: dict[str, str]) -> list[tuple]:
    with connect(environ) as con:
        return con.execute(
            "select distinct load_id, file_name, status from raw.load_audit order by load_id"
        ).fetchall()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from generator import generate

    return generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def duckdb_demo(
    demo_files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, list[tuple]], float]:
    """The demo files loaded into a DuckDB home: its raw rows and the seconds it took."""
    home = KepuHome(tmp_path_factory.mktemp("duckdb_home")).ensure()
    started = time.perf_counter()
    outcomes = load_files(demo_files, home)
    seconds = time.perf_counter() - started
    assert Counter(o.status for o in outcomes) == {"accepted": len(demo_files)}
    return duckdb_tables(home.warehouse), seconds


def test_the_demo_lands_on_the_server_with_duckdbs_rows(
    demo_files: list[Path],
    duckdb_demo: tuple[dict[str, list[tuple]], float],
    postgres_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environ = server_database(postgres_env, "kepu_demo_load")
    use(environ, monkeypatch)
    started = time.perf_counter()
    outcomes = load_files(demo_files, KepuHome(tmp_path / "home"))
    seconds = time.perf_counter() - started
    expected, duckdb_seconds = duckdb_demo
    print(f"demo load: DuckDB {duckdb_seconds:.1f} s, PostgreSQL {seconds:.1f} s")
    assert [o.status for o in outcomes] == ["accepted"] * len(demo_files)
    assert sorted(o.load_id for o in outcomes) == list(range(1, len(demo_files) + 1))
    # registers first: in load_id order, the depth of what each file refers to never drops
    depth = {
        o.file_name: _landing_order(_Offered(p, p.name, archived=p))
        for p, o in zip(demo_files, outcomes, strict=True)
    }
    in_order = [depth[o.file_name] for o in sorted(outcomes, key=lambda o: o.load_id)]
    assert in_order == sorted(in_order) and in_order[0] == 0
    landed = server_tables(environ)
    assert set(landed) == set(expected)
    assert len(landed["survey_responses"]) > 100_000
    assert {t: len(r) for t, r in landed.items()} == {t: len(r) for t, r in expected.items()}
    unequal = [table for table in expected if landed[table] != expected[table]]
    assert unequal == []


def test_eight_processes_at_once_land_each_file_once(
    demo_files: list[Path],
    duckdb_demo: tuple[dict[str, list[tuple]], float],
    postgres_env: dict[str, str],
    tmp_path: Path,
) -> None:
    environ = server_database(postgres_env, "kepu_concurrent_load")
    shared = [p for p in demo_files if p.name.startswith(SHARED_PREFIXES)]
    subsets = [[p for p in demo_files if p.name.startswith(f)] for f in FAMILIES]
    assert len(shared) == 6
    assert sum(map(len, subsets)) + len(shared) == len(demo_files)
    home = tmp_path / "home"  # one home for all: the archive is shared too
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(home), *map(str, shared + subset)],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for subset in subsets
    ]
    printed, waits = [], []
    for process in processes:
        out, err = process.communicate(timeout=1200)
        assert process.returncode == 0, err
        outcomes, waited = out.strip().splitlines()[-2:]
        printed.append(json.loads(outcomes))
        waits += json.loads(waited)
    assert waits, "no load waited for another: the test did not load concurrently"
    for subset, outcomes in zip(subsets, printed, strict=True):
        assert [name for name, _, _ in outcomes] == [p.name for p in shared + subset]
        assert {status for _, status, _ in outcomes[len(shared) :]} == {"accepted"}
    shared_statuses = Counter(
        (name, status) for outcomes in printed for name, status, _ in outcomes[: len(shared)]
    )
    assert shared_statuses == {
        **{(p.name, "accepted"): 1 for p in shared},
        **{(p.name, "duplicate"): 7 for p in shared},
    }
    audit = server_audit(environ)
    assert Counter(status for _, _, status in audit) == {"accepted": len(demo_files)}
    assert sorted(name for _, name, _ in audit) == sorted(p.name for p in demo_files)
    assert [load_id for load_id, _, _ in audit] == list(range(1, len(demo_files) + 1))
    expected, _ = duckdb_demo
    landed = server_tables(environ)
    assert {t: len(r) for t, r in landed.items()} == {t: len(r) for t, r in expected.items()}
    unequal = [table for table in expected if landed[table] != expected[table]]
    assert unequal == []


def _funding(path: Path, code: str) -> Path:
    return write_sheet(
        path,
        "科普经费",
        [
            ["地区代码", "年份", "来源", "金额(万元)"],
            ["330304", 2020, "政府拨款", 162.10],
            [code, 2020, "科普专项经费", 10.0],
        ],
    )


def test_a_file_refused_on_the_server_leaves_its_located_problem_and_no_rows(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(server_database(postgres_env, "kepu_refused_load"), monkeypatch)
    home = KepuHome(tmp_path / "home")
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    (outcome,) = load_files([_funding(tmp_path / "funding_bad.xlsx", "330399")], home)
    assert (outcome.status, outcome.load_id) == ("rejected", 2)
    with connect() as con:
        errors = con.execute(
            "select load_id, file_name, sheet_name, source_row, column_name, value, error_code "
            "from raw.load_errors"
        ).fetchall()
        audit = con.execute(
            "select status, rows_read, rows_accepted, rows_rejected from raw.load_audit "
            "where load_id = 2"
        ).fetchall()
        funding = con.execute("select count(*) from raw.funding_returns").fetchone()[0]
    located = ("科普经费", 3, "地区代码 (region_code)", "330399", "unknown_reference")
    assert errors == [(2, "funding_bad.xlsx", *located)]
    assert audit == [("rejected", 2, 0, 1)]
    assert funding == 0


def test_a_file_whose_write_fails_midway_leaves_nothing_on_the_server(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The funding rows are copied before the audit (tables in name order); the server
    refusing the audit row undoes the rows too."""
    use(server_database(postgres_env, "kepu_failed_load"), monkeypatch)
    home = KepuHome(tmp_path / "home")
    load_files([write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)], home)
    with connect() as con:
        con.execute(
            "alter table raw.load_audit add constraint no_crash check (file_name <> 'crash.xlsx')"
        )
    with pytest.raises(psycopg.errors.CheckViolation):
        load_files([_funding(tmp_path / "crash.xlsx", "330304")], home)
    (later,) = load_files([_funding(tmp_path / "funding.xlsx", "330304")], home)
    with connect() as con:
        funding = con.execute("select load_id, count(*) from raw.funding_returns group by 1")
        assert funding.fetchall() == [(2, 2)]
        assert con.execute("select count(*) from raw.load_audit").fetchone()[0] == 2
    assert (later.status, later.load_id) == ("accepted", 2)


def test_a_load_waiting_for_another_is_told_who_holds_the_server_lock(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another loader (named as a loader names itself) holds the lock and lets go once
    the waiting load has been told who it is."""
    use(server_database(postgres_env, "kepu_waiting_load"), monkeypatch)
    told = []
    with connect() as other:
        other.autocommit = True
        other.execute(
            "select set_config('application_name', %s, false)",
            ["kepu ingest 4242 2026-12-02T12:00:00+08:00"],
        )
        other.execute("select pg_advisory_lock(%s)", [LOAD_LOCK_KEY])

        def let_go(holder: dict) -> None:
            told.append(holder)
            other.execute("select pg_advisory_unlock(%s)", [LOAD_LOCK_KEY])

        regions = write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS_ROWS)
        (outcome,) = load_files([regions], KepuHome(tmp_path / "home"), on_wait=let_go)
    assert told == [{"pid": 4242, "started_at": "2026-12-02T12:00:00+08:00", "purpose": "ingest"}]
    assert (outcome.status, outcome.load_id) == ("accepted", 1)


def test_a_server_batch_reads_each_file_holding_at_most_one_other(
    postgres_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read is counted with the other files' rows still held at that moment: at
    most one (the file landing while the next is read ahead), so a batch of any size
    holds two files' rows at most. Both funding files wait for a register its sheet
    name does not give away, and are read again (not held) once it has landed."""
    use(server_database(postgres_env, "kepu_turns_load"), monkeypatch)
    results: list[weakref.ref[FileResult]] = []
    reads: list[tuple[str, int]] = []
    real = load.read_file

    def counted(path, name, **kwargs):
        gc.collect()
        reads.append((name, sum(result() is not None for result in results)))
        result = real(path, name, **kwargs)
        results.append(weakref.ref(result))
        return result

    monkeypatch.setattr(load, "read_file", counted)
    town = _funding(tmp_path / "funding_town.xlsx", "330304901")
    city = _funding(tmp_path / "funding_city.xlsx", "330300")
    regions = write_sheet(tmp_path / "regions.xlsx", "Sheet1", REGIONS_ROWS)
    outcomes = load_files([town, city, regions], KepuHome(tmp_path / "home"))
    assert {o.file_name: (o.status, o.load_id) for o in outcomes} == {
        "regions.xlsx": ("accepted", 1),
        "funding_town.xlsx": ("accepted", 2),
        "funding_city.xlsx": ("accepted", 3),
    }
    assert sorted(name for name, _ in reads[:3]) == [
        "funding_city.xlsx",
        "funding_town.xlsx",
        "regions.xlsx",
    ]
    assert [name for name, _ in reads[3:]] == ["funding_town.xlsx", "funding_city.xlsx"]
    assert max(held for _, held in reads) == 1
