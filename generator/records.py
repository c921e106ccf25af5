"""Synthetic records behind the count, stock and coverage targets, marked synthetic.

The warehouse counts these the way the measurement rules (`registry/measurement_rules.csv`)
say, so each workbook is calibrated to an outcome at the level of the rule, not of a row:

- **Units and facilities.** Synthetic communities and villages under the synthetic towns of
  Zengcheng and Ouhai, and a scaled-down stand-in for Shenzhen (10 synthetic streets of about
  20 communities each). A few villages merge or are created, so the unit register changes
  from year to year. Every year 3–6% of villages send no facility return at all; they stay in
  the register and count as not covered. The number of units with an active facility among
  those that report is set exactly to the coverage path (Shenzhen communities 55% in 2017 to
  72% in 2020; Zengcheng village activity stations 60% to 86%, just short of the plan's 90%).
- **Activities.** Rows that count carry exactly the activity types and target groups of the
  rules; their yearly totals (row counts, person-times, 万元) are split exactly. Rows of other
  types and groups (exhibitions, contests, training for workers) are noise that must not count.
- **Registers.** Stocks follow year-end paths with real exits, so more people register than
  are on the register at any year end; new entities follow yearly paths.
- **Measure reports.** Half-yearly status reports of the XX city measures, each responsible
  unit moving from 未启动 to 进行中 to 已完成, some falling 逾期, a few never reporting.

Each workbook is one multi-year return, received on the 31 March after the last year it
covers (the measure reports on the date of the last report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.home import REGISTRY_DIR
from ingest.specs import (
    ACTIVITIES,
    ENTITY_REGISTER,
    FACILITIES,
    LIST_SEPARATORS,
    MEASURE_REPORTS,
    UNIT_REGISTER,
)
from ingest.workbook import write_workbook

RECORD_YEARS = range(2016, 2026)


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class Change:
    """A village created in `year` in town number `town`, from `merged` villages if given."""

    town: int
    year: int
    merged: tuple[int, ...] = ()


@dataclass(frozen=True)
class Area:
    """A county or city whose towns and villages are synthetic."""

    code: str
    prefix: str
    zh: str
    en: str
    town_zh: str
    town_en: str
    village_zh: str
    village_en: str
    villages: tuple[int, ...]  # villages per town, in town order
    changes: tuple[Change, ...] = ()
    stand_in: bool = False  # towns are synthetic here too (Shenzhen's scaled-down streets)


AREAS = (
    Area(
        "440118",
        "ZC",
        "增城",
        "Zengcheng",
        "镇街",
        "town",
        "村社区",
        "village",
        (24, 27, 22, 26, 25, 28, 23, 25, 26, 24, 25),
        (Change(4, 2018, (25, 26)), Change(1, 2019)),
    ),
    Area(
        "330304",
        "OH",
        "瓯海",
        "Ouhai",
        "镇街",
        "town",
        "村社区",
        "village",
        (20, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22, 18),
        (Change(5, 2019, (18, 19)), Change(9, 2019, (16, 17)), Change(2, 2021)),
    ),
    Area(
        "440300",
        "SZ",
        "深圳",
        "Shenzhen",
        "街道",
        "street",
        "社区",
        "community",
        (19, 21, 20, 22, 18, 20, 21, 19, 20, 20),
        (Change(3, 2019), Change(7, 2019), Change(7, 2022, (20, 21))),
        stand_in=True,
    ),
)
AREAS_BY_CODE = {a.code: a for a in AREAS}
STAND_IN_EN = " (scaled-down stand-in)"


def _unit_rows(area: Area) -> list[dict]:
    first, last = RECORD_YEARS.start, RECORD_YEARS.stop - 1
    suffix = STAND_IN_EN if area.stand_in else ""
    rows = []
    for t, count in enumerate(area.villages, start=1):
        town = f"{area.code}{900 + t}"
        rows.append(
            {
                "region_code": town,
                "name_zh": f"{area.zh}合成{area.town_zh}{t:02d}",
                "name_en": f"{area.en} synthetic {area.town_en} {t:02d}{suffix}",
                "level": "town",
                "parent_code": area.code,
                "first_year": first,
                "last_year": last,
            }
        )
        spans = {v: [first, last] for v in range(1, count + 1)}
        for change in (c for c in area.changes if c.town == t):
            for v in change.merged:
                spans[v][1] = change.year - 1
            spans[max(spans) + 1] = [change.year, last]
        rows += [
            {
                "region_code": f"{town}{900 + v}",
                "name_zh": f"{area.zh}合成{area.village_zh}{t:02d}-{v:02d}",
                "name_en": f"{area.en} synthetic {area.village_en} {t:02d}-{v:02d}{suffix}",
                "level": "village",
                "parent_code": town,
                "first_year": start,
                "last_year": end,
            }
            for v, (start, end) in spans.items()
        ]
    return [{**r, "area": area.code} for r in rows]


def _units() -> pd.DataFrame:
    """Every synthetic town and village with its area and the years it exists."""
    return pd.DataFrame([row for area in AREAS for row in _unit_rows(area)])


def synthetic_units() -> pd.DataFrame:
    """Region-register rows for the synthetic villages, and Shenzhen's synthetic streets.

    Zengcheng's and Ouhai's synthetic towns are registered by `generator.registry.regions_frame`.
    """
    units = _units()
    stand_in = units["area"].map(lambda code: AREAS_BY_CODE[code].stand_in)
    keep = (units["level"] == "village") | stand_in
    columns = ["region_code", "name_zh", "name_en", "level", "parent_code"]
    return units.loc[keep, columns].assign(is_synthetic="true").reset_index(drop=True)


def unit_register_frame(units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit per year it exists."""
    years = np.array(RECORD_YEARS)
    exists = _exists(units, years)
    unit, year = np.nonzero(exists)
    return pd.DataFrame(
        {
            "year": years[year],
            "region_code": units["region_code"].to_numpy()[unit],
            "unit_name": units["name_zh"].to_numpy()[unit],
        }
    ).sort_values(["year", "region_code"], ignore_index=True)


