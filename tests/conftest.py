"""Shared fixtures. The demo warehouse is built once per session through the real Dagster job."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.home import KepuHome


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> KepuHome:
    """A KEPU_HOME holding the demo data loaded, built and published by `load_job`."""
    from generator import generate
    from orchestration.run import run_job

    home = KepuHome(tmp_path_factory.mktemp("kepu_demo")).ensure()
    os.environ["KEPU_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    outcome = run_job("load_job", generate(home.demo), quiet=True)
    assert outcome.success, f"demo build failed: run {outcome.run_id}"
    assert [load["status"] for load in outcome.loads] == ["accepted"] * len(outcome.loads)
    return home


@pytest.fixture
def home(tmp_path: Path) -> KepuHome:
    """An empty KEPU_HOME for tests that load their own files."""
    return KepuHome(tmp_path / "kepu").ensure()
