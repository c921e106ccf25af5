"""`kepu bench survey`: our estimation against `svy` on a national-size wave, same run.

Generates a stratified two-stage design of the size of the national survey (about 300,000
adults, 32 prefectures, 64 strata, ~3,000 PSUs), then times every region × group estimate
(overall and by sex, urban/rural, age band, education, occupation) two ways: the warehouse
path (`survey_proportions` SQL in DuckDB plus the interval code) and `svy`, and prints the
timings and the largest absolute differences side by side.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

GROUPS = ("sex", "urban_rural", "age_band", "education", "occupation")


@dataclass(frozen=True)
class BenchResult:
    respondents: int
    domains: int
    ours_seconds: float
    svy_seconds: float
    max_estimate_difference: float
    max_se_difference: float


def national_wave(respondents: int, seed: int = 2023) -> pd.DataFrame:
    """32 regions × 2 strata; PSUs of ~100 respondents; unequal weights; 0/1 outcome."""
    rng = np.random.default_rng(seed)
    psu_count = max(64, respondents // 100)
    psu_stratum = rng.integers(0, 64, psu_count)
    psu_of = rng.integers(0, psu_count, respondents)
    stratum = psu_stratum[psu_of]
    frame = pd.DataFrame({
        "region": (stratum // 2).astype(str),
        "stratum": stratum.astype(str),
        "psu": psu_of.astype(str),
        "weight": rng.uniform(200, 3000, respondents),
        "sex": rng.choice(["male", "female"], respondents),
        "urban_rural": rng.choice(["urban", "rural"], respondents, p=[0.65, 0.35]),
        "age_band": rng.choice(["18-29", "30-39", "40-49", "50-59", "60-69"], respondents),
        "education": rng.choice(["primary_or_less", "junior_high", "senior_high", "college",
                                 "bachelor_plus"], respondents),
        "occupation": rng.choice([f"occupation_{i:02d}" for i in range(10)], respondents),
    })  # fmt: skip
    propensity = (
        0.08
        + 0.10 * (frame["education"] == "bachelor_plus")
        + 0.03 * (frame["urban_rural"] == "urban")
    )
    frame["outcome"] = (rng.random(respondents) < propensity).astype(int)
    return frame


def _domain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One column per grouping: region, and region × each group, as domain labels."""
    domains = {"total": frame["region"]}
    for group in GROUPS:
        domains[group] = frame["region"] + "|" + frame[group]
    return pd.DataFrame(domains)


def ours(frame: pd.DataFrame) -> pd.DataFrame:
    """The warehouse path: the respondents go into DuckDB once; domains are built there."""
    import duckdb

    from orchestration.estimate import proportions_sql
    from survey.intervals import add_intervals

    groupings = ", ".join(f"region || '|' || {g} as {g}" for g in GROUPS)
    with duckdb.connect() as con:
        con.register("respondents", frame)
        con.execute(
            "create table design as select 'bench' as wave_id, row_number() over () as "
            "respondent_id, stratum, stratum || '|' || psu as psu, weight, "
            "cast(outcome as double) as outcome, cast(null as double) as fpc, "
            "'fail' as lonely_psu, region, sex, urban_rural, age_band, education, occupation "
            "from respondents"
        )
        con.execute(
            f"create table domains as unpivot (select wave_id, respondent_id, region as total, "
            f"{groupings} from design) on total, {', '.join(GROUPS)} "
            "into name grouping value domain"
        )
        result = con.execute(proportions_sql("design", "domains", ["grouping", "domain"])).df()
    return add_intervals(result)


def reference(frame: pd.DataFrame) -> pd.DataFrame:
    from orchestration.svy_reference import svy_proportions

    labels = _domain_frame(frame)
    parts = []
    for grouping in labels.columns:
        data = frame.assign(domain=labels[grouping], psu=frame["stratum"] + "|" + frame["psu"])
        result = svy_proportions(data, weight="weight", strata="stratum", psu="psu",
                                 outcome="outcome", domain="domain")  # fmt: skip
        parts.append(result.assign(grouping=grouping))
    return pd.concat(parts, ignore_index=True)


def run(respondents: int) -> BenchResult:
    """Time both on the same frame; libraries are imported first so neither pays for it."""
    import svy  # noqa: F401

    import survey.intervals  # noqa: F401

    frame = national_wave(respondents)
    started = time.perf_counter()
    mine = ours(frame)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = reference(frame)
    svy_seconds = time.perf_counter() - started
    joined = mine.merge(theirs, on=["grouping", "domain"], suffixes=("", "_svy"))
    assert len(joined) == len(mine) == len(theirs), "both sides estimate the same domains"
    return BenchResult(
        respondents=respondents,
        domains=len(mine),
        ours_seconds=ours_seconds,
        svy_seconds=svy_seconds,
        max_estimate_difference=float((joined["estimate"] - joined["estimate_svy"]).abs().max()),
        max_se_difference=float((joined["standard_error"] - joined["se"]).abs().max()),
    )


def report(result: BenchResult) -> str:
    return "\n".join([
        f"survey benchmark: {result.respondents:,} respondents, {result.domains} domain "
        "estimates (region overall and × sex, urban/rural, age band, education, occupation)",
        f"{'':24}{'seconds':>10}",
        f"{'kepu (DuckDB SQL)':24}{result.ours_seconds:>10.2f}",
        f"{'svy':24}{result.svy_seconds:>10.2f}",
        f"speed-up: {result.svy_seconds / result.ours_seconds:.1f}×",
        f"largest |difference|: estimate {result.max_estimate_difference:.2e}, "
        f"SE {result.max_se_difference:.2e}",
    ])  # fmt: skip
