"""The module-scoped fixtures of the test_report*.py modules (their `pytest_plugins`): the
hand-built marts of `tests.report_marts` and the reports rendered from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report_marts import build_database, render
from tests.report_rows import MEASURES_PLAN


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("marts") / "kepu.duckdb")


@pytest.fixture(scope="module")
def zh(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("zh"))


@pytest.fixture(scope="module")
def en(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("en"), lang="en")


@pytest.fixture(scope="module")
def measures_zh(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("measures"), plan_id=MEASURES_PLAN)
