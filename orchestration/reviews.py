"""The registry's review calendar: which plan is assessed as of which date, as what kind.

Plain data, without Dagster: the assessment asset partitions by it, and the dashboard's
assessment page lists it without loading the orchestration.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Self

import vocabulary
from ingest.home import REGISTRY_DIR

REVIEWS = REGISTRY_DIR / "reviews.csv"
PLANS = REGISTRY_DIR / "plans.csv"
# A checkpoint of a long plan (Beijing 2025, 2035) closes a stage: it is assessed as a final
# assessment of the targets due by then, and the report, seeing the as-of date inside the
# plan's period, titles it the checkpoint's stage assessment (阶段评估), not 总结评估. Other
# review kinds are assessed as themselves when they are an assessment kind; a launch is not
# assessed.
CHECKPOINT_ASSESSED_AS = "final"


@dataclass(frozen=True)
class ReviewPoint:
    """One review of the registry's calendar: partition key `<plan_id>.<year>-<review_kind>`."""

    plan_id: str
    year: int
    review_kind: str

    @classmethod
    def from_key(cls, key: str) -> Self:
        plan_id, point = key.split(".", 1)
        year, review_kind = point.split("-", 1)
        return cls(plan_id, int(year), review_kind)

    @property
    def key(self) -> str:
        return f"{self.plan_id}.{self.year}-{self.review_kind}"

    @property
    def kind(self) -> str | None:
        """The assessment kind (codes.csv, assessment_kind) of the report, or None."""
        if self.review_kind == "checkpoint":
            return CHECKPOINT_ASSESSED_AS
        return self.review_kind if self.review_kind in vocabulary.codes("assessment_kind") else None

    @property
    def as_of(self) -> date:
        """A review of year Y is made in the first quarter of Y + 1, on Y's data."""
        return date(self.year + 1, 3, 31)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def monitoring_years(plan: dict[str, str], today: date) -> range:
    """The years a plan whose document names no review point is monitored: every year from
    its start to the last full year (its period end, if it has one). The registry records
    no such years (XX city's document names none); this calendar is the warehouse's."""
    last = today.year - 1
    if plan["period_end"]:
        last = min(last, int(plan["period_end"]))
    return range(int(plan["period_start"]), last + 1)


def review_points(today: date | None = None) -> list[ReviewPoint]:
    """The mid-term, final and checkpoint reviews of the registry's plans; a plan with none
    of these is assessed at its monitoring years, and a plan without any review point in
    the registry (its document names none) every year up to the last full year."""
    today = today or date.today()
    rows = _rows(REVIEWS)
    points = [ReviewPoint(r["plan_id"], int(r["review_year"]), r["review_kind"]) for r in rows]
    reviewed = {p.plan_id for p in points}
    points += [
        ReviewPoint(plan["plan_id"], year, "monitoring")
        for plan in _rows(PLANS)
        if plan["plan_id"] not in reviewed
        for year in monitoring_years(plan, today)
    ]
    assessed = [p for p in points if p.kind is not None]
    evaluated = {p.plan_id for p in assessed if p.kind != "monitoring"}
    chosen = [p for p in assessed if p.kind != "monitoring" or p.plan_id not in evaluated]
    return sorted(chosen, key=lambda p: p.key)
