"""The dbt project, declared once: the dbt assets, the dbt resource and assessments use it.

Under `dagster dev`, `prepare_if_dev()` parses the project when the definitions load.
Every other process that loads the definitions (the `kepu` command line, the test session)
calls `prepare()` first, once; importing the definitions never runs dbt.
"""

import hashlib
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from ingest.home import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this interpreter, whether or not its folder is on PATH
# (`.venv/bin/kepu` runs without the environment activated).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


@cache
def prepare() -> None:
    """Parse the dbt project into its manifest, once per process.

    This is what `dbt_project.preparer.prepare` does (`dbt parse`), run with the dbt beside
    this interpreter: the preparer runs the `dbt` it finds on PATH."""
    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


# What a build's tables are computed from: the dbt project and the Python its models import.
PROJECT_SOURCES = (
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "seeds",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    REPO_ROOT / "survey",
)


@cache
def project_digest() -> str:
    """SHA-256 over every file the warehouse's tables are computed from (paths and bytes):
    a build made by other code than this one's cannot be partly reused."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for source in PROJECT_SOURCES
        for path in ([source] if source.is_file() else source.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    )
    for path in files:
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
