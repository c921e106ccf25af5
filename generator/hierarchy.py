"""A synthetic national region hierarchy, and the slice of it each scale generates.

31 provinces (the GB/T 2260 province codes), 340 prefectures, 2,850 counties, 40,000
towns and 600,000 villages: the sizes of China's division, every name marked 合成 /
synthetic. Codes follow GB/T 2260 and the statistics division codes: 6 digits for
province (PP0000), prefecture (PPCC00) and county (PPCCDD), 9 for towns (county + 3), 12
for villages (town + 3). Children per parent are drawn around the national averages, so the
totals are exact. Village populations are drawn so that every year they add up to the
national year-end resident population (NBS), with provinces growing at different rates;
every other level is the sum of its villages.

The national hierarchy is drawn whole at every scale (it takes about a second), and a
smaller scale is one of its subtrees: a province of about 14 prefectures, a prefecture of
about 8 counties, a county of about 14 towns. So a county generated alone has the same
code, towns and population as in the national data of the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from generator.records import _split

YEARS = range(2015, 2025)
# Year-end resident population of China in 万人 (NBS statistical communiqués).
NATIONAL_POPULATION_WAN = dict(
    zip(
        YEARS,
        (137_462, 138_271, 139_008, 139_538, 140_005, 141_212, 141_260, 141_175, 140_967, 140_828),
        strict=True,
    )
)
PROVINCE_CODES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                  46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)  # fmt: skip
NATION_CODE = "100000"
# No region_level code for the whole country exists yet (dbt seeds codes.csv and
# ingest/synonyms.csv list province to village); the national register needs it added.
NATION_LEVEL = "nation"
LEVELS = ("province", "prefecture", "county", "town", "village")
LEVEL_ZH = {"nation": "全国", "province": "省", "prefecture": "市", "county": "县", "town": "镇",
            "village": "村"}  # fmt: skip
# Children per level below the provinces (exact totals), the least per parent, and the
# spread of the parents' sizes (sd of a log-normal weight).
CHILDREN = {"prefecture": (340, 2, 0.35), "county": (2_850, 1, 0.4), "town": (40_000, 3, 0.4),
            "village": (600_000, 2, 0.5)}  # fmt: skip
SCALES = ("district", "city", "province", "national")
# The slice each smaller scale takes: the subtree whose root has a child count nearest this.
TYPICAL_CHILDREN = {"province": 14, "city": 8, "district": 14}
SCALE_ROOT_LEVEL = {"province": "province", "city": "prefecture", "district": "county"}


@dataclass(frozen=True)
class Hierarchy:
    """Regions in code order, parents before children, and their population by year.

    `regions` has region_code, name_zh, name_en, level, parent_code, is_synthetic and the
    integer codes of the region's province, prefecture, county and town (0 above the
    region's own level); `population[i, k]` is region i's population in YEARS[k]."""

    regions: pd.DataFrame
    population: np.ndarray
    root: str  # the code of the region the hierarchy is about

    def population_frame(self, deepest: str = "town") -> pd.DataFrame:
        """Resident population returns (persons) of every region down to `deepest`."""
        keep = LEVELS.index(deepest) + 1
        chosen = self.regions["level"].isin((NATION_LEVEL, *LEVELS[:keep])).to_numpy()
        codes = self.regions["region_code"].to_numpy()[chosen]
        return pd.DataFrame(
            {
                "region_code": np.repeat(codes, len(YEARS)),
                "year": np.tile(np.array(YEARS), len(codes)),
                "resident_population": self.population[chosen].ravel(),
            }
        )

    def counties_frame(self) -> pd.DataFrame:
        """The hook for the 科普统计 returns (generator.kepu_statistics): one row per county
        and year with its prefecture, province and resident population (persons)."""
        counties = (self.regions["level"] == "county").to_numpy()
        part = self.regions[counties]
        return pd.DataFrame(
            {
                "county_code": np.repeat(part["region_code"].to_numpy(), len(YEARS)),
                "city_code": np.repeat(part["prefecture"].astype(str).to_numpy(), len(YEARS)),
                "province_code": np.repeat(part["province"].astype(str).to_numpy(), len(YEARS)),
                "population": self.population[counties].ravel(),
                "year": np.tile(np.array(YEARS), len(part)),
            }
        )

    def root_population(self) -> np.ndarray:
        """The root region's population by year."""
        return self.population[(self.regions["region_code"] == self.root).to_numpy()][0]


