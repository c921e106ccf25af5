"""`kepu generate --scale`: synthetic data for a district, city, province or the nation.

The region hierarchy is `generator.hierarchy`'s; on it this module writes what the loader
reads (the specs of `ingest.specs`), every file marked synthetic:

- the region register and resident-population returns down to towns, 2015–2024;
- the plan: at national scale the national outline 全民科学素质行动规划纲要（2021—2035年）
  with its two literacy targets (>15% by 2025, 25% by 2035; baseline 10.56% in 2020), at
  a smaller scale a synthetic implementation plan of the root region adopting them;
- ten survey waves (2015–2024): NATIONAL_RESPONDENTS at national scale, proportionally
  fewer below (never fewer than LOCAL_RESPONDENTS, the size of a local survey); a
  stratified two-stage design (strata are prefectures, or the root's children below a
  province; PSUs are towns, or villages in a district), respondents allocated to strata by
  population and weighted to the stratum's population; the weighted literacy share equals
  the national series of DOMAIN.md (interpolated between published years), drawn with
  `generator.survey`'s group model and scores;
- unit registers and facility returns of every town and village, 2021–2024: activity
  stations, galleries and (in towns) venues opening along coverage paths, '无' where a
  unit has none;
- NATIONAL_ACTIVITIES activity records 2021–2024 at national scale, proportionally fewer
  below, placed in counties, towns and villages by population;
- the 科普统计 returns of every reporting unit of the root's counties, 2021–2023
  (`generator.kepu_statistics`: at national scale they roll up to the published figures).

Tables over `generator.files.XLSX_ROWS` rows are written as csv, one file per province.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator import kepu_statistics
from generator.files import XLSX_ROWS, write_csv, write_xlsx
from generator.funding import interpolate
from generator.hierarchy import (
    NATION_CODE,
    NATIONAL_POPULATION_WAN,
    YEARS,
    Hierarchy,
    scale_hierarchy,
)
from generator.records import _dates, _split
from generator.registry import REGISTER_RECEIVED, registry_table
from generator.survey import RULES, draw_groups, literate_flags, section_scores
from ingest.specs import (
    ACTIVITIES,
    FACILITIES,
    INDICATORS,
    PLANS,
    POPULATION,
    REGIONS,
    REVIEWS,
    SURVEY_RESPONDENTS,
    SURVEY_RULES,
    SURVEY_WAVES,
    TARGETS,
    UNIT_REGISTER,
    TableSpec,
)

NATIONAL_RESPONDENTS = 300_000
LOCAL_RESPONDENTS = 1_200
NATIONAL_ACTIVITIES = 5_000_000
LITERACY_SERIES = {2015: 6.20, 2018: 8.47, 2020: 10.56, 2022: 12.93, 2023: 14.14, 2024: 15.37}
URBAN_SHARE = {2015: 0.561, 2024: 0.670}  # urbanisation of the resident population (NBS)
RESPONDENTS_PER_PSU = 40
RECORD_YEARS = range(2021, 2025)  # the national outline's period, up to the latest wave
# Share of units with an active facility of each kind at the end of each record year.
COVERAGE = {
    ("village", "科普活动站(室)"): (0.62, 0.67, 0.72, 0.76),
    ("village", "科普画廊(宣传栏)"): (0.40, 0.45, 0.50, 0.55),
    ("town", "科普活动站(室)"): (0.85, 0.90, 0.93, 0.95),
    ("town", "科普画廊(宣传栏)"): (0.70, 0.74, 0.78, 0.82),
    ("town", "科普场馆"): (0.08, 0.09, 0.10, 0.11),
}
FACILITY_LETTERS = {"科普活动站(室)": "S", "科普画廊(宣传栏)": "G", "科普场馆": "V"}
ACTIVITY_TYPES = (
    "科普讲座",
    "科普展览",
    "实用技术培训",
    "科普日活动",
    "科技活动周",
    "青少年科技竞赛",
)
TARGET_GROUPS = ("青少年", "农民", "产业工人", "老年人", "领导干部和公务员", "社区居民")
ACTIVITY_PLACES = {"county": 0.3, "town": 0.4, "village": 0.3}
OUTLINE = {
    "name_zh": "全民科学素质行动规划纲要（2021—2035年）",
    "name_en": "Outline of the Action Plan for Nationwide Scientific Literacy (2021–2035)",
    "issuer_zh": "国务院",
    "issuer_en": "State Council",
    "issued_on": "2021-06-03",
}
LITERACY_TARGETS = (
    ("literacy-2025", "gt", 15.0, 2025, "到2025年，目标是：我国公民具备科学素质的比例超过15%"),
    ("literacy-2035", "ge", 25.0, 2035, "到2035年，远景目标是：我国公民具备科学素质的比例达到25%"),
)


def literacy_levels() -> pd.Series:
    """The national literacy series (percent) for every wave year."""
    return interpolate(LITERACY_SERIES, YEARS)


def _share(hierarchy: Hierarchy) -> float:
    """The root's share of the national population in the latest year."""
    return hierarchy.root_population()[-1] / (NATIONAL_POPULATION_WAN[YEARS[-1]] * 10_000)


