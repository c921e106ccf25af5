"""Whether the warehouse's tables are a whole, published build of this code: what lets a
late file rebuild only what depends on it (`orchestration.incremental`).

Publishing records the dbt project's digest in the home (`KepuHome.build_record`); the
loader (however it is called: `kepu ingest`, `--no-build`, the upload page, the Dagster UI)
and a starting dbt build remove it first, so a run that fails or is killed part way leaves
no record, and the next run builds everything.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ingest.home import KepuHome
from orchestration.defs.project import project_digest


def record_build(home: KepuHome, run_id: str) -> None:
    """The warehouse's tables are a whole, published build of this code (after publish)."""
    state = {"project_digest": project_digest(), "run_id": run_id}
    state["published_at"] = datetime.now(UTC).isoformat()
    home.build_record.write_text(json.dumps(state, indent=1), encoding="utf-8")


def forget_build(home: KepuHome) -> None:
    """A run starts: until it publishes, the warehouse is not a whole build."""
    home.build_record.unlink(missing_ok=True)


def whole_build(home: KepuHome) -> str | None:
    """The run id of the whole, published build of this code that the warehouse's tables
    are, or None."""
    try:
        state = json.loads(home.build_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state.get("run_id") if state.get("project_digest") == project_digest() else None
