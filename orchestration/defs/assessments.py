"""Assessment reports as an asset partitioned by plan and review point, with a schedule."""

import dagster as dg

import vocabulary
from orchestration.assess import assess
from orchestration.defs.resources import Warehouse
from orchestration.reviews import ReviewPoint, review_points

review_partitions = dg.StaticPartitionsDefinition([p.key for p in review_points()])


@dg.asset(
    partitions_def=review_partitions,
    deps=["published_snapshot"],
    group_name="assessments",
    kinds={"docx", "xlsx"},
)
def assessment_report(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The plan's Word and Excel assessment, zh and en, as of its review point."""
    point = ReviewPoint.from_key(context.partition_key)
    written = assess(
        warehouse.home,
        plan_ids=[point.plan_id],
        as_of=point.as_of,
        kind=point.kind,
        langs=vocabulary.LANGUAGES,
        formats=("docx", "xlsx"),
    )
    return dg.MaterializeResult(
        metadata={
            "as_of": point.as_of.isoformat(),
            "kind": point.kind,
            "files": dg.MetadataValue.json([str(p) for p in written]),
        }
    )


assessment_job = dg.define_asset_job(
    "assessment_job", selection=dg.AssetSelection.assets(assessment_report)
)


@dg.schedule(job=assessment_job, cron_schedule="0 4 1 4 *", execution_timezone="Asia/Shanghai")
def review_schedule(context: dg.ScheduleEvaluationContext):
    """Every 1 April: the assessments of the review points of the year just ended."""
    last_year = context.scheduled_execution_time.year - 1
    for key in review_partitions.get_partition_keys():
        if ReviewPoint.from_key(key).year == last_year:
            yield dg.RunRequest(run_key=key, partition_key=key)
