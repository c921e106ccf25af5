"""Populations and funding returns: synthetic, calibrated to published figures.

- Ouhai (瓯海区): the plan's 区级人均科普经费 of ¥2.67 in 2015 and ¥3.62 in 2020 and its
  十二五 / 十三五 totals of 426 and 706 万元. These fit together only with the registered
  (户籍) population of about 0.44 million, so the registered series is anchored there.
  All of Ouhai's district funding is modelled as special-fund appropriation.
- Zengcheng (增城区) rises toward its ¥20 target and nearly reaches it in 2020; Shenzhen and
  Beijing follow plausible paths from their published resident populations.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.specs import FUNDING, POPULATION
from ingest.workbook import write_workbook

YEARS = range(2011, 2026)

# Ouhai district funding in 万元. 2011–2015 sum to 426.00 and 2016–2020 to 706.00; with the
# registered population below, 2015 gives 116.23万 / 435,300 = ¥2.67 and 2020 gives
# 162.10万 / 447,800 = ¥3.62 per person.
OUHAI_FUNDING_WAN = {
    2011: 68.20, 2012: 73.50, 2013: 80.10, 2014: 87.97, 2015: 116.23,
    2016: 123.40, 2017: 131.80, 2018: 140.20, 2019: 148.50, 2020: 162.10,
    2021: 171.60, 2022: 183.40, 2023: 195.90, 2024: 207.30, 2025: 219.80,
}  # fmt: skip  # one line per five-year plan (十二五, 十三五, 十四五), as the plan sums them

# Population anchors in 万人 (linear between anchors). Resident figures follow published
# yearbook and census values to within rounding; Ouhai's registered series is the
# calibration above (+0.25万 a year from 42.53万 in 2011).
POPULATION_ANCHORS_WAN = {
    "110000": {
        "resident": {2011: 2018.6, 2016: 2195.4, 2020: 2189.3, 2025: 2183.0},
        "registered": {2011: 1277.9, 2020: 1400.8, 2025: 1430.0},
    },
    "440300": {
        "resident": {2011: 1046.7, 2017: 1252.8, 2020: 1756.0, 2025: 1798.0},
        "registered": {2011: 267.9, 2017: 434.7, 2020: 587.4, 2025: 620.0},
    },
    "440118": {
        "resident": {2011: 104.0, 2015: 112.0, 2020: 146.6, 2025: 153.0},
        "registered": {2011: 84.0, 2020: 97.0, 2025: 103.0},
    },
    "330304": {
        "resident": {2011: 88.0, 2020: 96.3, 2025: 98.0},
        "registered": {2011: 42.53, 2025: 46.03},
    },
}

# Per-capita total funding paths (元 per resident) for the synthetic returns, and the
# share of each source. Zengcheng nearly reaches its ¥20 target in 2020.
PER_CAPITA_PATHS = {
    "440118": {2011: 7.2, 2015: 9.8, 2020: 18.9, 2025: 22.5},
    "440300": {2011: 19.0, 2016: 25.0, 2020: 34.0, 2025: 41.0},
    "110000": {2011: 98.0, 2016: 125.0, 2020: 139.0, 2025: 152.0},
}
SOURCE_SHARES = {
    "440118": {"government": 0.70, "special_fund": 0.42, "donation": 0.05, "other": 0.03},
    "440300": {
        "government": 0.75,
        "special_fund": 0.40,
        "donation": 0.08,
        "self_raised": 0.12,
        "other": 0.05,
    },
    "110000": {
        "government": 0.70,
        "special_fund": 0.30,
        "donation": 0.05,
        "self_raised": 0.20,
        "other": 0.05,
    },
}
ZENGCHENG_TOWN_SHARE = 0.22  # self-raised by towns and streets, reported by each town


def interpolate(anchors: dict[int, float], years: range = YEARS) -> pd.Series:
    """Values for every year, linear between the anchor years."""
    known = pd.Series(anchors, dtype=float)
    return known.reindex(sorted(set(years) | set(anchors))).interpolate("index")[list(years)]


def population_frame() -> pd.DataFrame:
    """Resident and registered population in 万人, two decimals, as yearbooks print them."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "region_code": code,
                    "year": list(YEARS),
                    "resident_population": interpolate(series["resident"]).round(2).to_numpy(),
                    "registered_population": interpolate(series["registered"]).round(2).to_numpy(),
                }
            )
            for code, series in POPULATION_ANCHORS_WAN.items()
        ],
        ignore_index=True,
    )


def _funding_rows(code: str, population: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    resident = population[population.region_code == code].set_index("year")["resident_population"]
    total_wan = interpolate(PER_CAPITA_PATHS[code]) * resident * (1 + rng.normal(0, 0.02, 15))
    rows = []
    for year, total in total_wan.items():
        for source, share in SOURCE_SHARES[code].items():
            rows.append(
                {
                    "region_code": code,
                    "year": year,
                    "source": source,
                    "amount": round(total * share, 2),
                }
            )
        if code == "440118":
            shares = rng.dirichlet(np.full(11, 4.0)) * total * ZENGCHENG_TOWN_SHARE
            rows += [
                {
                    "region_code": f"{code}{901 + i}",
                    "year": year,
                    "source": "self_raised",
                    "amount": round(amount, 2),
                }
                for i, amount in enumerate(shares)
            ]
    return rows


def funding_frames(population: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """Funding returns per region in 万元 (Beijing's in 元, as its return states)."""
    rng = np.random.default_rng(seed)
    ouhai = pd.DataFrame(
        [
            {"region_code": "330304", "year": y, "source": s, "amount": amount}
            for y, amount in OUHAI_FUNDING_WAN.items()
            for s in ("government", "special_fund")
        ]
    )
    frames = {"ouhai": ouhai}
    for name, code in (("zengcheng", "440118"), ("shenzhen", "440300"), ("beijing", "110000")):
        frames[name] = pd.DataFrame(_funding_rows(code, population, rng))
    frames["beijing"]["amount"] = (frames["beijing"]["amount"] * 10_000).round(0)
    return frames


def yearly_workbooks(folder: Path, population: pd.DataFrame, seed: int) -> list[Path]:
    """Population and funding returns, one workbook per year, received in the next spring."""
    funding = funding_frames(population, seed)
    beijing = funding.pop("beijing")
    others = pd.concat(funding.values(), ignore_index=True)
    paths = []
    for year in YEARS:
        paths.append(
            write_workbook(
                folder / f"population_{year}.xlsx",
                [(POPULATION, population[population["year"] == year])],
                units={"resident_population": "万人", "registered_population": "万人"},
                synthetic=True,
                received_on=date(year + 1, 3, 31),
            )
        )
        paths.append(
            write_workbook(
                folder / f"funding_{year}.xlsx",
                [(FUNDING, others[others["year"] == year])],
                units={"amount": "万元"},
                synthetic=True,
                received_on=date(year + 1, 4, 30),
            )
        )
        paths.append(
            write_workbook(
                folder / f"funding_beijing_{year}.xlsx",
                [(FUNDING, beijing[beijing["year"] == year])],
                unit_cell="元",
                synthetic=True,
                received_on=date(year + 1, 4, 30),
            )
        )
    return paths
