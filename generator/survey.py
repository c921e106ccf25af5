"""Synthetic literacy survey waves, written as the workbooks statisticians load.

Each wave is a stratified two-stage cluster sample: strata are towns (or city strata),
PSUs are communities, respondents are drawn within PSUs, and weights are unequal (inverse
selection probability × a non-response adjustment). Literacy follows a logistic model in
sex, urban/rural, age band, education and occupation with a PSU effect (so the design
effect is real), and each wave's intercept is set so that the weighted sample share equals
the level on the region's path: the published figure where there is one (Beijing 24.07% in
2020), otherwise a path around the plan's target. Scores are then drawn consistent with
each respondent's literacy under the wave's rule: item responses against an answer key
(older benchmark-style waves) or section scores (newer waves).

Beijing's strata are its 16 districts, 10–14 PSUs each (6,400 respondents a wave), so
respondents carry district codes and the districts' estimates are independent and can be
published. Some group effects change over the waves, so that the plans' gap
goals have something to find: Ouhai's gender effect shrinks from 2021 to 2025 (its occupation
effects do not), Beijing's urban effect and its district effects shrink from 2020 to 2025
(its age effects do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.specs import (
    SURVEY_ITEMS,
    SURVEY_RESPONDENTS,
    SURVEY_RULES,
    SURVEY_WAVES,
)
from ingest.workbook import write_workbook

RULES = pd.DataFrame(
    [
        {
            "rule_id": "benchmark-2016",
            "name_zh": "基准调查（2016）：50道2分题，正确率≥60%",
            "name_en": "Benchmark test (2016): 50 two-point items, at least 60% correct",
            "threshold": 60,
            "threshold_inclusive": "是",
            "threshold_unit": "percent",
            "advanced_threshold": None,
            "advanced_inclusive": None,
            "basic_threshold": None,
            "basic_inclusive": None,
            "source": "DOMAIN.md: 基准 2016",
        },
        {
            "rule_id": "national-2024",
            "name_zh": "2024年全国调查：百分制，≥70分具备科学素质",
            "name_en": "2024 national round: 100 points, 70 or more is literate",
            "threshold": 70,
            "threshold_inclusive": "是",
            "threshold_unit": "points",
            "advanced_threshold": 85,
            "advanced_inclusive": "否",
            "basic_threshold": 55,
            "basic_inclusive": "是",
            "source": "DOMAIN.md: 2024 national round",
        },
    ]
)
SECTIONS = {"科学知识": 40, "科学方法": 20, "科学精神与思想": 20, "应用能力": 20}
BENCHMARK_ITEMS = 50
OCCUPATIONS = {
    "领导干部和公务员": 1.0,
    "企事业单位管理人员": 0.6,
    "专业技术人员": 0.9,
    "办事人员": 0.4,
    "商业及服务业人员": 0.0,
    "产业工人": -0.3,
    "农民": -0.9,
    "学生及待升学人员": 0.8,
    "离退休人员": -0.2,
    "无业失业及家务": -0.6,
}
EDUCATION_EFFECT = {
    "小学及以下": -1.6,
    "初中": -0.7,
    "高中": 0.0,
    "大专": 0.6,
    "大学本科及以上": 1.3,
}
AGE_EFFECT = {"18-29": 0.9, "30-39": 0.5, "40-49": 0.0, "50-59": -0.5, "60-69": -1.2}
SEX_EFFECT, URBAN_EFFECT = 0.25, 0.7
# Beijing's districts in code order, with a logit effect each: the central districts above,
# the outer ones below the city.
BEIJING_DISTRICTS = {
    "110101": 0.55, "110102": 0.6, "110105": 0.35, "110106": 0.1, "110107": 0.15,
    "110108": 0.7, "110109": -0.35, "110111": -0.45, "110112": -0.15, "110113": -0.25,
    "110114": 0.05, "110115": -0.2, "110116": -0.5, "110117": -0.55, "110118": -0.6,
    "110119": -0.65,
}  # fmt: skip


@dataclass(frozen=True)
class Effects:
    """The group effects of one wave that differ from the defaults."""

    sex: float = SEX_EFFECT
    urban: float = URBAN_EFFECT
    district_scale: float = 1.0


@dataclass(frozen=True)
class SurveyRegion:
    code: str
    slug: str
    name_zh: str
    respondents: int
    strata: int
    urban_share: float
    path: dict[int, float]  # year → literacy ratio in percent
    town_codes: bool  # respondents coded to synthetic towns (one per stratum)
    districts: dict[str, float] | None = None  # one stratum per district, with its effect
    effects: dict[int, Effects] | None = None  # year → effects that change over the waves
    psus: tuple[int, int] = (3, 7)  # PSUs per stratum, drawn from [low, high)


REGIONS = (
    SurveyRegion(
        "440300",
        "shenzhen",
        "深圳市",
        2_400,
        8,
        0.95,
        {2017: 17.5, 2018: 19.2, 2019: 20.8, 2020: 22.9},
        False,
    ),
    SurveyRegion(
        "440118",
        "zengcheng",
        "增城区",
        1_500,
        11,
        0.60,
        {2016: 6.8, 2018: 8.2, 2019: 9.1, 2020: 9.8},
        True,
    ),
    SurveyRegion(
        "330304",
        "ouhai",
        "瓯海区",
        1_300,
        13,
        0.65,
        {2021: 14.2, 2022: 15.1, 2023: 16.0, 2024: 16.8, 2025: 17.6},
        True,
        effects={
            year: Effects(sex=sex)
            for year, sex in zip(range(2021, 2026), (0.75, 0.6, 0.45, 0.25, 0.05), strict=True)
        },
    ),
    SurveyRegion(
        "110000",
        "beijing",
        "北京市",
        6_400,
        16,
        0.87,
        {2020: 24.07, 2021: 24.9, 2022: 25.6, 2023: 26.4, 2024: 27.2, 2025: 28.1},
        False,
        districts=BEIJING_DISTRICTS,
        psus=(10, 15),
        effects={
            year: Effects(urban=urban, district_scale=scale)
            for year, urban, scale in zip(
                range(2020, 2026),
                (1.2, 1.05, 0.9, 0.7, 0.5, 0.35),
                (1.0, 0.9, 0.8, 0.65, 0.5, 0.4),
                strict=True,
            )
        },
    ),
)
ITEMS_WAVES_BEFORE = 2019  # waves before this year use the benchmark item test


def _draw_design(region: SurveyRegion, rng: np.random.Generator, lonely: bool) -> pd.DataFrame:
    """Strata, PSUs, weights and group variables for one wave's respondents."""
    rows = []
    per_stratum = region.respondents // region.strata
    for h in range(region.strata):
        psu_count = 1 if (lonely and h == 0) else int(rng.integers(*region.psus))
        population_psus = psu_count * int(rng.integers(4, 12))
        stratum_weight = rng.uniform(300, 3_000)
        for j in range(psu_count):
            size = max(8, int(per_stratum / psu_count * rng.uniform(0.7, 1.3)))
            rows.append(
                pd.DataFrame(
                    {
                        "stratum": f"S{h + 1:02d}",
                        "psu": f"S{h + 1:02d}-C{j + 1:02d}",
                        "town": h + 1,
                        "fpc": float(population_psus),
                        "weight": stratum_weight * rng.uniform(0.7, 1.4, size),
                        "psu_effect": rng.normal(0, 0.3),
                    }
                )
            )
    return draw_groups(pd.concat(rows, ignore_index=True), region.urban_share, rng)


