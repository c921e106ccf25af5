"""dbt unit tests (per-capita, roll-up, scoring, counts, coverage, NCHS flags, indicator
values, the as-of cut-off, progress) pass."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from ingest.home import KepuHome
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR


def test_dbt_unit_tests_pass(demo_home: KepuHome, tmp_path: Path) -> None:
    completed = subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", "test_type:unit", "--project-dir",
         str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        # a target folder of its own: the shared one holds the manifest other processes read
        env={**os.environ, "KEPU_WAREHOUSE": str(demo_home.warehouse),
             "DBT_TARGET_PATH": str(tmp_path / "dbt_target")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    defined = sum(
        len(yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests") or [])
        for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
    )
    summary = re.search(r"PASS=(\d+) WARN=0 ERROR=0 SKIP=0", completed.stdout)
    assert summary, completed.stdout[-3000:]
    assert int(summary.group(1)) == defined  # every unit test in the YAML ran and passed
