"""`kepu bench survey`: our estimation against the DuckDB floor and `svy`, same run.

Generates a stratified two-stage design of the size of the national survey (about 300,000
adults, 32 prefectures, 64 strata, ~3,000 PSUs), then estimates every region × group
proportion (overall and by sex, urban/rural, age band, education, occupation) three ways:

- ours: the warehouse path, i.e. the design as int_survey_design holds it, then what the
  warehouse builds from it: the PSU × domain cells (int_survey_domain_cells, macro
  `survey_region_group_cells`) and the estimates from the cells (int_survey_estimates,
  macro `survey_cell_proportions`), both timed;
- the floor: `FLOOR_SQL`, one hand-written set-based DuckDB query over the same
  respondents (written apart from the macro, for this benchmark's design only: no fpc,
  no single-PSU strata);
- `svy`, the independent Python reference (R `survey`'s numbers).

Each runs in a child process of its own that generates the same wave, so its peak
resident memory (VmHWM of that child, `orchestration.peak_memory`, which counts the
respondent frame and the libraries too) is its own; DuckDB runs with the warehouse's
settings (memory_limit, KEPU_DUCKDB_MEMORY_LIMIT). Each first runs once on a small wave
(imports and first calls untimed). The SQL sides start from the respondents already in a
DuckDB table (loading them is not timed, as in the warehouse) and report the fastest of
REPEATS runs. `svy` runs once, timed from the pandas frame it takes. The intervals
(`survey.intervals`) are not timed: they are the same code after either SQL.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from ingest.home import KepuHome
from orchestration.peak_memory import MEASURE, in_spawned_child, own_peak_rss_mb

GROUPS = ("sex", "urban_rural", "age_band", "education", "occupation")
KEYS = ["grouping", "domain"]
WAREHOUSE_KEYS = ["region_code", "group_dimension", "group_value"]
T = TypeVar("T")
WARM_UP = 1_000  # respondents of the wave each stage runs once before the timed run
REPEATS = 3  # timed runs of each SQL stage; the fastest is reported (the machine is shared)

# Every region × group proportion from the respondents: PSU × domain cells first (n, Σw,
# Σwy), then per domain p̂ = Σwy/Σw and the PSU totals of the linearised variable,
# z_hj = (Σwy − p̂ Σw)_hj / Σw; with-replacement variance Σ_h n_h/(n_h − 1) Σ_j (z_hj − z̄_h)²
# over all n_h PSUs of the stratum (PSUs without domain members have z = 0), so
# Σ_j (z − z̄)² = Σz² − (Σz)²/n_h; df = domain PSUs − domain strata.
FLOOR_SQL = """
with
respondents as (
    select
        stratum,
        stratum || '|' || psu as psu,
        weight,
        cast(outcome as double) as outcome,
        region as total,
        region || '|' || sex as sex,
        region || '|' || urban_rural as urban_rural,
        region || '|' || age_band as age_band,
        region || '|' || education as education,
        region || '|' || occupation as occupation
    from frame
),
cells as (
    select grouping, domain, stratum, psu, count(*) as n, sum(weight) as w,
        sum(weight * outcome) as wy
    from (
        unpivot respondents
        on total, sex, urban_rural, age_band, education, occupation
        into name grouping value domain
    )
    group by grouping, domain, stratum, psu
),
domain_sums as (
    select grouping, domain, sum(n) as n, sum(w) as w, sum(wy) / sum(w) as p,
        count(*) - count(distinct stratum) as df
    from cells
    group by grouping, domain
),
psus_per_stratum as (
    select stratum, count(distinct psu) as n_h from respondents group by stratum
),
stratum_sums as (
    select c.grouping, c.domain, c.stratum,
        sum((c.wy - d.p * c.w) / d.w) as s1,
        sum(((c.wy - d.p * c.w) / d.w) ** 2) as s2
    from cells as c
    join domain_sums as d on c.grouping = d.grouping and c.domain = d.domain
    group by c.grouping, c.domain, c.stratum
),
variances as (
    select s.grouping, s.domain, sum(h.n_h / (h.n_h - 1) * (s.s2 - s.s1 * s.s1 / h.n_h)) as v
    from stratum_sums as s
    join psus_per_stratum as h on s.stratum = h.stratum
    group by s.grouping, s.domain
)
select d.grouping, d.domain, d.n as sample_size, d.w as weighted_n, d.p as estimate,
    sqrt(v.v) as standard_error, d.df as degrees_of_freedom
