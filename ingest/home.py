"""Where Kepu Monitor keeps its files: one folder, `KEPU_HOME` (default `./var`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The five plans transcribed (CSV + README): what the demo loads, and the review calendar
# the Dagster assessment partitions are drawn from.
REGISTRY_DIR = REPO_ROOT / "registry"
ASSESSMENT_SNAPSHOT = "snapshot.duckdb"  # an assessment's marts, published for the dashboard


@dataclass(frozen=True)
class KepuHome:
    """The folder layout. Every component finds its files through this one object."""

    root: Path

    @classmethod
    def from_env(cls) -> KepuHome:
        return cls(Path(os.environ.get("KEPU_HOME", REPO_ROOT / "var")).resolve())

    @property
    def warehouse(self) -> Path:
        """The working DuckDB file: raw tables and dbt models. Only the pipeline writes it."""
        return self.root / "warehouse.duckdb"

    @property
    def archive(self) -> Path:
        """Every file ever offered, byte for byte, named by its SHA-256."""
        return self.root / "archive"

    @property
    def published(self) -> Path:
        """The read-only snapshot that dashboards and `kepu sql` read."""
        return self.root / "published" / "kepu.duckdb"

    @property
    def inbox(self) -> Path:
        """Files dropped here are loaded by the inbox sensor."""
        return self.root / "inbox"

    @property
    def demo(self) -> Path:
        """Where `kepu demo` writes the generated demo spreadsheets."""
        return self.root / "demo"

    @property
    def reports(self) -> Path:
        """Assessment reports, one folder per plan."""
        return self.root / "reports"

    def plan_reports(self, plan_id: str) -> Path:
        """The Word and Excel assessment reports of one plan."""
        return self.reports / plan_id

    @property
    def assessments(self) -> Path:
        """Warehouses rebuilt as of an assessment date, one folder per date."""
        return self.root / "assessments"

    def assessment(self, as_of: date, latest_data: bool = False) -> Path:
        """The folder of one assessment: its warehouse, dbt target and snapshot.

        `-latest` marks an assessment that includes loads received after the date."""
        return self.assessments / f"{as_of.isoformat()}{'-latest' if latest_data else ''}"

    def assessment_snapshots(self) -> dict[str, Path]:
        """The published snapshot of each assessment, by folder name, newest first."""
        found = sorted(self.assessments.glob(f"*/{ASSESSMENT_SNAPSHOT}"), reverse=True)
        return {path.parent.name: path for path in found}

    @property
    def build_record(self) -> Path:
        """Present while the warehouse is a whole published build (orchestration.build_state);
        whatever changes the warehouse removes it first."""
        return self.root / "build.json"

    @property
    def dbt_parse(self) -> Path:
        """dbt's parse of the project as the last build in this home made it (its
        partial_parse.msgpack): dbt's profile, and so whether it can reuse a parse, holds
        the warehouse's path."""
        return self.root / "dbt_partial_parse.msgpack"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def ensure(self) -> KepuHome:
        for folder in (self.root, self.archive, self.published.parent, self.inbox):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def fsync(path: Path) -> None:
    """Flush a file's writes, or a folder's entries (a rename into it), to disk: what an
    archived file or a published snapshot waits for before it counts as there."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
