"""Synthetic 科普统计 returns (KP-001 … KP-005), calibrated to the published national figures.

`returns(counties, years)` gives the forms of every reporting unit of the given counties as
DataFrames in the shape of `ingest.specs.KP_STATISTICS` (money in 万元, counts as integers,
`-` where a unit does not report an item); `write_workbooks` writes them as the workbooks
users load, one per province and year. Another generator (the national-scale one) calls
`returns` with the ~2,850 counties of the country; the demo calls it with its own few.

Calibration (../shared/KEPU_STATISTICS.md §3): for 2021–2023 the national totals of 筹集额,
政府拨款, 科普专项经费 (人均专项 × year-end population), 专职 + 兼职 人员 and 科技馆 /
科学技术类博物馆 are `NATIONAL`. Counties standing for the whole country (99% of the year's
national population or more) share out exactly those totals, a few central
(部委级) units taking `CENTRAL_SHARE` of each; a smaller set of counties gets the national
totals scaled by its population share. Every split is a largest-remainder apportionment of
integers, so the forms sum exactly to the total they were cut from.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.specs import (
    KP_ACTIVITIES,
    KP_ACTIVITY_INDICATORS,
    KP_FUNDING,
    KP_FUNDING_INDICATORS,
    KP_MEDIA,
    KP_MEDIA_INDICATORS,
    KP_PERSONS,
    KP_SITE_ITEMS,
    KP_UNITS,
    KP_VENUE_ITEMS,
    KP_VENUES,
)
from ingest.workbook import write_workbook

SEED = 20_261_202
PROGRESS_SETTINGS_FILE = (
    Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "progress_settings.csv"
)
NOT_REPORTED = "-"
# Year-end resident population, 万人 (NBS), the denominator of 人均科普专项经费.
NATIONAL_POPULATION_WAN = {2021: 141_260, 2022: 141_175, 2023: 140_967}
# National totals: money in 万元, persons, venues. 专项 = 人均专项 × population, rounded to
# 万元 (4.71 × 141,260 = 665,334.6). The full-/part-time split is published for 2023 only
# (29.32 / 186.31 万, chosen inside both roundings and the 215.62 total); 2021 and 2022
# take 2023's full-time share of 13.596%, an assumption.
NATIONAL: Mapping[int, Mapping[str, int]] = {
    2021: {
        "raised_total": 1_890_700,
        "government_funding": 1_502_900,
        "special_funding": 665_335,
        "full_time_staff": 248_467,
        "part_time_staff": 1_579_033,
        "science_centres": 661,
        "science_museums": 1_016,
        "activity_spend": 838_500,
        "construction_spend": 333_600,
        "exhibit_spend": 193_400,
        "used_total": 1_895_300,
    },
    2022: {
        "raised_total": 1_910_000,
        "government_funding": 1_543_000,
        "special_funding": 748_228,
        "full_time_staff": 271_467,
        "part_time_staff": 1_725_233,
        "science_centres": 694,
        "science_museums": 989,
        "activity_spend": 798_300,
        "construction_spend": 276_700,
        "exhibit_spend": 196_500,
        "used_total": 1_900_700,
    },
    2023: {
        "raised_total": 2_150_600,
        "government_funding": 1_671_100,
        "special_funding": 811_970,
        "full_time_staff": 293_160,
        "part_time_staff": 1_863_060,
        "science_centres": 703,
        "science_museums": 1_076,
        "activity_spend": 818_700,
        "construction_spend": 313_700,
        "exhibit_spend": 227_200,
        "used_total": 2_076_900,
    },
}
CALIBRATED_YEARS = tuple(NATIONAL)
CENTRAL_SHARE = 0.03
# Counties holding this share of a year's national population stand for the whole country
# (a national frame is built on one year's population, which differs a little by year).
WHOLE_COUNTRY = 0.99
# Units file online by 30 June of the following year (the 2022–23 timetable).
FILED_BY = (6, 30)
CENTRAL_UNITS = 12  # central departments (部委级) reporting their own systems
# Not published: what is left of the money raised after 政府拨款 comes from donations,
# self-raised funds and other income in these shares; uses not published split as below.
NON_GOVERNMENT_SHARES = {"donations": 0.06, "self_raised": 0.74, "other_income": 0.20}
ADMIN_SHARE_OF_REST = 0.3  # of what the published uses leave: 行政支出; the rest 其他支出
# Uncalibrated items, per 10,000 residents; staff items per full- or part-timer.
PER_10K = {
    "full_time_managers": 0.35,  # share of full-time staff, not per 10k
    "full_time_qualified": 0.62,
    "part_time_qualified": 0.48,
    "part_time_person_months": 2.4,  # person-months per part-timer
    "registered_volunteers": 570.0,
    "community_rooms": 3.4,
    "rural_sites": 11.5,
    "vehicles": 0.08,
    "book_titles": 0.08,
    "book_copies": 620.0,
    "periodical_titles": 0.01,
    "periodical_copies": 480.0,
    "websites": 0.17,
    "wechat_accounts": 0.58,
    "lectures": 7.0,
    "lecture_attendance": 11_000.0,
    "exhibitions": 0.9,
    "exhibition_visitors": 14_000.0,
    "week_events": 0.8,
    "week_participants": 4_200.0,
}
VENUE_ITEMS = {"building_area": 9_500.0, "exhibition_area": 4_000.0, "venue_visitors": 180_000.0}
# The reporting units of every county: (suffix, department category, name, share of the
# county's persons and money).
COUNTY_UNITS = (
    ("A", "02", "科学技术协会", 0.45),
    ("B", "01", "科学技术局", 0.35),
    ("C", "03", "教育局", 0.20),
)


def largest_remainder(total: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """`total` split into integers proportional to `weights` (Hamilton's method): the floors,
    then one more to the largest remainders until the parts sum to `total` exactly."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    quotas = total * weights / weights.sum()
    parts = np.floor(quotas).astype(np.int64)
    short = int(total - parts.sum())
    order = np.argsort(-(quotas - parts), kind="stable")
    parts[order[:short]] += 1
    return parts


def _totals(year: int, share: float) -> dict[str, int]:
    """The year's totals for a set of counties standing for `share` of the nation."""
    national = NATIONAL[year]
    totals = {k: round(v * share) for k, v in national.items()}
    rest = totals["raised_total"] - totals["government_funding"]
    parts = largest_remainder(rest, list(NON_GOVERNMENT_SHARES.values()))
    totals |= dict(zip(NON_GOVERNMENT_SHARES, parts, strict=True))
    left = totals["used_total"] - sum(
        totals[k] for k in ("activity_spend", "construction_spend", "exhibit_spend")
    )
    totals["admin_spend"] = round(left * ADMIN_SHARE_OF_REST)
    totals["other_spend"] = left - totals["admin_spend"]
    return {k: int(v) for k, v in totals.items()}


def _county_weights(counties: pd.DataFrame, seed: int) -> np.ndarray:
    """Population with a fixed county effect (the same every year), so year-on-year changes
    follow the national series."""
    rng = np.random.default_rng(seed)
    return counties["population"].to_numpy(float) * rng.lognormal(0.0, 0.25, len(counties))


def returns(
    counties: pd.DataFrame, years: Sequence[int] = CALIBRATED_YEARS, seed: int = SEED
) -> dict[str, pd.DataFrame]:
    """The forms of every reporting unit of `counties`, by raw table name.

    `counties` has one row per county: `county_code`, `city_code`, `province_code` (6-digit
    division codes) and `population` (year-end residents, persons). Years must be among
    `CALIBRATED_YEARS`. Counties holding `WHOLE_COUNTRY` of a year's national population
    stand for the whole country and get the national totals, central units included.
    """
    counties = counties.reset_index(drop=True)
    weights = _county_weights(counties, seed)
    frames: dict[str, list[pd.DataFrame]] = {}
    for year in years:
        for table, frame in _year(counties, weights, year).items():
            frames.setdefault(table, []).append(frame)
    out = {table: pd.concat(parts, ignore_index=True) for table, parts in frames.items()}
    _explain_changes(out)
    return out


def _units(counties: pd.DataFrame, year: int, national: bool) -> pd.DataFrame:
    rows = [
        {
            "unit_code": f"{county}{suffix}{'0' * 8}"[:18],
            "unit_name": f"{county}{name}",
            "department_category": category,
            "form_level": "county",
            "region_code": county,
            "share": share,
            "county_index": index,
        }
        for index, county in enumerate(counties["county_code"])
        for suffix, category, name, share in COUNTY_UNITS
    ]
    if national:
        seat = counties["county_code"].iloc[0]
        rows += [
            {
                "unit_code": f"CENTRAL{number:02d}000000",
                "unit_name": f"中央部门{number:02d}",
                "department_category": f"{number + 13:02d}",
                "form_level": "ministry",
                "region_code": seat,
                "share": 1.0,
                "county_index": -1,
            }
            for number in range(1, CENTRAL_UNITS + 1)
        ]
    units = pd.DataFrame(rows)
    units["year"] = year
    units["filled_on"] = f"{year + 1}-05-20"
    return units


def _split(
    total: int, units: pd.DataFrame, county_weights: np.ndarray, national: bool
) -> np.ndarray:
    """`total` over the units: central units first (at national scale), then counties by
    weight, then each county's units by their share (largest remainder within the county)."""
    index = units["county_index"].to_numpy()
    local = index >= 0
    out = np.zeros(len(units), dtype=np.int64)
    central = round(total * CENTRAL_SHARE) if national else 0
    if national:
        out[~local] = largest_remainder(central, np.ones((~local).sum()))
    by_county = largest_remainder(total - central, county_weights)
    share = units["share"].to_numpy(float)[local]
    county = index[local]
    quotas = by_county[county] * share / np.bincount(county, weights=share)[county]
    parts = np.floor(quotas).astype(np.int64)
    given = np.bincount(county, weights=parts, minlength=len(by_county)).astype(np.int64)
    short = by_county - given
    remainder = pd.Series(quotas - parts)
    rank = remainder.groupby(county).rank(method="first", ascending=False).to_numpy()
    parts += (rank <= short[county]).astype(np.int64)
    out[local] = parts
    return out


def _year(counties: pd.DataFrame, weights: np.ndarray, year: int) -> dict[str, pd.DataFrame]:
    share = counties["population"].sum() / (NATIONAL_POPULATION_WAN[year] * 10_000)
    national = share >= WHOLE_COUNTRY
    totals = _totals(year, 1.0 if national else share)
    units = _units(counties, year, national)
    split = {k: _split(v, units, weights, national) for k, v in totals.items()}
    # 专项 is cut first and the rest of 政府拨款 separately, so 专项 ≤ 政府拨款 on every form.
    government_rest = _split(
        totals["government_funding"] - totals["special_funding"], units, weights, national
    )
    split["government_funding"] = split["special_funding"] + government_rest
    key = units[["unit_code", "year"]]
    residents = _unit_residents(units, counties)
    funding = key.assign(
        **{i.name: split[i.name] for i in KP_FUNDING_INDICATORS if i.name in split},
        explanation=None,
    )
    sources = [c for c in ("government_funding", *NON_GOVERNMENT_SHARES)]
    funding["raised_total"] = funding[sources].sum(axis=1)
    uses = ["activity_spend", "construction_spend", "exhibit_spend", "admin_spend", "other_spend"]
    funding["used_total"] = funding[uses].sum(axis=1)
    persons = key.assign(
        full_time_staff=split["full_time_staff"], part_time_staff=split["part_time_staff"]
    )
    for item, base in (
        ("full_time_managers", "full_time_staff"),
        ("full_time_qualified", "full_time_staff"),
        ("part_time_qualified", "part_time_staff"),
        ("part_time_person_months", "part_time_staff"),
    ):
        persons[item] = _rate(persons[base], PER_10K[item])
    # volunteers are registered with the 科协 only: the other units write '-'
    is_association = (units["department_category"] == "02").to_numpy()
    volunteers = _rate(residents / 10_000, PER_10K["registered_volunteers"])
    persons["registered_volunteers"] = np.where(is_association, volunteers, NOT_REPORTED)
    persons["explanation"] = None
    media = key.assign(
        **{i.name: _rate(residents / 10_000, PER_10K[i.name]) for i in KP_MEDIA_INDICATORS},
        explanation=None,
    )
    activities = key.assign(
        **{i.name: _rate(residents / 10_000, PER_10K[i.name]) for i in KP_ACTIVITY_INDICATORS},
        explanation=None,
    )
    venues = _venues(units, split, residents, year)
    return {
        "kp_units": units[[c.name for c in KP_UNITS.columns]],
        "kp_persons": persons[[c.name for c in KP_PERSONS.columns]],
        "kp_venues": venues[[c.name for c in KP_VENUES.columns]],
        "kp_funding": funding[[c.name for c in KP_FUNDING.columns]],
        "kp_media": media[[c.name for c in KP_MEDIA.columns]],
        "kp_activities": activities[[c.name for c in KP_ACTIVITIES.columns]],
    }


def _unit_residents(units: pd.DataFrame, counties: pd.DataFrame) -> np.ndarray:
    """The residents a unit serves: its share of its county's (none for central units)."""
    population = counties["population"].to_numpy(float)
    index = units["county_index"].to_numpy()
    served = np.where(index >= 0, population[np.maximum(index, 0)], 0.0)
    return served * units["share"].to_numpy(float)


def _rate(base: pd.Series | np.ndarray, rate: float) -> np.ndarray:
    return np.floor(np.asarray(base, dtype=float) * rate).astype(np.int64)


def _venues(
    units: pd.DataFrame, split: Mapping[str, np.ndarray], residents: np.ndarray, year: int
) -> pd.DataFrame:
    """One form per venue and one per unit for its other sites; venue ids are stable
    across years, each venue opened before the year it is reported in."""
    rows = []
    for position, unit in enumerate(units.itertuples()):
        for kind, count in (
            ("science_centre", split["science_centres"][position]),
            ("science_museum", split["science_museums"][position]),
        ):
            for number in range(int(count)):
                rows.append(
                    {
                        "unit_code": unit.unit_code,
                        "venue_id": f"{kind[8:].upper()[:1]}{number + 1:03d}",
                        "venue_name": f"{unit.unit_name}{'科技馆' if kind == 'science_centre' else '博物馆'}{number + 1}",  # noqa: E501
                        "venue_type": kind,
                        "opened_year": year - 1 - number % 7,
                        **{k: int(v) for k, v in VENUE_ITEMS.items()},
                        **{i.name: NOT_REPORTED for i in KP_SITE_ITEMS},
                    }
                )
        rows.append(
            {
                "unit_code": unit.unit_code,
                "venue_id": "U",
                "venue_name": None,
                "venue_type": "unit_form",
                "opened_year": None,
                **{i.name: NOT_REPORTED for i in KP_VENUE_ITEMS},
                **{
                    i.name: int(residents[position] / 10_000 * PER_10K[i.name])
                    for i in KP_SITE_ITEMS
                },
            }
        )
    venues = pd.DataFrame(rows)
    venues["year"] = year
    venues["explanation"] = None
    return venues


def _change_max_share() -> float:
    """progress_settings.kp_change_max_share: the rule fct_kp_change_flag applies (8%)."""
    with PROGRESS_SETTINGS_FILE.open(encoding="utf-8", newline="") as handle:
        settings = {row["setting"]: float(row["value"]) for row in csv.DictReader(handle)}
    return settings["kp_change_max_share"]


def _explain_changes(frames: dict[str, pd.DataFrame]) -> None:
    """A form whose item changed by more than the allowed share (8%) of the previous year
    carries the explanation the online system asks for, as a statistician would write it."""
    max_share = _change_max_share()
    for table, frame in frames.items():
        if table == "kp_units" or frame["year"].nunique() < 2:
            continue
        key = ["unit_code", "venue_id"] if "venue_id" in frame else ["unit_code"]
        numbers = frame.drop(columns=[*key, "year", "explanation"]).apply(
            pd.to_numeric, errors="coerce"
        )
        numbers = numbers.select_dtypes("number")
        previous = (
            frame[[*key, "year"]]
            .assign(year=frame["year"] + 1)
            .join(numbers)
            .set_index([*key, "year"])
        )
        current = frame[[*key, "year"]].join(numbers).set_index([*key, "year"])
        before = previous.reindex(current.index)
        changed = ((current - before).abs() > max_share * before).any(axis=1).to_numpy()
        frame.loc[changed, "explanation"] = "按年度工作安排调整"


def write_workbooks(
    frames: Mapping[str, pd.DataFrame], counties: pd.DataFrame, folder: Path
) -> list[Path]:
    """One workbook per province (central units in their own) and year, as kptj exports."""
    province = dict(zip(counties["county_code"], counties["province_code"], strict=True))
    units = frames["kp_units"]
    area = units["region_code"].map(province).where(units["form_level"] != "ministry", "central")
    money = {i.name: "万元" for i in KP_FUNDING_INDICATORS}
    paths = []
    for (year, name), unit_rows in units.assign(area=area).groupby(["year", "area"]):
        sheets = []
        for spec in (KP_UNITS, KP_PERSONS, KP_VENUES, KP_FUNDING, KP_MEDIA, KP_ACTIVITIES):
            frame = frames[spec.table]
            mine = frame["unit_code"].isin(unit_rows["unit_code"]) & (frame["year"] == year)
            sheets.append((spec, frame[mine]))
        path = folder / f"kepu_statistics_{name}_{year}.xlsx"
        received = date(year + 1, *FILED_BY)
        paths.append(
            write_workbook(path, sheets, units=money, synthetic=True, received_on=received)
        )
    return paths