from domain_sums as d
join variances as v on d.grouping = v.grouping and d.domain = v.domain
"""


@dataclasses.dataclass(frozen=True)
class Timed:
    """A stage's seconds, its result, and what else it timed or measured."""

    seconds: float
    result: pd.DataFrame
    cells_seconds: float | None = None
    peak_rss_mb: float | None = None


@dataclasses.dataclass(frozen=True)
class Stage:
    seconds: float
    peak_rss_mb: float


@dataclasses.dataclass(frozen=True)
class BenchResult:
    respondents: int
    domains: int
    ours: Stage
    ours_cells_seconds: float
    floor: Stage
    svy: Stage
    ours_vs_floor_estimate: float
    ours_vs_floor_se: float
    ours_vs_svy_estimate: float
    ours_vs_svy_se: float
    memory_measure: str = MEASURE


def national_wave(respondents: int, seed: int = 2023) -> pd.DataFrame:
    """32 regions × 2 strata; PSUs of ~100 respondents, at least 2 per stratum (so that a
    wave of a few thousand has no single-PSU stratum); unequal weights; 0/1 outcome."""
    rng = np.random.default_rng(seed)
    psu_count = max(128, respondents // 100)
    psu_stratum = rng.permutation(np.arange(psu_count) % 64)
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


def _connect():
    """An in-memory DuckDB with the warehouse's settings."""
    import duckdb

    from ingest.engine import duckdb_config

    return duckdb.connect(config=duckdb_config())


def _load(con, frame: pd.DataFrame) -> None:
    """The respondents as a DuckDB table, as the warehouse holds them (untimed)."""
    con.execute("set enable_progress_bar = false")
    con.register("respondents", frame)
    con.execute("create table frame as select * from respondents")
    con.unregister("respondents")


def _fastest(query: Callable[[], T]) -> tuple[float, T]:
    """The fastest of REPEATS runs of `query`, and that run's result."""
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = query()
        runs.append((time.perf_counter() - started, result))
    return min(runs, key=lambda run: run[0])


def ours(frame: pd.DataFrame) -> Timed:
    """The warehouse path from the design as int_survey_design holds it (untimed): the
    cells table as int_survey_domain_cells builds it, then the estimates from the cells;
    `seconds` counts both, `cells_seconds` the first. The bench's regions have no parents,
    so each region is its only domain region."""
    from orchestration.estimate import cell_proportions_sql, region_group_cells_sql

    with _connect() as con:
        _load(con, frame)
        con.execute(
            "create table design as select 'bench' as wave_id, row_number() over () as "
            "respondent_id, region as region_code, stratum, stratum || '|' || psu as psu, "
            "weight, cast(outcome as double) as outcome, cast(null as double) as fpc, "
            "'fail' as lonely_psu, sex, urban_rural, age_band, education, occupation "
            "from frame"
        )
        con.execute(
            "create table domain_regions as select distinct wave_id, region_code, "
            "region_code as domain_region_code from design"
        )
        cells_sql = region_group_cells_sql("design", "domain_regions", list(GROUPS))
        estimates_sql = cell_proportions_sql("design", "cells", WAREHOUSE_KEYS)

        def build() -> tuple[float, pd.DataFrame]:
            started = time.perf_counter()
            con.execute(f"create or replace table cells as {cells_sql}")
            cells_seconds = time.perf_counter() - started
            return cells_seconds, con.execute(estimates_sql).df()

        seconds, (cells_seconds, result) = _fastest(build)
        return Timed(seconds, _bench_keys(result), cells_seconds)


def _bench_keys(result: pd.DataFrame) -> pd.DataFrame:
    """The warehouse's region_code, group_dimension, group_value as the floor's grouping
    and domain (region, or region|group)."""
    grouping = result["group_dimension"]
    domain = result["region_code"].where(
        grouping == "total", result["region_code"] + "|" + result["group_value"]
    )
    return result.assign(grouping=grouping, domain=domain)


def floor(frame: pd.DataFrame) -> Timed:
    """`FLOOR_SQL` on the respondents' table."""
    with _connect() as con:
        _load(con, frame)
        return Timed(*_fastest(lambda: con.execute(FLOOR_SQL).df()))


def _domain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One column per grouping: region, and region × each group, as domain labels."""
    domains = {"total": frame["region"]}
    for group in GROUPS:
        domains[group] = frame["region"] + "|" + frame[group]
    return pd.DataFrame(domains)


def reference(frame: pd.DataFrame) -> Timed:
    """`svy`, one call per grouping on the respondents' frame; columns renamed to ours."""
    from orchestration.svy_reference import svy_proportions

    started = time.perf_counter()
    labels = _domain_frame(frame)
    parts = []
    for grouping in labels.columns:
        data = frame.assign(domain=labels[grouping], psu=frame["stratum"] + "|" + frame["psu"])
        result = svy_proportions(data, weight="weight", strata="stratum", psu="psu",
                                 outcome="outcome", domain="domain")  # fmt: skip
        parts.append(result.assign(grouping=grouping))
    result = pd.concat(parts, ignore_index=True).rename(
        columns={"se": "standard_error", "df": "degrees_of_freedom", "n": "sample_size"}
    )
    return Timed(time.perf_counter() - started, result)


def _child(estimator: Callable[[pd.DataFrame], Timed], respondents: int, pipe) -> None:
    estimator(national_wave(WARM_UP))  # imports and first-call set-up are not timed
    timed = estimator(national_wave(respondents))
    pipe.send((timed, own_peak_rss_mb()))
    pipe.close()


def measure(estimator: Callable[[pd.DataFrame], Timed], respondents: int) -> Timed:
    """Run `estimator` on the wave in a child process of its own, with the child's peak
    RSS."""
    timed, peak_rss_mb = in_spawned_child(_child, estimator, respondents)
    return dataclasses.replace(timed, peak_rss_mb=peak_rss_mb)


def largest_differences(mine: pd.DataFrame, theirs: pd.DataFrame) -> tuple[float, float]:
    """max |Δ estimate| and max |Δ SE| over the domains, which must be the same on both
    sides with the same sample sizes and df."""
    joined = mine.merge(theirs, on=KEYS, suffixes=("", "_other"), validate="one_to_one")
    assert len(joined) == len(mine) == len(theirs), "both sides estimate the same domains"
    assert (joined["sample_size"] == joined["sample_size_other"]).all()
    assert (joined["degrees_of_freedom"] == joined["degrees_of_freedom_other"]).all()
    return (
        float((joined["estimate"] - joined["estimate_other"]).abs().max()),
        float((joined["standard_error"] - joined["standard_error_other"]).abs().max()),
    )


def run(respondents: int) -> BenchResult:
    """All three on the same wave, each in its own process (generating the wave and
    importing libraries are not timed)."""
    mine, floors, theirs = (measure(stage, respondents) for stage in (ours, floor, reference))
    vs_floor = largest_differences(mine.result, floors.result)
    vs_svy = largest_differences(mine.result, theirs.result)
    return BenchResult(
        respondents=respondents,
        domains=len(mine.result),
        ours=Stage(mine.seconds, mine.peak_rss_mb),
        ours_cells_seconds=mine.cells_seconds,
        floor=Stage(floors.seconds, floors.peak_rss_mb),
        svy=Stage(theirs.seconds, theirs.peak_rss_mb),
        ours_vs_floor_estimate=vs_floor[0],
        ours_vs_floor_se=vs_floor[1],
        ours_vs_svy_estimate=vs_svy[0],
        ours_vs_svy_se=vs_svy[1],
    )


def default_json_path() -> Path:
    return KepuHome.from_env().root / "bench" / "survey.json"


def write_json(result: BenchResult, path: Path) -> Path:
    ratios = {"ours_over_floor": result.ours.seconds / result.floor.seconds}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(result) | ratios, indent=2) + "\n")
    return path


