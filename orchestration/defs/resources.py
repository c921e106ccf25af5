"""Resources: the Kepu home, and the dbt command line. Both read the process environment."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from ingest.home import KepuHome
from orchestration.defs.project import DBT_EXECUTABLE, dbt_project


class Warehouse(dg.ConfigurableResource):
    """The Kepu home folder: warehouse file, archive, published snapshot, inbox."""

    home_dir: str

    @property
    def home(self) -> KepuHome:
        return KepuHome(Path(self.home_dir).resolve()).ensure()


# dbt finds the same warehouse: dbt_project/profiles.yml reads KEPU_WAREHOUSE or KEPU_HOME.
RESOURCES = {
    "warehouse": Warehouse(home_dir=dg.EnvVar("KEPU_HOME")),
    "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
}

defs = dg.Definitions(resources=RESOURCES)
