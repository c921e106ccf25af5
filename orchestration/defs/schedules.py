"""A nightly rebuild, so the snapshot always reflects what is loaded."""

import dagster as dg

nightly_build = dg.ScheduleDefinition(
    name="nightly_build",
    job_name="build_job",
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    description="dbt build and publish every night at 02:00 Beijing time.",
)
