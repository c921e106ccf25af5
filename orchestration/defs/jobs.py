"""Jobs: load files then build and publish; or build and publish only."""

import dagster as dg

from orchestration.defs.checks import gx_checks

WAREHOUSE = dg.AssetSelection.all() - dg.AssetSelection.groups("assessments")

load_job = dg.define_asset_job(
    "load_job",
    selection=WAREHOUSE,
    description="Land the given files, check them, run dbt build and publish the snapshot.",
)
# The suites run in a build too: rows landed without one (`kepu ingest --no-build`, a run
# that failed) are checked before anything is built from them; when every load has passed
# they read nothing (orchestration/defs/checks.py).
build_job = dg.define_asset_job(
    "build_job",
    selection=(WAREHOUSE - dg.AssetSelection.groups("raw")) | dg.AssetSelection.checks(*gx_checks),
    description="Check the rows not yet checked, run dbt build over what is loaded, then "
    "publish the snapshot.",
)
