"""Shared fixtures. The dbt project is parsed and the Definitions loaded once per session;
the demo warehouse is built once per session through the real Dagster job."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from playwright.sync_api import Browser, sync_playwright

from dashboards.server import free_port
from ingest.home import KepuHome


@pytest.fixture(scope="session")
def definitions() -> dg.Definitions:
    """The project's Definitions, as the kepu command line loads them: the dbt project is
    prepared (parsed) first, once."""
    from orchestration.defs.project import prepare

    prepare()
    from orchestration.definitions import defs

    return defs()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> KepuHome:
    """A KEPU_HOME holding the demo data loaded, built and published by `load_job`."""
    from generator import generate
    from orchestration.run import run_job, use_home

    home = KepuHome(tmp_path_factory.mktemp("kepu_demo")).ensure()
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    use_home(home)  # the process environment, as `kepu demo` sets it
    outcome = run_job("load_job", generate(home.demo), quiet=True)
    assert outcome.success, f"demo build failed: run {outcome.run_id}"
    assert [load["status"] for load in outcome.loads] == ["accepted"] * len(outcome.loads)
    return home


@pytest.fixture
def home(tmp_path: Path) -> KepuHome:
    """An empty KEPU_HOME for tests that load their own files."""
    return KepuHome(tmp_path / "kepu").ensure()


@pytest.fixture
def home_env(home: KepuHome, monkeypatch: pytest.MonkeyPatch) -> KepuHome:
    """`home`, named by the environment for this test: what the `warehouse` resource
    (KEPU_HOME) and the dbt profile (KEPU_WAREHOUSE) read."""
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    monkeypatch.setenv("KEPU_WAREHOUSE", str(home.warehouse))
    return home


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True)
        yield launched
        launched.close()


# Debian's package keeps the binaries out of PATH, under /usr/lib/postgresql/NN/bin.
POSTGRES_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)


def postgres_binary(name: str) -> str:
    path = shutil.which(name) or next(
        (f"{d}/{name}" for d in POSTGRES_BIN_DIRS if os.path.exists(f"{d}/{name}")), None
    )
    if path is None:
        pytest.fail(f"{name} not found: install PostgreSQL (make system)")
    return path


@pytest.fixture(scope="session")
def postgres_env() -> Iterator[dict[str, str]]:
    """A throw-away cluster (initdb into a temporary directory, a free port), stopped and
    removed afterwards; the environment that names it (KEPU_POSTGRES_*). initdb refuses
    to run as root: as root, the cluster runs as `nobody` in a directory it owns."""
    root = tempfile.mkdtemp(prefix="kepu-pg-")
    as_user = ["runuser", "-u", "nobody", "--"] if os.getuid() == 0 else []
    if as_user:
        shutil.chown(root, user="nobody")
    data, port = f"{root}/data", free_port()
    run = {"check": True, "capture_output": True, "cwd": root}
    subprocess.run(
        [*as_user, postgres_binary("initdb"), "-D", data, "-U", "kepu", "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8"],
        **run,
    )  # fmt: skip
    pg_ctl = postgres_binary("pg_ctl")
    options = f"-p {port} -k {root} -h 127.0.0.1"
    subprocess.run(
        [*as_user, pg_ctl, "-D", data, "-l", f"{root}/log", "-o", options, "-w", "start"], **run
    )
    try:
        environ = {"KEPU_POSTGRES_HOST": "127.0.0.1", "KEPU_POSTGRES_PORT": str(port)}
        with psycopg.connect(
            host="127.0.0.1", port=port, user="kepu", dbname="postgres", autocommit=True
        ) as con:
            con.execute("create database kepu")
        yield {**os.environ, **environ}
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", data, "-m", "fast", "stop"], **run)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_demo(demo_home: KepuHome, postgres_env: dict[str, str]) -> dict[str, int]:
    """The demo's raw tables copied to the server and the dbt project built there; the
    rows copied, by table."""
    from orchestration.postgres import build, copy_raw_tables
    from orchestration.postgres_publish import publish

    copied = copy_raw_tables(demo_home.warehouse, postgres_env)
    build("demo", postgres_env)
    publish("demo", environ=postgres_env)
    return copied
