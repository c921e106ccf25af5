"""Whether the warehouse's tables are a whole, published build of this code: what lets a
late file rebuild only what depends on it (`orchestration.incremental`).

Publishing records the dbt project's digest in the home (`KEPU_HOME/build.json`); landing
files and starting a dbt build forget it first, however the run was launched (the `kepu`
command line, the Dagster UI, a sensor), so a run that fails or is killed part way leaves
no record, and the next run builds everything.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ingest.home import KepuHome
from orchestration.defs.project import project_digest


def _state(home: KepuHome) -> Path:
    return home.root / "build.json"


def record_build(home: KepuHome, run_id: str) -> None:
    """The warehouse's tables are a whole, published build of this code (after publish)."""
    state = {"project_digest": project_digest(), "run_id": run_id}
    state["published_at"] = datetime.now(UTC).isoformat()
    _state(home).write_text(json.dumps(state, indent=1), encoding="utf-8")


def forget_build(home: KepuHome) -> None:
    """A run starts: until it publishes, the warehouse is not a whole build."""
    _state(home).unlink(missing_ok=True)


def built_by_this_code(home: KepuHome) -> bool:
    try:
        state = json.loads(_state(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("project_digest") == project_digest()