def _exists(units: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    first = units["first_year"].to_numpy()[:, None]
    last = units["last_year"].to_numpy()[:, None]
    return (first <= years) & (years <= last)


# ---------------------------------------------------------------- facilities


@dataclass(frozen=True)
class FacilityPlan:
    """How many units of one level of an area have an active facility, year by year.

    `path` is a percentage of the level's units in the register, or with `counts` a number of
    units. New facilities take a type from `types` by share; with `second_share`, that share
    of the facilities that last to the end gain a second facility of another type.
    """

    area: str
    level: str
    types: Mapping[str, float]
    path: Mapping[int, float]
    counts: bool = False
    closure_rate: float = 0.01
    second_share: float = 0.0


STATION, GALLERY, VENUE = "activity_station", "gallery", "venue"
FACILITY_PLANS = (
    FacilityPlan(
        "440118",
        "town",
        {STATION: 1},
        dict(zip(RECORD_YEARS, (8, 9, 10, 10, 11, 11, 11, 11, 11, 11), strict=True)),
        counts=True,
        closure_rate=0.0,
    ),
    FacilityPlan(
        "440118",
        "village",
        {STATION: 1},
        dict(zip(RECORD_YEARS, (60, 67, 74, 80, 86, 88, 89, 90, 91, 92), strict=True)),
    ),
    FacilityPlan(
        "440118",
        "village",
        {GALLERY: 1},
        dict(zip(RECORD_YEARS, (62, 61, 60, 59, 58, 57, 57, 56, 56, 55), strict=True)),
        closure_rate=0.02,
    ),
    FacilityPlan(
        "330304",
        "town",
        {STATION: 1},
        dict(zip(RECORD_YEARS, (9, 10, 10, 11, 12, 12, 12, 13, 13, 13), strict=True)),
        counts=True,
        closure_rate=0.0,
    ),
    FacilityPlan(
        "330304",
        "town",
        {VENUE: 1},
        dict(zip(RECORD_YEARS, (2, 3, 4, 5, 6, 6, 6, 7, 7, 7), strict=True)),
        counts=True,
        closure_rate=0.0,
    ),
    FacilityPlan(
        "330304",
        "village",
        {STATION: 1},
        dict(zip(RECORD_YEARS, (38, 42, 47, 52, 56, 60, 63, 66, 69, 72), strict=True)),
    ),
    FacilityPlan(
        "330304",
        "village",
        {GALLERY: 1},
        dict(zip(RECORD_YEARS, (6, 8, 9, 10, 12, 13, 15, 16, 18, 20), strict=True)),
        counts=True,
        closure_rate=0.0,
    ),
    FacilityPlan(
        "440300",
        "town",
        {STATION: 1},
        dict(zip(RECORD_YEARS, (8, 9, 9, 10, 10, 10, 10, 10, 10, 10), strict=True)),
        counts=True,
        closure_rate=0.0,
    ),
    FacilityPlan(
        "440300",
        "village",
        {STATION: 0.6, GALLERY: 0.3, VENUE: 0.1},
        dict(zip(RECORD_YEARS, (50, 55, 61, 66, 72, 74, 76, 78, 80, 82), strict=True)),
        second_share=0.35,
    ),
)
FACILITY_LABELS = {
    STATION: "科普活动站(室)",
    GALLERY: "科普画廊(宣传栏)",
    VENUE: "科普场馆",
    "none": "无",
}
FACILITY_LETTERS = {STATION: "S", GALLERY: "G", VENUE: "V"}
STATUS_LABELS = {"active": "在用", "closed": "停用", "building": "在建"}
# Median content updates per active village gallery in Zengcheng (the plan asks ≥ 10 a year).
ZENGCHENG_UPDATE_MEDIANS = dict(
    zip(RECORD_YEARS, (11, 11, 11, 9, 12, 12, 12, 13, 12, 13), strict=True)
)
NON_REPORTING = (0.03, 0.06)  # share of villages sending no facility return, per year


def _facility_name(area: str, level: str, kind: str) -> str:
    if kind == STATION:
        return "科普活动站" if level == "town" else "科普活动室"
    if kind == GALLERY:
        return "科普长廊" if area == "330304" else "科普画廊"
    return "科普馆"


def _reporting(units: pd.DataFrame, years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which unit sends a facility return in which year: towns always, villages mostly."""
    exists = _exists(units, years)
    reports = exists.copy()
    villages = (units["level"] == "village").to_numpy()
    for area in units["area"].unique():
        in_area = (units["area"] == area).to_numpy() & villages
        for j in range(len(years)):
            candidates = np.flatnonzero(in_area & exists[:, j])
            share = rng.uniform(*NON_REPORTING)
            silent = rng.choice(candidates, round(share * len(candidates)), replace=False)
            reports[silent, j] = False
    return reports


def _targets(plan: FacilityPlan, exists: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Units to cover each year: the path's count, or its share of the units that exist."""
    path = np.array([plan.path[int(y)] for y in years], dtype=float)
    if plan.counts:
        return path.astype(int)
    return np.round(path / 100 * exists.sum(axis=0)).astype(int)


def _simulate(
    plan: FacilityPlan,
    exists: np.ndarray,
    seen: np.ndarray,
    years: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Year-end state per unit × year: active, closed this year, facility number, type, opening.

    Facilities persist; keen units (a fixed priority) build first; a few close each year.
    The number of reporting units with an active facility equals the target every year.
    """
    n, span = exists.shape
    targets = _targets(plan, exists, years)
    kinds = list(plan.types)
    shares = np.array(list(plan.types.values()))
    priority = rng.random(n)
    has = np.zeros(n, bool)
    number = np.zeros(n, int)
    opened = np.zeros(n, int)
    kind = rng.choice(len(kinds), n, p=shares)
    state = {k: np.zeros((n, span), bool) for k in ("active", "closed")}
    state |= {k: np.zeros((n, span), int) for k in ("number", "kind", "opened")}
    for j, year in enumerate(years):
        has &= exists[:, j]
        closing = has & (rng.random(n) < plan.closure_rate) if j else np.zeros(n, bool)
        has &= ~closing
        if j == 0:
            order = np.flatnonzero(exists[:, 0])[np.argsort(-priority[exists[:, 0]])]
            reach = np.cumsum(seen[order, 0])
            first = order[: np.searchsorted(reach, targets[0]) + 1] if targets[0] else order[:0]
            has[first], number[first] = True, 1
            opened[first] = rng.integers(2006, year, len(first))
        gap = targets[j] - (has & seen[:, j]).sum()
        if gap > 0:
            candidates = np.flatnonzero(seen[:, j] & ~has & ~closing)
            assert len(candidates) >= gap, f"{plan.area} {plan.level}: cannot reach {year}"
            noisy = priority[candidates] + rng.normal(0, 0.15, len(candidates))
            built = candidates[np.argsort(-noisy)[:gap]]
            has[built], number[built], opened[built] = True, number[built] + 1, year
            kind[built] = rng.choice(len(kinds), len(built), p=shares)
        elif gap < 0:
            closed = rng.choice(np.flatnonzero(has & seen[:, j] & (opened < year)), -gap, False)
            has[closed], closing[closed] = False, True
        year_end = {"active": has, "closed": closing, "number": number, "kind": kind}
        for key, values in (year_end | {"opened": opened}).items():
            state[key][:, j] = values
    state["kinds"] = np.array(kinds)
    return state


def _facility_rows(
    plan: FacilityPlan,
    units: pd.DataFrame,
    state: dict,
    seen: np.ndarray,
    years: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Active, closed and under-construction rows of one plan, and any second facilities."""
    kinds = state["kinds"]
    building = np.zeros_like(seen)
    opens_next = (state["opened"][:, 1:] == years[1:]) & state["active"][:, 1:]
    building[:, :-1] = (
        opens_next
        & seen[:, :-1]
        & ~state["active"][:, :-1]
        & ~state["closed"][:, :-1]
        & (rng.random(opens_next.shape) < 0.6)
    )
    parts = []
    for status, mask, shift in (
        ("active", state["active"] & seen, 0),
        ("closed", state["closed"] & seen, 0),
        ("building", building, 1),
    ):
        unit, j = np.nonzero(mask)
        parts.append(
            pd.DataFrame(
                {
                    "unit": unit,
                    "year": years[j],
                    "kind": kinds[state["kind"][unit, j + shift]],
                    "number": state["number"][unit, j + shift],
                    "status": status,
                    "opened_year": np.where(status == "building", 0, state["opened"][unit, j]),
                }
            )
        )
    if plan.second_share:
        parts.append(_second_facilities(plan, state, seen, years, rng))
    rows = pd.concat(parts, ignore_index=True)
    rows["region_code"] = units["region_code"].to_numpy()[rows["unit"]]
    rows["unit_name"] = units["name_zh"].to_numpy()[rows["unit"]]
    rows["area"], rows["level"] = plan.area, plan.level
    return rows


def _second_facilities(
    plan: FacilityPlan, state: dict, seen: np.ndarray, years: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """A second facility, of another type, where the first lasts to the end: coverage is
    unchanged, so counting a unit once rather than once per facility matters."""
    lasting = np.flatnonzero(state["active"][:, -1])
    chosen = rng.choice(lasting, round(plan.second_share * len(lasting)), replace=False)
    first_kind = state["kinds"][state["kind"][chosen, -1]]
    start = np.maximum(state["opened"][chosen, -1], years[0] - 3)
    second_opened = start + np.floor(rng.random(len(chosen)) * (years[-1] + 1 - start)).astype(int)
    mask = (years >= second_opened[:, None]) & seen[chosen]
    row, j = np.nonzero(mask)
    return pd.DataFrame(
        {
            "unit": chosen[row],
            "year": years[j],
            "kind": np.where(first_kind[row] == GALLERY, STATION, GALLERY),
            "number": state["number"][chosen[row], -1] + 1,
            "status": "active",
            "opened_year": second_opened[row],
        }
    )


def _median_updates(count: int, median: int, rng: np.random.Generator) -> np.ndarray:
    """`count` whole numbers whose median is exactly `median`, with a long lower tail."""
    low, high = (count - 1) // 2, count // 2
    below = np.where(rng.random(low) < 0.25, rng.integers(4, median, low), rng.integers(0, 4, low))
    values = np.concatenate(
        [
            median - below,
            np.full(high - low + 1, median),
            median + rng.integers(0, 7, count - high - 1),
        ]
    )
    return rng.permutation(np.clip(values, 0, None))


def _content_updates(rows: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """Updates in the year for active galleries; Zengcheng's village galleries to the medians."""
    updates = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    galleries = (rows["kind"] == GALLERY) & (rows["status"] == "active")
    updates[galleries] = np.clip(np.round(rng.normal(11, 3, galleries.sum())), 1, 30).astype(int)
    calibrated = galleries & (rows["area"] == "440118") & (rows["level"] == "village")
    for year, median in ZENGCHENG_UPDATE_MEDIANS.items():
        index = rows.index[calibrated & (rows["year"] == year)]
        updates[index] = _median_updates(len(index), median, rng)
    return updates


def facilities_frame(units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Facility returns: a row per facility per reporting unit per year, '无' for none."""
    years = np.array(RECORD_YEARS)
    reports = _reporting(units, years, rng)
    exists = _exists(units, years)
    parts = []
    for plan in FACILITY_PLANS:
        level = ((units["area"] == plan.area) & (units["level"] == plan.level)).to_numpy()
        members = units[level].reset_index(drop=True)
        state = _simulate(plan, exists[level], reports[level], years, rng)
        parts.append(_facility_rows(plan, members, state, reports[level], years, rng))
    rows = pd.concat(parts, ignore_index=True)
    prefix = rows["area"].map(lambda code: AREAS_BY_CODE[code].prefix)
    number = rows["kind"].map(FACILITY_LETTERS) + rows["number"].astype(str)
    names = [
        _facility_name(a, lv, k)
        for a, lv, k in zip(rows["area"], rows["level"], rows["kind"], strict=True)
    ]
    facilities = pd.DataFrame(
        {
            "year": rows["year"],
            "region_code": rows["region_code"],
            "facility_type": rows["kind"].map(FACILITY_LABELS),
            "facility_id": prefix + "-" + rows["region_code"] + "-" + number,
            "facility_name": rows["unit_name"] + pd.Series(names, index=rows.index),
            "status": rows["status"].map(STATUS_LABELS),
            "opened_year": rows["opened_year"].where(rows["opened_year"] > 0).astype("Int64"),
            "content_updates": _content_updates(rows, rng),
        }
    )
    unit, j = np.nonzero(reports)
    reported = pd.DataFrame(
        {"year": years[j], "region_code": units["region_code"].to_numpy()[unit]}
    )
    with_rows = reported.merge(
        facilities[["year", "region_code"]].drop_duplicates(), how="left", indicator=True
    )
    none = with_rows.loc[with_rows["_merge"] == "left_only", ["year", "region_code"]].assign(
        facility_type=FACILITY_LABELS["none"], facility_id="-"
    )
    return pd.concat([facilities, none], ignore_index=True).sort_values(
        ["year", "region_code", "facility_type", "facility_id"], ignore_index=True
    )


# ---------------------------------------------------------------- activities


@dataclass(frozen=True)
class Stream:
    """Rows of one activity type for one group: how many rows, or what totals they add to.

    `participants` is an exact yearly total split over rows of about `size` participants;
    `rows` is an exact yearly row count (with `noise`, a Poisson mean) whose participants
    are drawn around `size`. `amount` (万元) is an exact yearly total split over `rows`;
    its participants are the vouchers issued, at ¥1,500–2,500 each. Rows go to the district
    or city itself with probability `at_top`, otherwise to one of its towns. With `ids`, each
    row lists its participants by id (prefix `ids`): in each year after the first, a share
    `new_share` of the person-times are people trained for the first time, the rest people
    trained before, so the distinct persons are fewer than the person-times.
    """

    activity_type: str
    target_group: str | None
    organiser: str
    title: str
    size: float
    participants: Mapping[int, int] | None = None
    rows: Mapping[int, int] | None = None
    amount: Mapping[int, float] | None = None
    noise: bool = False
    at_top: float = 0.5
    per_session: float | None = None
    ids: str | None = None
    new_share: float = 1.0


@dataclass(frozen=True)
class ActivityLog:
    slug: str
    code: str
    prefix: str
    streams: tuple[Stream, ...]
    # (activity types, years, participants): the rows of those types in those years add to it
    totals: tuple[tuple[tuple[str, ...], range, int], ...] = ()


def _per_year(years: range, values: Sequence[float]) -> dict[int, float]:
    return dict(zip(years, values, strict=True))


def _flat(years: range, value: float) -> dict[int, float]:
    return dict.fromkeys(years, value)


ZC, OH, SZ, BJ = range(2016, 2021), range(2021, 2026), range(2017, 2021), range(2021, 2026)
OH_BEFORE = range(2016, 2021)
SCIENCE_EVENTS = ("科普活动", "科普讲座", "科普巡讲", "科技馆进校园")
OUHAI_TRAINING_BEFORE = ("实用技术培训", "农函大培训", "农函大短期培训")

ACTIVITY_LOGS = (
    ActivityLog("shenzhen", "440300", "SZ", (
        Stream("职业技能培训券发放", "职工", "市人力资源保障局", "职业技能培训券发放批次", 700,
               rows=_flat(SZ, 44), amount=_per_year(SZ, (5200, 5350, 4800, 5600)), at_top=0.3),
        Stream("职业技能培训", "职工", "市总工会", "职工职业技能提升培训班", 60,
               rows=_flat(SZ, 40), noise=True, per_session=30),
        Stream("科普展览", "社会公众", "市科协", "科普主题展览", 2500, rows=_flat(SZ, 15),
               noise=True),
        Stream("青少年科技竞赛", "中小学生", "市教育局", "青少年科技创新大赛", 400,
               rows=_flat(SZ, 8), noise=True, at_top=0.8),
        Stream("科普活动", "社会公众", "市科协", "社区科普活动", 300, rows=_flat(SZ, 60),
               noise=True, at_top=0.1),
    )),
    ActivityLog("zengcheng", "440118", "ZC", (
        Stream("培训", "农村党员干部", "区农业局", "农村党员干部科学素质培训班", 90,
               participants=_per_year(ZC, (3900, 4100, 4300, 4500, 4700)), per_session=45),
        Stream("培训", "农业技术骨干", "区农业局", "农业技术骨干实用技术培训班", 60,
               participants=_per_year(ZC, (1700, 1800, 1850, 1900, 2050)), per_session=30),
        Stream("培训", "农村妇女", "区妇联", "农村妇女科学素质培训班", 50,
               participants=_per_year(ZC, (2200, 2300, 2200, 2300, 2200)), per_session=25,
               ids="ZCW", new_share=0.7),
        Stream("区级骨干培训", "科学教师", "区教育局", "区级骨干科学教师培训班", 25,
               participants=_per_year(ZC, (48, 50, 46, 44, 52)), at_top=1.0, per_session=5),
        Stream("区级骨干培训", "科技辅导员", "区教育局", "区级骨干科技辅导员培训班", 25,
               participants=_per_year(ZC, (45, 47, 49, 51, 46)), at_top=1.0, per_session=5),
        Stream("全区性科普活动", "社会公众", "区科协", "全区科技活动周暨科普日主场活动", 3000,
               rows=_per_year(ZC, (2, 3, 2, 2, 3)), at_top=1.0),
        Stream("区级骨干培训", "中小学校长", "区教育局", "中小学校长科学教育专题培训", 30,
               rows=_flat(ZC, 1), noise=True, at_top=1.0),
        Stream("培训", "职工", "区总工会", "职工技能培训班", 50, rows=_flat(ZC, 8), noise=True,
               per_session=25),
        Stream("培训", "农民", "区农业局", "农民实用技术培训", 70, rows=_flat(ZC, 10),
               noise=True, per_session=35),
        Stream("科普展览", "社会公众", "区科协", "科普流动展览", 800, rows=_flat(ZC, 6),
               noise=True),
        Stream("青少年科技竞赛", "中小学生", "区教育局", "青少年科技创新大赛", 200,
               rows=_flat(ZC, 3), noise=True, at_top=1.0),
        Stream("镇街科普活动", "社会公众", "镇街科协", "镇街科普宣传活动", 150,
               rows=_flat(ZC, 30), noise=True, at_top=0.0),
    )),
    ActivityLog("ouhai", "330304", "OH", (
        Stream("科普巡讲", "社会公众", "区科协", "“科学3分钟”科普巡讲", 150,
               rows=_per_year(OH, (8, 10, 11, 10, 9))),
        Stream("科技馆进校园", "中小学生", "区科协", "“科技馆进校园”活动", 600,
               rows=_per_year(OH, (2, 3, 2, 3, 3)), at_top=1.0),
        Stream("科普讲座", "社会公众", "区科协", "科普大讲堂", 120,
               rows=_per_year(OH, (18, 19, 21, 23, 24))),
        Stream("科普活动", "社会公众", "区科协", "科普进社区活动", 400,
               rows=_per_year(OH, (27, 28, 31, 34, 36)), at_top=0.2),
        Stream("农函大培训", "农民", "区农业农村局", "农函大学员培训班", 50,
               participants=_per_year(OH, (1200, 1300, 1250, 1350, 1300)), per_session=25),
        Stream("农函大短期培训", "农民", "区农业农村局", "农函大短期实用技术培训", 60,
               participants=_per_year(OH, (2500, 2800, 2900, 3000, 3100)), per_session=30),
        Stream("智能技术应用培训", "老年人", "区科协", "老年人智能技术应用培训", 80,
               participants=_per_year(OH, (3000, 4500, 5500, 6000, 6500)), per_session=40),
        Stream("智能技术应用培训", "社区居民", "区科协", "社区居民智能手机使用培训", 60,
               rows=_flat(OH, 4), noise=True, per_session=30),
        Stream("培训", "职工", "区总工会", "职工技能提升培训", 50, rows=_flat(OH, 6),
               noise=True, per_session=25),
        Stream("科普展览", "社会公众", "区科协", "科普展览", 1000, rows=_flat(OH, 5), noise=True),
        Stream("青少年科技竞赛", "中小学生", "区教育局", "青少年科技创新大赛", 200,
               rows=_flat(OH, 3), noise=True, at_top=1.0),
        Stream("科普巡讲", "社会公众", "区科协", "科普巡讲", 150, rows=_flat(OH_BEFORE, 8)),
        Stream("科技馆进校园", "中小学生", "区科协", "“科技馆进校园”活动", 600,
               rows=_per_year(OH_BEFORE, (1, 1, 2, 2, 2)), at_top=1.0),
        Stream("科普讲座", "社会公众", "区科协", "科普大讲堂", 120,
               rows=_per_year(OH_BEFORE, (22, 23, 24, 25, 26))),
        Stream("科普活动", "社会公众", "区科协", "科普进社区活动", 1500,
               rows=_per_year(OH_BEFORE, (35, 38, 40, 43, 46)), at_top=0.2),
        Stream("实用技术培训", "农民", "区农业农村局", "农村实用技术培训", 40,
               rows=_per_year(OH_BEFORE, (14, 15, 16, 17, 18)), per_session=20),
        Stream("农函大培训", "农民", "区农业农村局", "农函大学员培训班", 40,
               rows=_per_year(OH_BEFORE, (8, 9, 9, 10, 10)), per_session=20),
        Stream("农函大短期培训", "农民", "区农业农村局", "农函大短期实用技术培训", 35,
               rows=_per_year(OH_BEFORE, (6, 6, 7, 7, 8)), per_session=20),
        Stream("科普展览", "社会公众", "区科协", "科普展览", 1000, rows=_flat(OH_BEFORE, 4),
               noise=True),
        Stream("青少年科技竞赛", "中小学生", "区教育局", "青少年科技创新大赛", 200,
               rows=_flat(OH_BEFORE, 3), noise=True, at_top=1.0),
    ), totals=(
        (SCIENCE_EVENTS, OH_BEFORE, 457_300),  # 十三五: 370余场, 受益45.7万人次
        (OUHAI_TRAINING_BEFORE, OH_BEFORE, 6_120),  # 十三五: 160余场, 培训6000余人
    )),
    ActivityLog("beijing", "110000", "BJ", (
        Stream("高素质农民培训", "农民", "市农业农村局", "高素质农民培育培训班", 50,
               participants=_per_year(BJ, (10500, 11200, 9800, 10800, 11500)), at_top=1.0,
               per_session=25),
        Stream("职业技能培训", "重点群体", "市人力资源社会保障局", "重点群体职业技能提升培训", 40,
               participants=_per_year(BJ, (12000, 12500, 13000, 12800, 13500)), at_top=1.0,
               per_session=20),
        Stream("科学素质学习", "领导干部和公务员", "市委组织部", "公务员科学素质大讲堂", 80,
               participants=_per_year(BJ, (10200, 9900, 10800, 11000, 11600)), at_top=1.0),
        Stream("应急科普培训", "社会公众", "市应急管理局", "“应急宣传进万家”应急科普培训", 1200,
               participants=_per_year(BJ, (310000, 320000, 290000, 330000, 340000)),
               at_top=1.0, per_session=150),
        Stream("职业技能培训", "职工", "市总工会", "职工职业技能培训", 40, rows=_flat(BJ, 60),
               noise=True, at_top=1.0, per_session=20),
        Stream("应急科普培训", "中小学生", "市教育委员会", "校园应急安全科普培训", 800,
               rows=_flat(BJ, 40), noise=True, at_top=1.0, per_session=200),
        Stream("高素质农民培训", "新型农业经营主体", "市农业农村局", "新型农业经营主体带头人培训",
               40, rows=_flat(BJ, 15), noise=True, at_top=1.0, per_session=20),
        Stream("科普展览", "社会公众", "市科协", "科普展览", 5000, rows=_flat(BJ, 20),
               noise=True, at_top=1.0),
        Stream("青少年科技竞赛", "中小学生", "市科协", "北京青少年科技创新大赛", 600,
               rows=_flat(BJ, 10), noise=True, at_top=1.0),
    )),
)  # fmt: skip  # a table of 48 streams, two lines each: ruff gives each stream ten


def _places(
    code: str, towns: np.ndarray, at_top: float, count: int, rng: np.random.Generator
) -> np.ndarray:
    """The district or city itself with probability `at_top`, otherwise one of its towns."""
    if len(towns) == 0:
        return np.full(count, code)
    return np.where(rng.random(count) < at_top, code, rng.choice(towns, count))


def _split(total: int, weights: np.ndarray, minimum: int, rng: np.random.Generator) -> np.ndarray:
    """Whole numbers ≥ `minimum`, about proportional to `weights`, adding up to `total`."""
    spare = total - minimum * len(weights)
    assert spare >= 0, f"{total} cannot be split into {len(weights)} rows of ≥ {minimum}"
    return minimum + rng.multinomial(spare, weights / weights.sum())


def _dates(years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random day in each given year, as ISO text."""
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = ((years - 1969).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(int)
    days = start + np.floor(rng.random(len(years)) * length).astype(int)
    return np.datetime_as_string(days, unit="D")


def _participant_ids(
    stream: Stream, participants: np.ndarray, pool: list[str], rng: np.random.Generator
) -> list[str]:
    """Each row's participants as ids joined by 、: new people (numbered after `pool`) and
    people trained in earlier years, drawn from `pool`, which grows by the new ones."""
    total = int(participants.sum())
    new = total if not pool else round(total * stream.new_share)
    start = len(pool) + 1
    fresh = [f"{stream.ids}-{k:06d}" for k in range(start, start + new)]
    again = list(rng.choice(pool, total - new, replace=False)) if total > new else []
    pool += fresh
    people = rng.permutation(np.array(fresh + again, dtype=object))
    bounds = np.cumsum(participants)[:-1]
    return ["、".join(row) for row in np.split(people, bounds)]


def _stream_rows(
    stream: Stream, code: str, towns: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The rows of one stream, year by year, its totals split exactly."""
    parts = []
    pool: list[str] = []
    totals = stream.participants or stream.amount or stream.rows
    for year in totals:
        if stream.rows is not None:
            count = rng.poisson(stream.rows[year]) if stream.noise else int(stream.rows[year])
        else:
            count = max(1, round(stream.participants[year] * rng.uniform(0.9, 1.1) / stream.size))
        if count == 0:
            continue
        weights = rng.lognormal(0, 0.4, count)
        if stream.participants is not None:
            participants = _split(stream.participants[year], weights, 1, rng)
        else:
            participants = np.maximum(1, np.round(stream.size * weights)).astype(int)
        amount = np.full(count, np.nan)
        if stream.amount is not None:
            cents = _split(round(stream.amount[year] * 100), weights, 1_000, rng)
            amount = cents / 100
            participants = np.round(cents * 100 / rng.uniform(1_500, 2_500, count)).astype(int)
        sessions = (
            np.maximum(1, np.ceil(participants / stream.per_session)).astype(int)
            if stream.per_session
            else np.ones(count, int)
        )
        ids = _participant_ids(stream, participants, pool, rng) if stream.ids else None
        parts.append(
            pd.DataFrame(
                {
                    "activity_date": _dates(np.full(count, year), rng),
                    "region_code": _places(code, towns, stream.at_top, count, rng),
                    "activity_type": stream.activity_type,
                    "target_group": stream.target_group,
                    "sessions": sessions,
                    "participants": participants,
                    "amount": amount,
                    "organiser": stream.organiser,
                    "title": stream.title,
                    "participant_ids": ids,
                }
            )
        )
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    )  # a noisy stream may draw no row


def activities_frame(log: ActivityLog, towns: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The activity log of one region, ids in date order, each title with its year and issue."""
    rows = pd.concat(
        [_stream_rows(s, log.code, towns, rng) for s in log.streams], ignore_index=True
    )
    year = rows["activity_date"].str.slice(0, 4).astype(int)
    for types, years, total in log.totals:
        chosen = rows["activity_type"].isin(types) & year.isin(years)
        rows.loc[chosen, "participants"] = _split(
            total, rows.loc[chosen, "participants"].to_numpy(float), 5, rng
        )
    rows = rows.sort_values(["activity_date", "activity_type"], kind="stable", ignore_index=True)
    year = rows["activity_date"].str.slice(0, 4)
    number = rows.groupby(year).cumcount() + 1
    issue = rows.groupby([year, "title"]).cumcount() + 1
    rows.insert(0, "activity_id", log.prefix + "-" + year + "-" + number.map("{:05d}".format))
    rows["title"] = year + "年" + rows["title"] + "（第" + issue.astype(str) + "期）"
    return rows


# ---------------------------------------------------------------- registers


@dataclass(frozen=True)
class Register:
    """Entities of one type: year-end `stock` (the first year the opening stock) or `new`
    entities per year, with a yearly exit rate. `people` registers get masked names."""

    entity_type: str
    code: str
    prefix: str
    name: str
    stock: Mapping[int, int] | None = None
    new: Mapping[int, int] | None = None
    exit_rate: float = 0.0
    people: bool = False
    at_top: float = 1.0


REGISTERS = (
    Register("科技志愿者", "330304", "OH-VOL", "", people=True, exit_rate=0.08, at_top=0.3,
             stock=_per_year(range(2015, 2026),
                             (40, 62, 85, 108, 128, 150, 185, 220, 250, 275, 310))),
    Register("科普教育基地", "330304", "OH-BASE", "瓯海合成科普教育基地",
             new=_per_year(range(2016, 2026), (1, 0, 1, 1, 0, 1, 1, 0, 1, 1)), at_top=0.0),
    Register("科技教育示范学校", "110000", "BJ-SCH", "北京合成科技教育示范学校", exit_rate=0.02,
             stock=_per_year(range(2020, 2026), (140, 150, 165, 180, 192, 205))),
    Register("职工创新工作室", "110000", "BJ-ESW", "北京合成职工创新工作室", exit_rate=0.03,
             stock=_per_year(range(2020, 2026), (5600, 6000, 6500, 7000, 7400, 7800))),
    Register("青年工程师创新工作室", "110000", "BJ-YES", "北京合成优秀青年工程师创新工作室",
             exit_rate=0.02, stock=_per_year(range(2020, 2026), (20, 40, 60, 75, 85, 95))),
    Register("STEM项目", "440300", "SZ-STEM", "深圳合成特色STEM项目", at_top=0.5,
             new=_per_year(SZ, (6, 8, 9, 11))),
    Register("高技能人才培训基地", "440300", "SZ-HSB", "深圳合成高技能人才培训基地",
             exit_rate=0.02, at_top=0.5,
             new=_per_year(range(2016, 2021), (22, 24, 27, 21, 26))),
    Register("技师工作站", "440300", "SZ-TWS", "深圳合成技师工作站", exit_rate=0.02, at_top=0.5,
             new=_per_year(range(2016, 2021), (14, 15, 16, 14, 13))),
    Register("技能大师工作室", "440300", "SZ-SMS", "深圳合成技能大师工作室", at_top=0.5,
             new=_per_year(range(2016, 2021), (3, 4, 5, 3, 4))),
    Register("技能菁英", "440300", "SZ-ELITE", "", people=True, at_top=0.5,
             new=_per_year(SZ, (31, 30, 33, 35))),
    Register("鹏城工匠", "440300", "SZ-PCC", "", people=True, at_top=0.5,
             new=_per_year(SZ, (10, 12, 8, 11))),
    Register("中小学特色科学教育基地", "440118", "ZC-SEB", "增城合成中小学特色科学教育基地",
             at_top=0.0, new={2015: 1, 2017: 1, 2018: 1, 2020: 1}),
    Register("中小学校", "440300", "SZ-SCH", "深圳合成中小学", exit_rate=0.01, at_top=0.0,
             stock=_per_year(range(2016, 2021), (118, 120, 123, 125, 128))),
    Register("机关领导干部和公务员", "440118", "ZC-CS", "", people=True, exit_rate=0.04,
             at_top=0.6, stock=_per_year(range(2015, 2021), (780, 800, 815, 830, 840, 850))),
)  # fmt: skip  # a table of 12 registers, two lines each: ruff gives each ten
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏"
)
GIVEN = list("华明丽军芳伟敏静强磊洋艳勇杰娟涛超秀英辉霞平刚兰玲文斌波宁燕红云鹏飞琳婷")


def _flows(register: Register, rng: np.random.Generator) -> tuple[dict[int, int], dict[int, int]]:
    """(registrations, exits) per year; for a stock, exits first and registrations to match."""
    if register.new is not None:
        return dict(register.new), {}
    years = sorted(register.stock)
    new, exits = {years[0]: register.stock[years[0]]}, {}
    for previous, year in pairwise(years):
        exits[year] = int(rng.binomial(register.stock[previous], register.exit_rate))
        new[year] = register.stock[year] - register.stock[previous] + exits[year]
        assert new[year] >= 0, f"{register.entity_type} {year}: more exits than the path allows"
    return new, exits


def register_frame(register: Register, towns: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """One register's entities. A stock's opening entities register in its first year or the
    two before; exits are drawn among the entities on the register at the start of a year."""
    new, exits = _flows(register, rng)
    first = min(new)
    year = np.repeat(list(new), list(new.values()))
    if register.stock is not None:
        year[year == first] = rng.integers(first - 2, first + 1, (year == first).sum())
    registered = np.sort(_dates(year, rng))
    year = registered.astype("datetime64[Y]").astype(int) + 1970
    n = len(registered)
    exited = np.full(n, None, dtype=object)
    if register.new is not None and register.exit_rate:
        remaining = RECORD_YEARS.stop - 1 - year
        leaving = (remaining > 0) & (rng.random(n) < register.exit_rate * remaining)
        exited[leaving] = _dates(rng.integers(year[leaving] + 1, RECORD_YEARS.stop), rng)
    for exit_year, count in exits.items():
        on_register = np.flatnonzero((registered < f"{exit_year}-01-01") & pd.isna(exited))
        leaving = rng.choice(on_register, count, replace=False)
        exited[leaving] = _dates(np.full(count, exit_year), rng)
    numbers = np.arange(1, n + 1)
    if register.people:
        names = np.char.add(np.char.add(rng.choice(SURNAMES, n), "*"), rng.choice(GIVEN, n))
    else:
        names = np.char.add(register.name, np.char.zfill(numbers.astype(str), 4))
    return pd.DataFrame(
        {
            "entity_type": register.entity_type,
            "entity_id": [f"{register.prefix}-{k:05d}" for k in numbers],
            "region_code": _places(register.code, towns, register.at_top, n, rng),
            "entity_name": names,
            "registered_on": registered,
            "exited_on": pd.array(exited, dtype="string"),
        }
    )


# ---------------------------------------------------------------- reach


@dataclass(frozen=True)
class Reach:
    """Activity rows that say whom they reached, behind a 全覆盖 (full coverage) goal.

    With `entity_type`, the rows list the ids of the register's entities they reached
    (`per_row` ids a row): in each year the share `path` of the entities on the register at
    year end is reached, since the start (`cumulative`) or within the year; a few entities
    that left during the year were reached too and must not count. Without it, the rows are
    held in the region's districts (`districts`): `path` is the share of districts with at
    least one event in the year.
    """

    slug: str  # the activity log the rows belong to
    code: str
    prefix: str
    activity_type: str
    target_group: str
    organiser: str
    title: str
    path: Mapping[int, float]
    size: int
    entity_type: str | None = None
    cumulative: bool = False
    per_row: int = 1


REACHES = (
    Reach("shenzhen", "440300", "SZ-R", "科普进校园", "中小学生", "市科协",
          "“科普进校园”校园科普展览", _per_year(SZ, (0.35, 0.6, 0.85, 1.0)), 400,
          entity_type="中小学校", cumulative=True),
    Reach("zengcheng", "440118", "ZC-R", "网上学习", "领导干部和公务员", "区委组织部",
          "领导干部和公务员网上学习完成名单", _per_year(ZC, (0.62, 0.71, 0.8, 0.88, 0.965)), 25,
          entity_type="机关领导干部和公务员", per_row=25),
    Reach("beijing", "110000", "BJ-R", "首都科普基层行", "社会公众", "市科协", "首都科普基层行",
          _per_year(BJ, (12 / 16, 14 / 16, 15 / 16, 1.0, 1.0)), 800),
)  # fmt: skip  # a table of three, as the streams above


def _on_register(entities: pd.DataFrame, day: str) -> pd.Series:
    registered = entities["registered_on"].astype(str) <= day
    exited = entities["exited_on"].notna() & (entities["exited_on"].astype(str) <= day)
    return registered & ~exited


def _reached_entities(reach: Reach, entities: pd.DataFrame, rng: np.random.Generator):
    """(year, ids reached) per year of the path."""
    reached: set[str] = set()
    for year, share in reach.path.items():
        at_end = entities[_on_register(entities, f"{year}-12-31")]
        left = entities[
            _on_register(entities, f"{year - 1}-12-31") & ~_on_register(entities, f"{year}-12-31")
        ]
        ids = at_end["entity_id"].to_numpy()
        goal = round(share * len(ids))
        if reach.cumulative:
            done = np.isin(ids, list(reached))
            fresh = rng.permutation(ids[~done])[: max(0, goal - done.sum())]
            again = ids[done][rng.random(done.sum()) < 0.2]
            chosen = np.concatenate([fresh, again])
        else:
            chosen = rng.permutation(ids)[:goal]
        leavers = left["entity_id"].to_numpy()
        chosen = np.concatenate([chosen, leavers[rng.random(len(leavers)) < 0.5]])
        reached |= set(chosen)
        yield year, rng.permutation(chosen)


def reach_frame(
    reach: Reach, registers: pd.DataFrame, districts: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The activity rows of one reach, each with its date, place and the ids it lists."""
    parts = []
    if reach.entity_type:
        entities = registers[registers["entity_type"] == reach.entity_type]
        place = entities.set_index("entity_id")["region_code"]
        for year, chosen in _reached_entities(reach, entities, rng):
            rows = np.array_split(chosen, max(1, -(-len(chosen) // reach.per_row)))
            ids = ["、".join(row) for row in rows]
            people = reach.per_row > 1
            parts.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "region_code": reach.code
                        if people
                        else place[[r[0] for r in rows]].to_numpy(),
                        "participants": [len(r) for r in rows]
                        if people
                        else rng.integers(reach.size // 2, reach.size * 2, len(rows)),
                        "participant_ids": ids,
                    }
                )
            )
    else:
        for year, share in reach.path.items():
            held = rng.permutation(districts)[: round(share * len(districts))]
            events = np.repeat(held, rng.integers(1, 5, len(held)))
            parts.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "region_code": events,
                        "participants": rng.integers(reach.size // 2, reach.size * 2, len(events)),
                        "participant_ids": None,
                    }
                )
            )
    rows = pd.concat(parts, ignore_index=True)
    rows["activity_date"] = _dates(rows["year"].to_numpy(), rng)
    rows = rows.sort_values(["activity_date", "region_code"], ignore_index=True)
    year = rows["activity_date"].str.slice(0, 4)
    number = rows.groupby(year).cumcount() + 1
    return pd.DataFrame(
        {
            "activity_id": reach.prefix + "-" + year + "-" + number.map("{:05d}".format),
            "activity_date": rows["activity_date"],
            "region_code": rows["region_code"].to_numpy(),
            "activity_type": reach.activity_type,
            "target_group": reach.target_group,
            "sessions": 1,
            "participants": rows["participants"].to_numpy(),
            "amount": np.nan,
            "organiser": reach.organiser,
            "title": year + "年" + reach.title + "（第" + number.astype(str) + "期）",
            "participant_ids": rows["participant_ids"].to_numpy(),
        }
    )


def district_register() -> pd.DataFrame:
    """The districts of the plans' regions (real, from registry/regions.csv) every year: the
    units a district-level coverage goal counts."""
    regions = pd.read_csv(REGISTRY_DIR / "regions.csv", dtype=str)
    districts = regions[regions["level"] == "county"]
    districts = districts[districts["parent_code"].isin(["110000"])]
    return pd.DataFrame(
        [
            {"year": year, "region_code": row.region_code, "unit_name": row.name_zh}
            for year in RECORD_YEARS
            for row in districts.itertuples()
        ]
    )


# ---------------------------------------------------------------- task reports

PERIODS = ("2022H2", "2023H1", "2023H2", "2024H1", "2024H2", "2025H1")
XX_PLAN = "xx-city-2022"
# The other plans' units report once a year on each task, from the plan's first full year
# (Beijing's plan was issued in March 2022) to its due year.
REPORT_YEARS = {
    "shenzhen-2017-2020": range(2017, 2021),
    "zengcheng-2016-2020": range(2016, 2021),
    "ouhai-2021-2025": range(2021, 2026),
    "beijing-2021-2035": range(2022, 2026),
}
ISSUERS = {"440300": "深", "440118": "增", "330304": "瓯", "110000": "京"}
NEVER = 99
NEVER_REPORTED = 4
FINAL_SHARES = {"completed": 0.5, "in_progress": 1 / 3, "overdue": 0.1}  # the rest not_started
ALL_DONE_SHARE = 0.45  # tasks of a finished plan that every unit completes
COMPLETED_SHARE = 0.85  # units completing the other tasks
NEVER_REPORTED_SHARE = 0.03  # units of a finished plan that never report (at least one)
MEASURE_STATUS_LABELS = {
    "not_started": "未启动",
    "in_progress": "进行中",
    "completed": "已完成",
    "overdue": "逾期",
}
EVIDENCE = {
    "not_started": ("尚未启动，正在研究制定工作方案", "已列入下一阶段工作计划，尚未启动"),
    "in_progress": (
        "已印发实施方案，相关工作有序推进，完成约{pct}%",
        "已召开专题推进会，阶段任务完成约{pct}%",
    ),
    "completed": ("阶段任务已全部完成，已形成工作总结", "已按期完成，相关成果已通过验收"),
    "overdue": (
        "受经费和人员调整影响未按期完成，已制定整改计划",
        "进度滞后于计划安排，已提请联席会议协调",
    ),
}


def _pairs(plan_id: str) -> pd.DataFrame:
    """Each task × responsible unit of one plan, with the task's due year and the unit's
    short name."""
    measures = pd.read_csv(REGISTRY_DIR / "measures.csv", dtype=str)
    measures = measures[measures["plan_id"] == plan_id]
    units = measures["responsible_units"].str.split(LIST_SEPARATORS, regex=True).explode()
    pairs = measures[["measure_id", "title_zh", "due_year"]].join(units.str.strip().rename("unit"))
    plans = pd.read_csv(REGISTRY_DIR / "plans.csv", dtype=str).set_index("plan_id")
    region = plans.loc[plan_id, "region_code"]
    departments = pd.read_csv(REGISTRY_DIR / "departments.csv", dtype=str)
    short = departments[departments["region_code"] == region].set_index("name_zh")
    pairs["short"] = pairs["unit"].map(short["short_name_zh"])
    pairs["region"] = region
    return pairs.reset_index(drop=True)


def _xx_finals(count: int, rng: np.random.Generator) -> np.ndarray:
    """XX city's measures run on: half completed by the last report, a third in progress."""
    finals = np.full(count, "not_started", dtype=object)
    cut = np.cumsum([round(share * count) for share in FINAL_SHARES.values()])
    order = rng.permutation(count)
    for status, (low, high) in zip(
        FINAL_SHARES, zip([0, *cut[:-1]], cut, strict=True), strict=True
    ):
        finals[order[low:high]] = status
    return finals


def _plan_finals(pairs: pd.DataFrame, last_year: int, rng: np.random.Generator) -> np.ndarray:
    """A finished plan's tasks: some completed by every unit, the others by most units,
    the rest overdue or still in progress; tasks due after the last report still run."""
    tasks = pairs["measure_id"].unique()
    all_done = set(tasks[rng.random(len(tasks)) < ALL_DONE_SHARE])
    due = pairs["due_year"].astype(int).to_numpy()
    draw = rng.random(len(pairs))
    finals = np.where(draw < COMPLETED_SHARE, "completed", "overdue").astype(object)
    finals[(finals == "overdue") & (rng.random(len(pairs)) < 0.4)] = "in_progress"
    finals[pairs["measure_id"].isin(all_done).to_numpy()] = "completed"
    running = due > last_year
    finals[running] = np.where(rng.random(running.sum()) < 0.3, "completed", "in_progress")
    return finals


def _status_paths(finals: np.ndarray, periods: int, rng: np.random.Generator) -> np.ndarray:
    """Status per pair × period: from not started to in progress to completed (or overdue)."""
    count = len(finals)
    last = periods - 1
    completes = np.where(finals == "completed", rng.integers(2, last + 1, count), NEVER)
    starts = np.where(
        finals == "not_started", NEVER, rng.integers(0, np.minimum(completes, last), count)
    )
    late = (finals == "completed") & (completes - starts >= 2) & (rng.random(count) < 0.2)
    overdue = np.where(late, completes - 1, NEVER)
    overdue = np.where(
        finals == "overdue", rng.integers(np.minimum(starts + 1, last), last + 1), overdue
    )
    t = np.arange(periods)[None, :]
    return np.select(
        [t < starts[:, None], t >= completes[:, None], t >= overdue[:, None]],
        ["not_started", "completed", "overdue"],
        "in_progress",
    )


def _reported_on(periods: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A half-year's report in the weeks after it ends; a year's in January or February."""
    year = np.array([int(p[:4]) for p in periods])
    half_end = np.where(np.char.endswith(periods.astype(str), "H1"), "-07-01", "-01-01")
    start = np.char.add(np.where(half_end == "-07-01", year, year + 1).astype(str), half_end)
    days = start.astype("datetime64[D]") + rng.integers(7, 42, len(periods))
    return np.datetime_as_string(days, unit="D")


def _reports(
    pairs: pd.DataFrame, periods: tuple[str, ...], finals: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """The reports of the pairs that report: their status path, a few missing reports before
    the latest period, evidence and a document number for most finished work."""
    status = _status_paths(finals, len(periods), rng)
    last = len(periods) - 1
    pair, t = np.nonzero(
        rng.random(status.shape) > np.where(np.arange(len(periods)) < last, 0.06, 0)
    )
    rows = pairs.iloc[pair].reset_index(drop=True)
    rows["period"] = np.array(periods)[t]
    rows["status"] = status[pair, t]
    rows["reported_on"] = _reported_on(rows["period"].to_numpy(), rng)
    template = [rng.choice(EVIDENCE[s]) for s in rows["status"]]
    pct = (30 + 10 * t + rng.integers(0, 10, len(t))).clip(max=95)
    rows["evidence"] = [
        f"{title}：{text.format(pct=p)}（合成数据）"
        for title, text, p in zip(rows["title_zh"], template, pct, strict=True)
    ]
    has_document = rows["status"].isin(["in_progress", "completed"]) & (rng.random(len(rows)) < 0.7)
    has_document &= ~rows["unit"].str.startswith("各")
    prefix = rows["region"].map(ISSUERS).fillna("XX")
    issued = rows["short"].str.startswith((*ISSUERS.values(), "XX"))
    issuer = rows["short"].where(issued, prefix + rows["short"])
    document = (
        issuer
        + "〔"
        + rows["reported_on"].str.slice(0, 4)
        + "〕"
        + pd.Series(rng.integers(1, 120, len(rows)), index=rows.index).astype(str)
        + "号"
    )
    return pd.DataFrame(
        {
            "measure_id": rows["measure_id"],
            "responsible_unit": rows["unit"],
            "period": rows["period"],
            "status": rows["status"].map(MEASURE_STATUS_LABELS),
            "evidence": rows["evidence"],
            "document_ref": document.where(has_document),
            "reported_on": rows["reported_on"],
        }
    )


def measure_reports_frame(rng: np.random.Generator) -> pd.DataFrame:
    """Half-yearly reports per XX city measure × responsible unit; a few units never report,
    and some reports before the latest period are missing."""
    pairs = _pairs(XX_PLAN)
    pairs = pairs.drop(rng.choice(len(pairs), NEVER_REPORTED, replace=False)).reset_index(drop=True)
    return _reports(pairs, PERIODS, _xx_finals(len(pairs), rng), rng)


def task_reports_frame(plan_id: str, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly reports per task × unit of a plan with a period: most tasks done, some units
    overdue or still working at the due year, a few units that never report."""
    pairs = _pairs(plan_id)
    years = REPORT_YEARS[plan_id]
    finals = _plan_finals(pairs, years[-1], rng)
    open_tasks = np.flatnonzero(finals != "completed")
    silent = max(1, round(NEVER_REPORTED_SHARE * len(pairs)))
    silent = rng.choice(open_tasks if len(open_tasks) >= silent else len(pairs), silent, False)
    keep = np.setdiff1d(np.arange(len(pairs)), silent)
    periods = tuple(str(year) for year in years)
    return _reports(pairs.iloc[keep].reset_index(drop=True), periods, finals[keep], rng)


# ---------------------------------------------------------------- workbooks


def _years(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(str).str.slice(0, 4).astype(int)


def _register_snapshot(registers: pd.DataFrame, year: int) -> pd.DataFrame:
    """The roster as returned at the end of `year`: entries registered by then, with an exit
    date only when the exit had happened by then (a later return adds it)."""
    year_end = f"{year}-12-31"
    known = registers[registers["registered_on"].astype(str) <= year_end].copy()
    known["exited_on"] = known["exited_on"].where(known["exited_on"].astype(str) <= year_end)
    return known


def generate_records(folder: Path, seed: int) -> list[Path]:
    """Write the facility, activity, register and measure-report workbooks into `folder`:
    one return per year (per period for measure reports), received after it ends, so that
    an assessment as of an earlier date sees only what had arrived by then."""
    folder.mkdir(parents=True, exist_ok=True)
    units = _units()
    no_towns = np.array([], dtype=str)
    towns = {
        code: units.loc[(units["area"] == code) & (units["level"] == "town"), "region_code"]
        for code in AREAS_BY_CODE
    }
    towns = {code: codes.to_numpy() for code, codes in towns.items()}
    facilities = facilities_frame(units, np.random.default_rng([seed, 1]))
    register = pd.concat([unit_register_frame(units), district_register()], ignore_index=True)
    paths = []
    for year in sorted(_years(facilities, "year").unique()):
        paths.append(
            write_workbook(
                folder / f"facilities_{year}.xlsx",
                [
                    (UNIT_REGISTER, register[register["year"] == year]),
                    (FACILITIES, facilities[facilities["year"] == year]),
                ],
                synthetic=True,
                received_on=date(year + 1, 3, 31),
            )
        )
    registers = pd.concat(
        [
            register_frame(r, towns.get(r.code, no_towns), np.random.default_rng([seed, 3, k]))
            for k, r in enumerate(REGISTERS)
        ],
        ignore_index=True,
    )
    districts = register.loc[register["region_code"].str.startswith("1101"), "region_code"]
    reaches = {
        reach.slug: reach_frame(
            reach, registers, districts.unique(), np.random.default_rng([seed, 5, k])
        )
        for k, reach in enumerate(REACHES)
    }
    for k, log in enumerate(ACTIVITY_LOGS):
        rng = np.random.default_rng([seed, 2, k])
        frame = activities_frame(log, towns.get(log.code, no_towns), rng)
        if log.slug in reaches:
            frame = pd.concat([frame, reaches[log.slug]], ignore_index=True)
        years = _years(frame, "activity_date")
        for year in sorted(years.unique()):
            paths.append(
                write_workbook(
                    folder / f"activities_{log.slug}_{year}.xlsx",
                    [(ACTIVITIES, frame[years == year])],
                    units={"amount": "万元"},
                    synthetic=True,
                    received_on=date(year + 1, 1, 31),
                )
            )
    for year in sorted(_years(registers, "registered_on").unique()):
        paths.append(
            write_workbook(
                folder / f"registers_{year}.xlsx",
                [(ENTITY_REGISTER, _register_snapshot(registers, year))],
                synthetic=True,
                received_on=date(year + 1, 1, 31),
            )
        )
    reports = {"measure_reports": measure_reports_frame(np.random.default_rng([seed, 4]))}
    for k, plan_id in enumerate(REPORT_YEARS):
        rng = np.random.default_rng([seed, 4, k])
        reports[f"task_reports_{plan_id}"] = task_reports_frame(plan_id, rng)
    for stem, frame in reports.items():
        for period, part in frame.groupby("period", sort=True):
            paths.append(
                write_workbook(
                    folder / f"{stem}_{period}.xlsx",
                    [(MEASURE_REPORTS, part)],
                    synthetic=True,
                    received_on=date.fromisoformat(part["reported_on"].max()),
                )
            )
    return paths
