"""Resources: where the warehouse lives, and the dbt CLI."""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from ingest.home import REPO_ROOT, KepuHome

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this interpreter, whether or not its folder is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class Warehouse(dg.ConfigurableResource):
    """The Kepu home folder: warehouse file, archive, published snapshot, inbox."""

    home_dir: str

    @property
    def home(self) -> KepuHome:
        return KepuHome(Path(self.home_dir)).ensure()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(home_dir=str(KepuHome.from_env().root)),
            "dbt": DbtCliResource(
                project_dir=dbt_project,
                profiles_dir=str(DBT_PROJECT_DIR),
                dbt_executable=DBT_EXECUTABLE,
            ),
        }
    )