def respondents_per_wave(hierarchy: Hierarchy) -> int:
    return max(LOCAL_RESPONDENTS, round(NATIONAL_RESPONDENTS * _share(hierarchy)))


def activity_count(hierarchy: Hierarchy) -> int:
    return round(NATIONAL_ACTIVITIES * _share(hierarchy))


# ---------------------------------------------------------------- plan

SURVEY_INDICATORS = ("literacy_ratio", "literacy_ratio_gap", "literacy_ratio_dispersion")


def plan_frames(hierarchy: Hierarchy) -> list[tuple[TableSpec, pd.DataFrame]]:
    """The national outline, or a synthetic implementation plan of it for the root."""
    root = hierarchy.regions.iloc[0]
    if hierarchy.root == NATION_CODE:
        plan_id, plan = "national-2021-2035", dict(OUTLINE)
        note = None
    else:
        plan_id = f"synthetic-{hierarchy.root}-2021-2035"
        plan = {
            "name_zh": f"{root['name_zh']}全民科学素质行动规划纲要实施方案（2021—2035年）（合成）",
            "name_en": f"{root['name_en']} implementation plan of the national outline "
            "(2021–2035) (synthetic)",
            "issuer_zh": f"{root['name_zh']}人民政府（合成）",
            "issuer_en": f"{root['name_en']} government (synthetic)",
            "issued_on": "2021-12-01",
        }
        note = "合成规划：沿用全国纲要的目标与原文。"
    plans = pd.DataFrame(
        [
            {
                "plan_id": plan_id,
                **plan,
                "region_code": hierarchy.root,
                "period_start": 2021,
                "period_end": 2035,
            }
        ]
    )
    reviews = pd.DataFrame(
        {"plan_id": plan_id, "review_year": [2025, 2035], "review_kind": "checkpoint"}
    )
    # The literacy ratio, and the gap and dispersion indicators the warehouse derives from
    # every surveyed region's waves.
    indicators = registry_table(INDICATORS)
    indicators = indicators[indicators["indicator_code"].isin(SURVEY_INDICATORS)]
    targets = pd.DataFrame(
        [
            {
                "target_id": f"{plan_id}.{slug}",
                "plan_id": plan_id,
                "indicator_code": "literacy_ratio",
                "region_code": hierarchy.root,
                "kind": "level",
                "comparator": comparator,
                "target_value": value,
                "unit_zh": "%",
                "unit_en": "%",
                "baseline_year": 2020,
                "baseline_value": LITERACY_SERIES[2020],
                "period_start": 2021,
                "period_end": year,
                "target_year": year,
                "direction": "increase",
                "source_quote": quote,
                "note_zh": note,
            }
            for slug, comparator, value, year, quote in LITERACY_TARGETS
        ]
    )
    return [(PLANS, plans), (REVIEWS, reviews), (INDICATORS, indicators), (TARGETS, targets)]


# ---------------------------------------------------------------- survey


def _design_levels(hierarchy: Hierarchy) -> tuple[str, str]:
    """The level of the strata and of the PSUs."""
    root_level = hierarchy.regions["level"].iloc[0]
    return {
        "county": ("town", "village"),
        "prefecture": ("county", "town"),
    }.get(root_level, ("prefecture", "town"))