def report(result: BenchResult) -> str:
    floor_seconds = result.floor.seconds
    rows = [("kepu (cells + estimates)", result.ours.seconds, result.ours.peak_rss_mb),
            ("floor (hand-written SQL)", floor_seconds, result.floor.peak_rss_mb),
            ("svy", result.svy.seconds, result.svy.peak_rss_mb)]  # fmt: skip
    return "\n".join([
        f"survey benchmark: {result.respondents:,} respondents, {result.domains} domain "
        "estimates (region overall and × sex, urban/rural, age band, education, occupation)",
        f"{'':26}{'seconds':>10}{'peak RSS MB':>14}",
        *(f"{name:26}{seconds:>10.3f}{peak:>14.0f}" for name, seconds, peak in rows),
        f"ours ÷ floor: {result.ours.seconds / floor_seconds:.2f}× (goal ≤ 2×), of which "
        f"the cells table (int_survey_domain_cells) {result.ours_cells_seconds:.3f} s",
        f"largest |difference| vs floor: estimate {result.ours_vs_floor_estimate:.2e}, "
        f"SE {result.ours_vs_floor_se:.2e}",
        f"largest |difference| vs svy:   estimate {result.ours_vs_svy_estimate:.2e}, "
        f"SE {result.ours_vs_svy_se:.2e}",
        f"memory: {result.memory_measure}",
    ])  # fmt: skip
