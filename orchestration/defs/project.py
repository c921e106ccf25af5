"""The dbt project, declared once: the dbt assets, the dbt resource and assessments use it.

Under `dagster dev`, `prepare_if_dev()` parses the project when the definitions load.
Every other process that loads the definitions (the `kepu` command line, the test session)
calls `prepare()` first, once; importing the definitions never runs dbt.
"""

import fcntl
import hashlib
import json
import sys
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from ingest.engine import engine
from ingest.home import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this interpreter, whether or not its folder is on PATH
# (`.venv/bin/kepu` runs without the environment activated).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class KepuDbtCli(DbtCliResource):
    """dagster-dbt's dbt command line without two fixed costs of each invocation, ~3 s of
    a late return's 15 s dbt step on two cores (issue 12):

    - it ran `dbt --version`, a dbt process of its own (~1.5 s of imports), to learn the
      version of the dbt it runs: that is DBT_EXECUTABLE, installed beside this
      interpreter, so the version is that of the dbt this interpreter imports;
    - it opened dbt's adapter in this process (profile, plugins, macros: ~1.5 s), which
      dagster-dbt uses only to fetch column metadata and row counts, asked by nobody
      here.

    Both are private to dagster-dbt; if a new version stops calling them, invocations
    are as before, only slower (tests/test_definitions.py checks both still apply)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__ as dbt_version

        return version.parse(dbt_version)

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        return None


def dbt_cli() -> KepuDbtCli:
    """The dbt command line every build and parse runs."""
    return KepuDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


@cache
def prepare() -> None:
    """Parse the dbt project into its manifest, once per process, unless the manifest in
    the target folder was parsed from this very project (`parsed_stamp`).

    This is what `dbt_project.preparer.prepare` does (`dbt parse`), run with the dbt beside
    this interpreter: the preparer runs the `dbt` it finds on PATH. A parse is a dbt
    process of its own (~7 s on the shared machine, even when partial): every `kepu
    ingest` paid it before the build's own dbt started (issue 12: the late return).

    Processes that start together (two `kepu` commands, the test workers) parse one at a
    time, holding a lock beside the manifest: the second finds the first's manifest
    stamped and reuses it, instead of both writing the target folder at once."""
    target = dbt_project.manifest_path.parent
    target.mkdir(parents=True, exist_ok=True)
    with (target / PARSE_LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        stamp = target / PARSED_STAMP
        if stamp.is_file() and stamp.read_text() == parsed_stamp():
            return
        stamp.unlink(missing_ok=True)  # a parse that fails leaves no stamp behind
        dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
        stamp.write_text(parsed_stamp())


# The resource types a dbt build makes relations of.
BUILT_RESOURCES = ("model", "seed", "snapshot")


@cache
def manifest() -> dict[str, Any]:
    """The parsed project (`prepare`'s manifest.json), read once per process."""
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def built_nodes() -> dict[str, dict[str, Any]]:
    """The manifest's nodes a build makes relations of (BUILT_RESOURCES), by unique id."""
    return {
        unique_id: node
        for unique_id, node in manifest()["nodes"].items()
        if node["resource_type"] in BUILT_RESOURCES
    }


PARSED_STAMP = "kepu_parsed_from.txt"  # beside manifest.json: what it was parsed from
PARSE_LOCK = "kepu_parse.lock"  # held by the process parsing the project


def parsed_stamp() -> str:
    """What the manifest in the target folder is parsed from: the project's files
    (`project_digest`), the profile, the engine (the profile's target) and dbt's version;
    and the manifest itself (size and time written), so that any other dbt command that
    rewrites it (a `dbt build` by hand, with another engine) means a parse again."""
    from dbt.version import __version__ as dbt_version

    profile = hashlib.sha256((DBT_PROJECT_DIR / "profiles.yml").read_bytes()).hexdigest()
    manifest = dbt_project.manifest_path
    written = (
        f"{manifest.stat().st_size} {manifest.stat().st_mtime_ns}" if manifest.is_file() else ""
    )
    return f"{project_digest()} {profile} {engine()} dbt {dbt_version} manifest {written}\n"


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
