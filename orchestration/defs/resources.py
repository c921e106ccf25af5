"""Resources: the Kepu home, and the dbt command line. Both read the process environment."""

from pathlib import Path

import dagster as dg

from ingest.home import KepuHome
from orchestration.defs.project import dbt_cli


class Warehouse(dg.ConfigurableResource):
    """The Kepu home folder: warehouse file, archive, published snapshot, inbox."""

    home_dir: str

    @property
    def home(self) -> KepuHome:
        return KepuHome(Path(self.home_dir).resolve()).ensure()


# dbt finds the same warehouse: dbt_project/profiles.yml reads KEPU_WAREHOUSE or KEPU_HOME.
RESOURCES = {
    "warehouse": Warehouse(home_dir=dg.EnvVar("KEPU_HOME")),
    "dbt": dbt_cli(),
}

defs = dg.Definitions(resources=RESOURCES)
