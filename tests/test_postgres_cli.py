"""The command line on a PostgreSQL server (issue 13, KEPU_ENGINE=postgres): `kepu status`
and `kepu sql` read the server's published marts as they read the DuckDB snapshot, in
read-only transactions; a server that cannot be reached is a message, not a traceback."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.engine import connect
from ingest.home import KepuHome
from orchestration.cli import main

# Every load's sheets: whole numbers, text, booleans, times and dates, no floats (the two
# engines agree on those to 1e-9, not to the last printed digit).
LOAD_SHEETS = (
    "select load_id, file_name, sheet_name, table_name, rows_read, rows_accepted, "
    "is_synthetic, loaded_at, received_on from fct_load_audit order by load_id, sheet_name"
)


def _on_duckdb(demo_home: KepuHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEPU_ENGINE", raising=False)
    monkeypatch.setenv("KEPU_HOME", str(demo_home.root))


def _on_server(postgres_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPU_ENGINE", "postgres")
    for key in ("KEPU_POSTGRES_HOST", "KEPU_POSTGRES_PORT"):
        monkeypatch.setenv(key, postgres_env[key])
    monkeypatch.setenv("KEPU_POSTGRES_DATABASE", "kepu")  # the session's postgres_demo


def _printed(capsys: pytest.CaptureFixture[str], *arguments: str) -> list[str]:
    assert main(list(arguments)) == 0
    return capsys.readouterr().out.splitlines()


def _expected_loads(demo_home: KepuHome) -> pd.DataFrame:
    """The demo's loads computed with pandas from the raw audit the loader wrote."""
    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        audit = con.execute("select * from raw.load_audit").df()
    audit = audit.sort_values(["load_id", "sheet_name", "table_name"])
    audit["table_rows"] = audit["table_name"] + " " + audit["rows_accepted"].astype(str)
    return audit.groupby("load_id").agg(
        file_name=("file_name", "first"),
        tables=("table_rows", ", ".join),
        status=("status", "max"),
        synthetic=("is_synthetic", "max"),
        loaded_at=("loaded_at", "max"),
    )