def _clusters(hierarchy: Hierarchy, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Respondents' stratum, PSU, finite-population correction and weight."""
    regions = hierarchy.regions
    stratum_level, psu_level = _design_levels(hierarchy)
    k = YEARS.index(year)
    strata = np.flatnonzero((regions["level"] == stratum_level).to_numpy())
    stratum_codes = regions[stratum_level].to_numpy()[strata]
    population = hierarchy.population[strata, k]
    per_stratum = _split(respondents_per_wave(hierarchy), population.astype(float), 16, rng)
    psu_rows = regions[regions["level"] == psu_level]
    psus_of = psu_rows.groupby(stratum_level)["region_code"].agg(list)
    parts = []
    for code, pop, n in zip(stratum_codes, population, per_stratum, strict=True):
        units = psus_of[code]
        count = int(np.clip(n // RESPONDENTS_PER_PSU, 2, len(units)))
        chosen = rng.choice(units, count, replace=False)
        sizes = _split(int(n), rng.lognormal(0, 0.2, count), 8, rng)
        weight = rng.uniform(0.7, 1.4, n)
        parts.append(
            pd.DataFrame(
                {
                    "stratum": f"S{code}",
                    "psu": np.repeat(chosen, sizes),
                    "fpc": float(len(units)),
                    "weight": weight * pop / weight.sum(),
                    "psu_effect": np.repeat(rng.normal(0, 0.3, count), sizes),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def wave_frames(hierarchy: Hierarchy, year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One wave's row and its respondents."""
    rng = np.random.default_rng([seed, 12, 1, year])
    share = float(interpolate(URBAN_SHARE, YEARS)[year])
    design = draw_groups(_clusters(hierarchy, year, rng), share, rng)
    literate = literate_flags(design, float(literacy_levels()[year]), rng)
    wave_id = f"synthetic-{hierarchy.root}-{year}"
    respondents = pd.DataFrame(
        {
            "wave_id": wave_id,
            "respondent_id": wave_id + "-" + pd.Series(np.arange(1, len(design) + 1)).astype(str),
            "region_code": design["psu"],
            "stratum": design["stratum"],
            "psu": design["psu"],
            "weight": design["weight"].round(3),
            "sex": design["sex"],
            "age": design["age"],
            "urban_rural": design["urban_rural"],
            "education": design["education"],
            "occupation": design["occupation"],
            "fpc": design["fpc"],
        }
    )
    respondents = pd.concat([respondents, section_scores(literate, rng)], axis=1)
    root = hierarchy.regions.iloc[0]
    wave = pd.DataFrame(
        [
            {
                "wave_id": wave_id,
                "year": year,
                "region_code": hierarchy.root,
                "title_zh": f"{root['name_zh']}{year}年公民科学素质抽样调查（合成）",
                "title_en": f"{root['name_en']} {year} civic scientific literacy survey "
                "(synthetic)",
                "rule_id": "national-2024",
                "scoring": "sections",
                "lonely_psu": "adjust",
            }
        ]
    )
    return wave, respondents


# ---------------------------------------------------------------- facilities


def facility_frames(
    hierarchy: Hierarchy, seed: int
) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame]]:
    """Per province: the unit register and the facility returns of its towns and villages."""
    regions = hierarchy.regions
    years = np.array(RECORD_YEARS)
    units_only = regions[regions["level"].isin(("town", "village"))]
    for province, units in units_only.groupby("province", sort=True):
        rng = np.random.default_rng([seed, 12, 2, province])
        codes = units["region_code"].to_numpy()
        register = pd.DataFrame(
            {
                "year": np.repeat(years, len(codes)),
                "region_code": np.tile(codes, len(years)),
                "unit_name": np.tile(units["name_zh"].to_numpy(), len(years)),
            }
        )
        rows = []
        for (level, kind), path in COVERAGE.items():
            members = (units["level"] == level).to_numpy()
            draw = rng.random(members.sum())
            opened = np.select(
                [draw < p for p in path],
                [rng.integers(2005, 2022, members.sum()), *years[1:]],
                0,
            )
            for year in years:
                has = (opened > 0) & (opened <= year)
                rows.append(
                    pd.DataFrame(
                        {
                            "year": year,
                            "region_code": codes[members][has],
                            "facility_type": kind,
                            "facility_id": codes[members][has] + "-" + FACILITY_LETTERS[kind] + "1",
                            "status": "在用",
                            "opened_year": opened[has],
                            "content_updates": (
                                rng.poisson(11, has.sum()) if "画廊" in kind else None
                            ),
                        }
                    )
                )
        facilities = pd.concat(rows, ignore_index=True)
        present = facilities[["year", "region_code"]].drop_duplicates()
        none = register[["year", "region_code"]].merge(present, how="left", indicator=True)
        none = none.loc[none["_merge"] == "left_only", ["year", "region_code"]].assign(
            facility_type="无", facility_id="-"
        )
        facilities = pd.concat([facilities, none], ignore_index=True)
        facilities["content_updates"] = facilities["content_updates"].astype("Int64")
        facilities["opened_year"] = facilities["opened_year"].astype("Int64")
        order = ["year", "region_code", "facility_type", "facility_id"]
        yield province, register, facilities.sort_values(order, ignore_index=True)


# ---------------------------------------------------------------- activities


def activity_frames(hierarchy: Hierarchy, seed: int) -> Iterator[tuple[int, pa.Table]]:
    """Per province: its activity records, placed by population, numbered by date."""
    regions = hierarchy.regions
    villages = regions[regions["level"] == "village"]
    population = hierarchy.population[(regions["level"] == "village").to_numpy(), -1]
    provinces = villages["province"].to_numpy()
    order = np.unique(provinces)
    totals = np.array([population[provinces == p].sum() for p in order], dtype=float)
    rng = np.random.default_rng([seed, 12, 3])
    counts = _split(activity_count(hierarchy), totals, 0, rng)
    for province, count in zip(order, counts, strict=True):
        rng = np.random.default_rng([seed, 12, 3, province])
        inside = provinces == province
        weights = population[inside] / population[inside].sum()
        where = rng.choice(inside.sum(), count, p=weights)
        level = rng.choice(list(ACTIVITY_PLACES), count, p=list(ACTIVITY_PLACES.values()))
        place = villages[inside]
        code = np.select(
            [level == "county", level == "town"],
            [place["county"].to_numpy()[where], place["town"].to_numpy()[where]],
            place["village"].to_numpy()[where],
        )
        year = rng.choice(np.array(RECORD_YEARS), count, p=[0.22, 0.24, 0.26, 0.28])
        kind = rng.integers(0, len(ACTIVITY_TYPES), count)
        participants = np.maximum(1, rng.lognormal(4, 1, count).round()).astype(np.int64)
        amount = np.where(
            rng.random(count) < 0.4, (participants * rng.uniform(5, 40, count)).round(2), np.nan
        )
        days = _dates(year, rng)
        groups = rng.integers(0, len(TARGET_GROUPS), count)
        sessions = 1 + rng.poisson(0.5, count)
        order = np.lexsort((code, days))
        year = year[order]
        number = np.arange(count) - np.searchsorted(year, year) + 1  # within its year, by date
        ids = pc.binary_join_element_wise(
            f"A{province // 10_000}",
            pc.cast(pa.array(year), pa.string()),
            pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), 7, "0"),
            "-",
        )
        # Arrow columns, not Python strings: millions of small objects fragment the heap
        frame = pa.table(
            {
                "activity_id": ids,
                "activity_date": pa.array(days[order]),
                "region_code": pc.cast(pa.array(code[order]), pa.string()),
                "activity_type": pc.take(pa.array(ACTIVITY_TYPES), pa.array(kind[order])),
                "target_group": pc.take(pa.array(TARGET_GROUPS), pa.array(groups[order])),
                "sessions": pa.array(sessions[order]),
                "participants": pa.array(participants[order]),
                "amount": pa.array(amount[order], from_pandas=True),
            }
        )
        yield province, frame


# ---------------------------------------------------------------- writing


class _Table:
    """One table written as it comes, province by province: csv files when `large`,
    otherwise gathered into one xlsx on close."""

    def __init__(self, folder: Path, stem: str, spec: TableSpec, large: bool, received: date):
        self.folder, self.stem, self.spec, self.large, self.received = (
            folder, stem, spec, large, received
        )  # fmt: skip
        self.parts: list[pd.DataFrame | pa.Table] = []
        self.paths: list[Path] = []

    def add(self, province: int, frame: pd.DataFrame | pa.Table) -> None:
        if self.large:
            name = f"{self.stem}_{province // 10_000:02d}.csv"
            self.paths.append(write_csv(self.folder / name, self.spec, frame, self.received))
        else:
            self.parts.append(frame)

    def close(self) -> list[Path]:
        if not self.large:
            parts = [p.to_pandas() if isinstance(p, pa.Table) else p for p in self.parts]
            whole = pd.concat(parts, ignore_index=True)
            path = self.folder / f"{self.stem}.xlsx"
            self.paths.append(write_xlsx(path, [(self.spec, whole)], self.received))
        return self.paths


def _table(folder, stem, spec, parts, rows: int, received: date) -> list[Path]:
    table = _Table(folder, stem, spec, rows > XLSX_ROWS, received)
    for province, frame in parts:
        table.add(province, frame)
    return table.close()


def _survey(folder: Path, hierarchy: Hierarchy, seed: int) -> list[Path]:
    """One workbook per wave; at national size its respondents in a csv beside it."""
    paths = []
    for year in YEARS:
        wave, respondents = wave_frames(hierarchy, year, seed)
        sheets = [(SURVEY_RULES, RULES), (SURVEY_WAVES, wave)]
        received = date(year + 1, 3, 31)
        if len(respondents) <= XLSX_ROWS:
            sheets.append((SURVEY_RESPONDENTS, respondents))
        paths.append(write_xlsx(folder / f"survey_{year}.xlsx", sheets, received))
        if len(respondents) > XLSX_ROWS:
            path = folder / f"survey_{year}_respondents.csv"
            paths.append(write_csv(path, SURVEY_RESPONDENTS, respondents, received))
    return paths


def _records(folder: Path, hierarchy: Hierarchy, seed: int) -> list[Path]:
    """Unit registers and facility returns (a unit has at most three facility rows a
    year), then the activity log."""
    received = date(RECORD_YEARS[-1] + 1, 3, 31)
    units = hierarchy.regions["level"].isin(("town", "village")).sum() * len(RECORD_YEARS)
    register = _Table(folder, "unit_register", UNIT_REGISTER, units > XLSX_ROWS, received)
    facilities = _Table(folder, "facilities", FACILITIES, 3 * units > XLSX_ROWS, received)
    for province, register_part, facility_part in facility_frames(hierarchy, seed):
        register.add(province, register_part)
        facilities.add(province, facility_part)
    activities = activity_frames(hierarchy, seed)
    count = activity_count(hierarchy)
    return [
        *register.close(),
        *facilities.close(),
        *_table(folder, "activities", ACTIVITIES, activities, count, received),
    ]


def generate_scale(scale: str, folder: Path, seed: int) -> list[Path]:
    """Write the files of one scale into `folder` and return them, in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    hierarchy = scale_hierarchy(scale, seed)
    regions = hierarchy.regions
    register = regions[["region_code", "name_zh", "name_en", "level", "parent_code"]].assign(
        is_synthetic="true"
    )
    paths = _table(
        folder,
        "regions",
        REGIONS,
        register.groupby(regions["province"], sort=True),
        len(register),
        REGISTER_RECEIVED,
    )
    population = hierarchy.population_frame()
    province = population["region_code"].str.slice(0, 2).astype(int) * 10_000
    province = province.where(population["region_code"] != NATION_CODE, 0)
    paths += _table(
        folder,
        "population",
        POPULATION,
        population.groupby(province, sort=True),
        len(population),
        date(YEARS[-1] + 1, 3, 31),
    )
    paths.append(write_xlsx(folder / "plan.xlsx", plan_frames(hierarchy), date(2021, 12, 1)))
    return [
        *paths,
        *_survey(folder, hierarchy, seed),
        *_records(folder, hierarchy, seed),
        *_kepu_statistics(folder, hierarchy, seed),
    ]


def _kepu_statistics(folder: Path, hierarchy: Hierarchy, seed: int) -> list[Path]:
    """The 科普统计 returns of every reporting unit of the root's counties, for the years
    the national figures calibrate, on the counties' population of the latest of them."""
    latest = max(kepu_statistics.CALIBRATED_YEARS)
    counties = hierarchy.counties_frame()
    counties = counties[counties["year"] == latest].drop(columns="year")
    frames = kepu_statistics.returns(counties, kepu_statistics.CALIBRATED_YEARS, seed)
    return kepu_statistics.write_workbooks(frames, counties, folder)