def draw_groups(design: pd.DataFrame, urban_share: float, rng: np.random.Generator) -> pd.DataFrame:
    """Sex, age, urban/rural, education and occupation for each row of a drawn design
    (the generator at every scale draws its own clusters and reuses this)."""
    n = len(design)
    design["sex"] = rng.choice(["男", "女"], n)
    design["age"] = rng.integers(18, 76, n)  # 70–75 are outside the indicator's population
    design["urban_rural"] = np.where(rng.random(n) < urban_share, "城镇", "乡村")
    education = list(EDUCATION_EFFECT)
    young = design["age"] < 40
    design["education"] = np.where(
        young,
        rng.choice(education, n, p=[0.05, 0.25, 0.25, 0.2, 0.25]),
        rng.choice(education, n, p=[0.25, 0.35, 0.22, 0.1, 0.08]),
    )
    occupations = list(OCCUPATIONS)
    farm = np.where(design["urban_rural"] == "乡村", 0.35, 0.03)
    weights = np.tile(np.array([0.03, 0.06, 0.12, 0.1, 0.2, 0.14, 0, 0.08, 0.15, 0.12]), (n, 1))
    weights[:, occupations.index("农民")] = farm
    weights /= weights.sum(axis=1, keepdims=True)
    choice = (weights.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    design["occupation"] = np.array(occupations)[choice]
    return design


def _linear_predictor(
    design: pd.DataFrame, effects: Effects, districts: dict[str, float] | None
) -> np.ndarray:
    bands = pd.cut(design["age"], [17, 29, 39, 49, 59, 200], labels=list(AGE_EFFECT))
    district = 0.0
    if districts:
        district = effects.district_scale * np.array(list(districts.values()))[design["town"] - 1]
    return (
        np.where(design["sex"] == "男", effects.sex, 0.0)
        + np.where(design["urban_rural"] == "城镇", effects.urban, 0.0)
        + bands.map(AGE_EFFECT).astype(float).to_numpy()
        + design["education"].map(EDUCATION_EFFECT).to_numpy()
        + design["occupation"].map(OCCUPATIONS).to_numpy()
        + design["psu_effect"].to_numpy()
        + district
    )


def literate_flags(
    design: pd.DataFrame,
    level: float,
    rng: np.random.Generator,
    effects: Effects = Effects(),
    districts: dict[str, float] | None = None,
) -> np.ndarray:
    """Literacy flags whose weighted share among adults 18–69 equals `level` (percent)."""
    eta = _linear_predictor(design, effects, districts)
    adults = (design["age"] <= 69).to_numpy()
    weights = design["weight"].to_numpy()
    low, high = -15.0, 15.0
    for _ in range(60):  # the intercept that gives the level in expectation
        alpha = (low + high) / 2
        expected = np.average(1 / (1 + np.exp(-(alpha + eta[adults]))), weights=weights[adults])
        low, high = (alpha, high) if expected < level / 100 else (low, alpha)
    propensity = 1 / (1 + np.exp(-(alpha + eta)))
    flags = rng.random(len(design)) < propensity
    return _match_share(flags, weights, adults, propensity, level / 100)


def _match_share(
    flags: np.ndarray,
    weights: np.ndarray,
    adults: np.ndarray,
    propensity: np.ndarray,
    share: float,
) -> np.ndarray:
    """Flip the most (or least) likely respondents until the weighted share is on target."""
    flags = flags.copy()
    total = weights[adults].sum()
    gap = share * total - weights[adults & flags].sum()
    raise_share = gap > 0
    candidates = np.flatnonzero(adults & (flags != raise_share))
    order = candidates[
        np.argsort(-propensity[candidates] if raise_share else propensity[candidates])
    ]
    for position, index in enumerate(order):
        if abs(gap) <= 0.00004 * total:
            break
        if weights[index] > abs(gap):
            remaining = order[position:]
            flags[remaining[np.argmin(np.abs(weights[remaining] - abs(gap)))]] = raise_share
            break
        flags[index] = raise_share
        gap -= weights[index] if raise_share else -weights[index]
    return flags


def section_scores(literate: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Section scores in half points whose total is ≥ 70 exactly for literate respondents."""
    totals = np.where(
        literate, rng.uniform(70, 100, len(literate)), rng.uniform(20, 69.5, len(literate))
    )
    totals = np.floor(totals * 2) / 2
    maxima = np.array(list(SECTIONS.values()), dtype=float)
    shares = rng.dirichlet(maxima, len(literate)) * totals[:, None]
    shares = np.minimum(np.floor(shares * 2) / 2, maxima)
    shares[:, 0] += totals - shares.sum(axis=1)  # knowledge takes the rounding remainder
    return pd.DataFrame(shares, columns=list(SECTIONS)).clip(lower=0)


def _answer_key(wave_id: str, rng: np.random.Generator) -> pd.DataFrame:
    dimensions = ["科学知识"] * 20 + ["科学方法"] * 10 + ["科学精神与思想"] * 10 + ["应用能力"] * 10
    return pd.DataFrame(
        {
            "wave_id": wave_id,
            "item_code": [f"Q{i + 1:02d}" for i in range(BENCHMARK_ITEMS)],
            "dimension": dimensions,
            "correct_answers": rng.choice(list("ABCD"), BENCHMARK_ITEMS),
            "points": 2.0,
        }
    )


def _item_responses(
    literate: np.ndarray, key: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Answers to the benchmark items: ≥ 30 of 50 correct (≥ 60%) exactly when literate."""
    n = len(literate)
    correct_count = np.where(literate, rng.integers(30, 51, n), rng.integers(5, 30, n))
    ranks = rng.random((n, BENCHMARK_ITEMS)).argsort(axis=1).argsort(axis=1)
    is_correct = ranks < correct_count[:, None]
    answers = key["correct_answers"].to_numpy()
    wrong = (np.vectorize("ABCD".index)(answers) + rng.integers(1, 4, (n, BENCHMARK_ITEMS))) % 4
    chosen = np.where(is_correct, answers[None, :], np.array(list("ABCD"))[wrong])
    return pd.DataFrame(chosen, columns=key["item_code"].tolist())


def wave_workbook(region: SurveyRegion, year: int, folder: Path, seed: int) -> Path:
    rng = np.random.default_rng([seed, int(region.code), year])
    wave_id = f"{region.slug}-{year}"
    items = year < ITEMS_WAVES_BEFORE
    design = _draw_design(region, rng, lonely=(region.slug == "zengcheng" and year == 2019))
    effects = (region.effects or {}).get(year, Effects())
    literate = literate_flags(design, region.path[year], rng, effects, region.districts)
    key = _answer_key(wave_id, rng) if items else None
    scores = _item_responses(literate, key, rng) if items else section_scores(literate, rng)
    if region.districts:
        region_codes = np.array(list(region.districts))[design["town"] - 1]
    elif region.town_codes:
        region_codes = region.code + (900 + design["town"]).astype(str)
    else:
        region_codes = region.code
    respondents = pd.concat(
        [
            pd.DataFrame(
                {
                    "wave_id": wave_id,
                    "respondent_id": [f"{wave_id}-{i + 1:05d}" for i in range(len(design))],
                    "region_code": region_codes,
                    "stratum": design["stratum"],
                    "psu": design["psu"],
                    "weight": design["weight"].round(3),
                    "sex": design["sex"],
                    "age": design["age"],
                    "urban_rural": design["urban_rural"],
                    "education": design["education"],
                    "occupation": design["occupation"],
                    "fpc": design["fpc"] if region.town_codes else None,
                }
            ),
            scores,
        ],
        axis=1,
    )
    wave = pd.DataFrame(
        [
            {
                "wave_id": wave_id,
                "year": year,
                "region_code": region.code,
                "title_zh": f"{region.name_zh}{year}年公民科学素质抽样调查（合成）",
                "title_en": (
                    f"{region.slug.title()} {year} civic scientific literacy survey (synthetic)"
                ),
                "rule_id": "benchmark-2016" if items else "national-2024",
                "scoring": "items" if items else "sections",
                "lonely_psu": "adjust",
                "note": None,
            }
        ]
    )
    sheets = [(SURVEY_RULES, RULES), (SURVEY_WAVES, wave)]
    if key is not None:
        sheets.append((SURVEY_ITEMS, key))
    sheets.append((SURVEY_RESPONDENTS, respondents))
    return write_workbook(
        folder / f"survey_{wave_id}.xlsx",
        sheets,
        synthetic=True,
        received_on=date(year + 1, 2, 15),
    )


def generate_waves(folder: Path, seed: int) -> list[Path]:
    return [wave_workbook(region, year, folder, seed) for region in REGIONS for year in region.path]
