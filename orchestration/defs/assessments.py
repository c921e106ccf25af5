"""Assessment reports as an asset partitioned by plan and review point, with a schedule."""

import csv
from datetime import date

import dagster as dg

from ingest.home import REGISTRY_DIR
from orchestration.assess import assess
from orchestration.defs.resources import Warehouse

REVIEWS = REGISTRY_DIR / "reviews.csv"
ASSESSED_KINDS = {"midterm": "midterm", "final": "final", "checkpoint": "final"}


def review_points() -> list[str]:
    """`<plan_id>.<year>-<kind>` for every mid-term, final and checkpoint review of the
    registry's plans; plans without one are assessed at their monitoring years."""
    with REVIEWS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assessed = {r["plan_id"] for r in rows if r["review_kind"] in ASSESSED_KINDS}
    return sorted(
        f"{r['plan_id']}.{r['review_year']}-{r['review_kind']}"
        for r in rows
        if r["review_kind"] in ASSESSED_KINDS
        or (r["plan_id"] not in assessed and r["review_kind"] == "monitoring")
    )


def as_of_for(review_year: int) -> date:
    """A review of year Y is made in the first quarter of Y + 1, on Y's data."""
    return date(review_year + 1, 3, 31)


review_partitions = dg.StaticPartitionsDefinition(review_points())


@dg.asset(
    partitions_def=review_partitions,
    deps=["published_snapshot"],
    group_name="assessments",
    kinds={"docx", "xlsx"},
)
def assessment_report(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The plan's Word and Excel assessment, zh and en, as of its review point."""
    plan_id, point = context.partition_key.split(".", 1)
    year, kind = point.split("-", 1)
    as_of = as_of_for(int(year))
    home = warehouse.home
    written = assess(
        home, plan_ids=[plan_id], as_of=as_of, kind=ASSESSED_KINDS.get(kind, "monitoring"),
        langs=("zh", "en"), formats=("docx", "xlsx"), out_dir=home.root / "reports" / plan_id,
    )  # fmt: skip
    return dg.MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
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
        if key.split(".", 1)[1].startswith(f"{last_year}-"):
            yield dg.RunRequest(run_key=key, partition_key=key)
