"""Where Kepu Monitor keeps its files: one folder, `KEPU_HOME` (default `./var`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


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
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def ensure(self) -> KepuHome:
        for folder in (self.root, self.archive, self.published.parent, self.inbox):
            folder.mkdir(parents=True, exist_ok=True)
        return self