@pytest.fixture
def on_both(
    demo_home: KepuHome,
    postgres_env: dict[str, str],
    postgres_demo: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """`kepu ARGUMENTS` on the DuckDB demo, then on the same demo on the server: the lines
    each printed."""

    def run(*arguments: str) -> tuple[list[str], list[str]]:
        _on_duckdb(demo_home, monkeypatch)
        on_duckdb = _printed(capsys, *arguments)
        _on_server(postgres_env, monkeypatch)
        return on_duckdb, _printed(capsys, *arguments)

    return run


def test_kepu_status_on_the_server_prints_the_loads_it_prints_on_duckdb(
    on_both, demo_home: KepuHome, postgres_env: dict[str, str]
) -> None:
    on_duckdb, on_server = on_both("status")
    port = postgres_env["KEPU_POSTGRES_PORT"]
    assert on_server[0] == f"snapshot  postgresql://127.0.0.1:{port}/kepu#marts"
    assert on_server[1].startswith("published ") and on_server[1].endswith(" (run demo)")
    assert on_server[2] == on_duckdb[2] == "data      includes SYNTHETIC demo data (合成演示数据)"
    assert on_server[3:] == on_duckdb[3:]
    expected = _expected_loads(demo_home)
    assert len(expected) > 100 and set(expected["status"]) == {"accepted"}
    heading, *loads = on_server[3:]
    assert heading.split() == [
        "load_id", "file_name", "sha256", "tables", "status", "synthetic", "loaded_at"
    ]  # fmt: skip
    assert len(loads) == len(expected)
    for line, (load_id, row) in zip(loads, expected.iterrows(), strict=True):
        loaded_at = row["loaded_at"].strftime("%Y-%m-%d %H:%M:%S")
        assert line.split()[:2] == [str(load_id), row["file_name"]]
        assert f" {row['tables']} accepted " in line
        assert line.endswith(f"{row['synthetic']} {loaded_at}")


def test_kepu_sql_csv_on_the_server_prints_duckdbs_cells(on_both, demo_home: KepuHome) -> None:
    on_duckdb, on_server = on_both("sql", "--csv", LOAD_SHEETS)
    assert on_server == on_duckdb
    printed = pd.read_csv(io.StringIO("\n".join(on_server)))
    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        audit = con.execute("select * from raw.load_audit").df()
    assert len(printed) == len(audit)
    assert printed["rows_accepted"].sum() == audit["rows_accepted"].sum()
    assert printed["load_id"].nunique() == audit["load_id"].nunique() > 100


def test_a_write_through_kepu_sql_on_the_server_is_refused(
    postgres_env: dict[str, str],
    postgres_demo: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _on_server(postgres_env, monkeypatch)
    with connect() as con:
        before = con.execute("select count(*) from marts.fct_load_audit").fetchone()[0]
    assert main(["sql", "delete from fct_load_audit"]) == 1
    assert "read-only transaction" in capsys.readouterr().err
    assert main(["sql", "create table marts.smuggled as select 1 as x"]) == 1
    with connect() as con:
        after = con.execute("select count(*) from marts.fct_load_audit").fetchone()[0]
        smuggled = con.execute("select to_regclass('marts.smuggled')").fetchone()[0]
    assert after == before > 100
    assert smuggled is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["status"], "无法连接数据库服务器"),
        (["sql", "select 1"], "无法连接数据库服务器"),
        (["build"], "无法连接数据库服务器"),
        (["demo", "--no-dashboard"], "无法连接数据库服务器"),
        (["ingest", "{file}", "--lang", "en"], "cannot connect to the database server"),
        (
            ["ingest", "{file}", "--no-build", "--lang", "en"],
            "cannot connect to the database server",
        ),
        (
            ["assess", "--plan", "all", "--as-of", "2025-03-31", "--kind", "final", "--lang", "en"],
            "cannot connect to the database server",
        ),
    ],
)
def test_every_command_that_reaches_an_unreachable_server_says_where_and_exits_2(
    arguments: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = _closed_port()
    home = KepuHome(tmp_path / "home")
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    monkeypatch.setenv("KEPU_ENGINE", "postgres")
    monkeypatch.setenv("KEPU_POSTGRES_HOST", "127.0.0.1")
    monkeypatch.setenv("KEPU_POSTGRES_PORT", str(port))
    monkeypatch.setenv("KEPU_POSTGRES_DATABASE", "kepu_nowhere")
    monkeypatch.setenv("KEPU_POSTGRES_USER", "statistician")
    monkeypatch.setenv("KEPU_POSTGRES_PASSWORD", "s3cret-word")
    monkeypatch.delenv("KEPU_LANG", raising=False)
    offered = tmp_path / "funding.csv"
    offered.write_text("地区代码,年份\n330304,2020\n", encoding="utf-8")
    assert main([a.format(file=offered) for a in arguments]) == 2
    printed = capsys.readouterr()
    assert printed.err.startswith(said)
    assert f"127.0.0.1:{port}" in printed.err
    assert "kepu_nowhere" in printed.err and "statistician" in printed.err
    assert "KEPU_POSTGRES_PORT" in printed.err and "Connection refused" in printed.err
    assert "s3cret-word" not in printed.err + printed.out
    assert "Traceback" not in printed.err
    assert not home.root.exists()  # refused before anything was archived or generated


def test_a_server_that_refuses_the_user_is_said_the_same_way(
    postgres_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _on_server(postgres_env, monkeypatch)
    monkeypatch.setenv("KEPU_POSTGRES_USER", "no_such_statistician")
    assert main(["status"]) == 2
    said = capsys.readouterr().err
    port = postgres_env["KEPU_POSTGRES_PORT"]
    assert said.startswith(
        f"无法连接数据库服务器 127.0.0.1:{port}（数据库 kepu，用户 no_such_statistician）"
    )
    assert 'role "no_such_statistician" does not exist' in said
