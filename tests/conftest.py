"""Shared fixtures. The dbt project is parsed and the Definitions loaded once per session;
the demo warehouse is built once per session through the real Dagster job."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import Browser, sync_playwright

from ingest.home import KepuHome
from orchestration.pg_cluster import throwaway_cluster


@pytest.fixture(autouse=True)
def main_module() -> Iterator[None]:
    """Each test ends with the interpreter's own `__main__`: `AppTest` installs the app it
    ran there and leaves it, and every process a later test spawns would import it first."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


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


@pytest.fixture(scope="session")
def postgres_env() -> Iterator[dict[str, str]]:
    """A throw-away cluster (orchestration.pg_cluster), stopped and removed afterwards;
    the environment that names it (KEPU_POSTGRES_*)."""
    with throwaway_cluster() as cluster:
        yield {**os.environ, **cluster.environ}


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
