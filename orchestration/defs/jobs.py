"""Jobs: load files then build and publish; or build and publish only."""

import dagster as dg

WAREHOUSE = dg.AssetSelection.all() - dg.AssetSelection.groups("assessments")

load_job = dg.define_asset_job(
    "load_job",
    selection=WAREHOUSE,
    description="Land the given files, check them, run dbt build and publish the snapshot.",
)
build_job = dg.define_asset_job(
    "build_job",
    selection=WAREHOUSE - dg.AssetSelection.groups("raw"),
    description="dbt build over what is loaded, then publish the snapshot.",
)