def _level_codes(parent_codes: np.ndarray, counts: np.ndarray, level: str) -> np.ndarray:
    """Children codes: the parent's code with the child's ordinal in its own digits."""
    parents = np.repeat(parent_codes, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    ordinal = np.arange(counts.sum()) - starts + 1
    if level == "prefecture":  # PP0000 → PPCC00
        return parents + ordinal * 100
    if level == "county":  # PPCC00 → PPCCDD
        return parents + ordinal
    return parents * 1_000 + ordinal  # 6 → 9 → 12 digits


def _tree(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Integer codes of every level and, for each, the index of its parent one level up."""
    codes = {"province": (np.array(PROVINCE_CODES, dtype=np.int64) * 10_000, np.zeros(31, int))}
    for above, level in pairwise(LEVELS):
        total, least, spread = CHILDREN[level]
        parents = codes[above][0]
        counts = _split(total, rng.lognormal(0, spread, len(parents)), least, rng)
        children = _level_codes(parents, counts, level)
        codes[level] = (children, np.repeat(np.arange(len(parents)), counts))
    return codes


def _village_population(villages: int, province_of: np.ndarray, rng: np.random.Generator):
    """Persons per village and year, adding up each year to the national population."""
    size = rng.lognormal(0, 0.6, villages)
    growth = rng.normal(0, 0.008, len(PROVINCE_CODES))[province_of]
    population = np.empty((villages, len(YEARS)), dtype=np.int64)
    for k, year in enumerate(YEARS):
        shares = size * np.exp(growth * k)
        total = NATIONAL_POPULATION_WAN[year] * 10_000
        population[:, k] = rng.multinomial(total, shares / shares.sum())
    return population


def national_hierarchy(seed: int) -> Hierarchy:
    """The whole country: a nation row, then provinces down to villages."""
    rng = np.random.default_rng([seed, 12, 0])
    tree = _tree(rng)
    # the index of each village's ancestor at every level, found by walking up the tree
    up = {"village": np.arange(len(tree["village"][0]))}
    for below, level in pairwise(LEVELS[::-1]):
        up[level] = tree[below][1][up[below]]
    village_population = _village_population(len(up["village"]), up["province"], rng)
    frames, populations = [], []
    for depth, level in enumerate(LEVELS):
        codes = tree[level][0]
        frame = pd.DataFrame({"code": codes, "level": level})
        for ancestor in LEVELS[: depth + 1]:
            # the ancestor of each region of this level: follow the parent indexes up
            index = np.arange(len(codes))
            for step in range(depth, LEVELS.index(ancestor), -1):
                index = tree[LEVELS[step]][1][index]
            frame[ancestor] = tree[ancestor][0][index]
        parent = tree[LEVELS[depth - 1]][0][tree[level][1]] if depth else None
        frame["parent"] = parent
        frames.append(frame)
        sums = np.zeros((len(codes), len(YEARS)), dtype=np.int64)
        np.add.at(sums, up[level], village_population)
        populations.append(sums)
    regions = pd.concat(frames, ignore_index=True)
    for level in LEVELS:
        regions[level] = regions[level].fillna(0).astype(np.int64)
    code = regions["code"].astype(str)
    parent = regions["parent"].astype("Int64").astype(str).where(regions["parent"].notna())
    parent = parent.where(regions["level"] != "province", NATION_CODE)
    nation = pd.DataFrame(
        {"region_code": [NATION_CODE], "level": [NATION_LEVEL], "parent_code": [None]}
    )
    named = pd.concat(
        [
            nation,
            pd.DataFrame({"region_code": code, "level": regions["level"], "parent_code": parent}),
        ],
        ignore_index=True,
    )
    named["name_zh"] = "合成" + named["level"].map(LEVEL_ZH) + named["region_code"]
    named["name_en"] = "Synthetic " + named["level"] + " " + named["region_code"]
    named["is_synthetic"] = True
    for level in LEVELS:
        named[level] = np.concatenate([[0], regions[level].to_numpy()])
    population = np.vstack([village_population.sum(axis=0, keepdims=True), *populations])
    columns = ["region_code", "name_zh", "name_en", "level", "parent_code", "is_synthetic"]
    return Hierarchy(named[[*columns, *LEVELS]], population, NATION_CODE)


def _nearest(regions: pd.DataFrame, level: str, typical: int) -> int:
    """The integer code of the region of `level` whose child count is nearest `typical`."""
    children = regions[regions["level"] == LEVELS[LEVELS.index(level) + 1]]
    counts = children.groupby(level).size()
    distance = (counts - typical).abs()
    return int(distance[distance == distance.min()].index.min())


def scale_hierarchy(scale: str, seed: int) -> Hierarchy:
    """The hierarchy of one scale: the nation, or one province, prefecture or county."""
    national = national_hierarchy(seed)
    if scale == "national":
        return national
    regions = national.regions
    chosen = np.ones(len(regions), dtype=bool)
    for step in ("province", "city", "district")[: 3 - SCALES.index(scale)]:
        level = SCALE_ROOT_LEVEL[step]
        code = _nearest(regions[chosen], level, TYPICAL_CHILDREN[step])
        chosen &= (regions[level] == code).to_numpy()
    part = regions[chosen].reset_index(drop=True)
    root = str(part["region_code"].iloc[0])
    part.loc[0, "parent_code"] = None
    return Hierarchy(part, national.population[chosen], root)
