"""What an assessment report shows, read from the marts: the only module that runs SQL.

The report restates the marts' decisions and never re-derives them, so each read returns
plain frozen records whose shape follows the marts after the issue-8 mart merge (codes,
not sentences). Where today's marts still differ, the translation happens here, once:

- the years a status was judged on (`_JUDGED_YEARS`, mirroring fct_target_progress) and
  the per-year outcomes of annual targets (`_year_outcomes`, parsing `years_detail`):
  phase 2 reads both from `fct_target_observation`;
- quality and status reasons, which today are English sentences (`_reason`): phase 2
  reads the codes the marts will write.

Every list comes back in an explicit order, so the same marts give the same report.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import duckdb

import vocabulary
from orchestration.report.records import (
    Gap,
    LiteracyGaps,
    Load,
    MeasureUnit,
    Observation,
    Plan,
    ProgressTable,
    Reason,
    ReportData,
    Review,
    Target,
    YearOutcome,
)

R = TypeVar("R")
LITERACY_INDICATOR = "literacy_ratio"
# The literacy gaps a report shows under its literacy target, in the order of the
# group_dimension codes.
REPORTED_GAP_DIMENSIONS = ("sex", "urban_rural")
# The registry separates the names in a list column (departments, responsible units) with
# a fullwidth semicolon: a data format of the marts, not a word shown to users.
REGISTRY_LIST_SEPARATOR = "\N{FULLWIDTH SEMICOLON}"


def read_report_data(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> ReportData:
    """Everything the report of `plan_id` as of `as_of` shows."""
    plan = read_plan(con, plan_id)
    progress = read_progress(con, plan_id, as_of)
    if not progress.rows and plan.target_count > 0:
        built = _rows(
            con,
            "select distinct as_of_date from fct_target_progress where plan_id = ? order by 1",
            [plan_id],
        )
        dates = ", ".join(str(r["as_of_date"]) for r in built) or "no date"
        raise ValueError(
            f"fct_target_progress holds plan {plan_id} as of {dates}, not {as_of}: build the "
            f"marts with the dbt var as_of = {as_of} before rendering this assessment"
        )
    observations = read_observations(con, plan_id, as_of)
    return ReportData(
        plan=plan,
        targets=read_targets(con, progress, observations),
        progress=progress,
        observations=observations,
        literacy_gaps=read_literacy_gaps(con, plan_id, as_of),
        measures=read_measures(con, plan_id),
        loads=read_loads(con),
        is_synthetic=read_is_synthetic(con),
        thresholds=read_thresholds(con, plan_id, as_of),
    )


def read_plan(con: duckdb.DuckDBPyConnection, plan_id: str) -> Plan:
    """The plan and its review points (dim_plan_review) by year, then kind in code order."""
    rows = _rows(con, "select * from dim_plan where plan_id = ?", [plan_id])
    if not rows:
        known = [r["plan_id"] for r in _rows(con, "select plan_id from dim_plan order by 1")]
        raise ValueError(f"no plan {plan_id!r} in dim_plan; plans: {', '.join(known)}")
    reviews = _rows(
        con,
        "select review_year, review_kind from dim_plan_review where plan_id = ?",
        [plan_id],
    )
    kinds = vocabulary.codes("review_kind")
    reviews.sort(key=lambda r: (r["review_year"], kinds.index(r["review_kind"])))
    return _record(
        Plan, rows[0], reviews=tuple(Review(r["review_year"], r["review_kind"]) for r in reviews)
    )


def read_progress(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> ProgressTable:
    """The plan's quantitative targets in fct_target_progress, by target id."""
    cursor = con.execute(
        "select * from fct_target_progress where plan_id = ? and as_of_date = ? "
        "and target_kind <> 'qualitative' order by target_id",
        [plan_id, as_of],
    )
    columns = tuple(d[0] for d in cursor.description)
    rows = tuple(tuple(_plain(v) for v in row) for row in cursor.fetchall())
    return ProgressTable(columns, rows)


def read_targets(
    con: duckdb.DuckDBPyConnection,
    progress: ProgressTable,
    observations: dict[str, tuple[Observation, ...]],
) -> tuple[Target, ...]:
    """The progress rows as typed targets; the indicator family (from dim_indicator)
    decides how many decimals their numbers get."""
    families = dict(
        con.execute("select indicator_code, indicator_family from dim_indicator").fetchall()
    )
    targets = []
    for values in progress.rows:
        row = dict(zip(progress.columns, values, strict=True))
        # Phase 2: the column fct_target_progress.latest_quality_reason. Until then, the
        # reason of the latest value the status was judged on.
        judged = observations.get(row["target_id"], ())
        targets.append(
            _record(
                Target,
                row,
                indicator_family=families.get(row["indicator_code"]),
                latest_quality_reason=judged[-1].quality_reason if judged else None,
                year_outcomes=_year_outcomes(row["years_detail"]),
                status_reason=_status_reason(row["status_reason"]),
                lead_departments=_names(row["lead_departments"]),
                cooperating_departments=_names(row["cooperating_departments"]),
            )
        )
    return tuple(targets)


# The years each status was judged on, target by target: up to the as-of year and not
# beyond the target's own period, as in fct_target_progress's `observed` CTE. Phase 2:
# fct_target_observation holds exactly these years, and this CTE goes.
_JUDGED_YEARS = """
    judged as (
        select target_id, indicator_code, region_code, target_kind,
            least(year(as_of_date), coalesce(period_end, target_year, 9999)) as last_year
        from fct_target_progress
        where plan_id = ? and as_of_date = ? and target_kind <> 'qualitative'
    )
"""


def read_observations(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> dict[str, tuple[Observation, ...]]:
    """Target id → the values its status may use, by year (the cumulative series for a
    cumulative target, the annual total otherwise).

    Phase 2: `select ... from fct_target_observation where plan_id = ? and as_of_date = ?`.
    """
    rows = _rows(
        con,
        f"""
        with {_JUDGED_YEARS}
        select
            judged.target_id, v.year, v.group_dimension as series, v.value, v.unit_zh,
            v.unit_en, v.standard_error, v.ci_lower, v.ci_upper, v.sample_size,
            v.quality_flag, v.quality_reason
        from judged
        inner join fct_indicator_value as v
            on v.indicator_code = judged.indicator_code
            and v.region_code = judged.region_code
            and v.group_dimension = case
                when judged.target_kind = 'cumulative' then 'cumulative' else 'total' end
            and v.year <= judged.last_year
        order by judged.target_id, v.year
        """,
        [plan_id, as_of],
    )
    observations: dict[str, list[Observation]] = {}
    for row in rows:
        observation = _record(Observation, row, quality_reason=_reason(row["quality_reason"]))
        observations.setdefault(row["target_id"], []).append(observation)
    return {target_id: tuple(values) for target_id, values in observations.items()}


def read_literacy_gaps(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> dict[str, LiteracyGaps]:
    """Literacy target id → the latest wave's gap of each reported dimension in the target's
    region, among the waves in the years its status counted.

    Phase 2: the last counted year is no longer a column anywhere; take it from the
    target's fct_target_observation rows (or ask the marts for it) instead of `judged`.
    """
    dimensions = list(REPORTED_GAP_DIMENSIONS)
    rows = _rows(
        con,
        f"""
        with {_JUDGED_YEARS}
        select
            judged.target_id, judged.last_year, g.group_dimension, g.wave_id,
            g.survey_year, g.gap, g.ci_lower, g.ci_upper, g.quality_flag
        from judged
        left join fct_literacy_gap as g
            on g.region_code = judged.region_code
            and g.survey_year <= judged.last_year
            and list_contains(?, g.group_dimension)
        where judged.indicator_code = ?
        qualify row_number() over (
            partition by judged.target_id, g.group_dimension
            order by g.survey_year desc, g.wave_id desc) = 1
        order by judged.target_id, list_position(?, g.group_dimension)
        """,
        [plan_id, as_of, dimensions, LITERACY_INDICATOR, dimensions],
    )
    by_target: dict[str, tuple[int, list[Gap]]] = {}
    for row in rows:
        _, gaps = by_target.setdefault(row["target_id"], (row["last_year"], []))
        if row["group_dimension"] is not None:  # else the left join found no gap
            gaps.append(_record(Gap, row))
    return {
        target_id: LiteracyGaps(last_year, tuple(gaps))
        for target_id, (last_year, gaps) in by_target.items()
    }


def read_measures(con: duckdb.DuckDBPyConnection, plan_id: str) -> tuple[MeasureUnit, ...]:
    """Measure × unit pairs by measure number, units in the order the plan lists them
    (the lead unit first)."""
    rows = _rows(
        con,
        """
        select m.measure_id, m.measure_no, m.title_zh, m.title_en, s.department_name_zh,
            coalesce(s.measure_status, 'not_reported') as measure_status,
            s.reporting_period, s.reported_on, s.evidence, s.document_ref
        from fct_plan_measure as m
        left join fct_measure_status as s on m.measure_id = s.measure_id
        where m.plan_id = ?
        order by m.measure_no, m.measure_id,
            coalesce(list_position(string_split(m.responsible_units, ?),
                s.department_name_zh), 1000),
            s.department_name_zh
        """,
        [plan_id, REGISTRY_LIST_SEPARATOR],
    )
    return tuple(_record(MeasureUnit, row) for row in rows)


def read_loads(con: duckdb.DuckDBPyConnection) -> tuple[Load, ...]:
    """Every file accepted at load time, by load id."""
    rows = _rows(
        con,
        "select load_id, file_name, file_sha256, sheet_name, table_name, rows_accepted, "
        "is_synthetic from fct_load_audit where load_status = 'accepted' "
        "order by load_id, table_name, sheet_name",
    )
    return tuple(_record(Load, row) for row in rows)


def read_thresholds(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> tuple[float, float] | None:
    """(on track, accelerate) as the progress mart states them, preferring this plan's rows
    and this date: a plan without targets still gets them for the methods annex.

    Phase 2: the same pair from dim_progress_band (by progress_status).
    """
    row = con.execute(
        "select threshold_on_track, threshold_accelerate from fct_target_progress "
        "where threshold_on_track is not null "
        "order by plan_id = ? desc, as_of_date = ? desc, target_progress_id limit 1",
        [plan_id, as_of],
    ).fetchone()
    return (float(row[0]), float(row[1])) if row else None


def read_is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether anything behind the report is synthetic (the demo data)."""
    loads = con.execute(
        "select coalesce(bool_or(is_synthetic), false) from fct_load_audit "
        "where load_status = 'accepted'"
    ).fetchone()[0]
    try:
        snapshot = con.execute(
            "select coalesce(bool_or(is_synthetic), false) from snapshot_info"
        ).fetchone()[0]
    except duckdb.CatalogException:  # a warehouse copy has no snapshot_info
        snapshot = False
    return bool(loads or snapshot)


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()]


def _record(cls: type[R], row: dict[str, Any], **computed: Any) -> R:
    """A record from a mart row: each field from the column of its name, unless given."""
    names = [f.name for f in fields(cls) if f.name not in computed]
    return cls(**{name: row[name] for name in names}, **computed)


def _plain(value: Any) -> Any:
    """Decimals (the threshold columns) as floats, so formatting treats all numbers alike."""
    return float(value) if isinstance(value, Decimal) else value


def _names(joined: str | None) -> tuple[str, ...]:
    return tuple(joined.split(REGISTRY_LIST_SEPARATOR)) if joined else ()


def _year_outcomes(detail: str | None) -> tuple[YearOutcome, ...]:
    """fct_target_progress.years_detail ('2021 met, 2022 missed') as outcomes.

    Phase 2: `years_detail` is gone; the outcomes are the target's fct_target_observation
    rows in its period with a value, `is_met` → met / missed.
    """
    if not detail:
        return ()
    outcomes = []
    for item in detail.split(", "):
        year, outcome = item.rsplit(" ", 1)
        outcomes.append(YearOutcome(int(year), outcome))
    return tuple(outcomes)


# Phase 1 only. Today's marts write these English sentences where, after the mart merge,
# they write the codes (tools/contract.md, "Mart changes"); phase 2 deletes this table,
# the patterns and `_reason`/`_status_reasons`, and reads the code columns.
_SENTENCE_CODES = {
    "no respondents in this domain": ("quality_reason", "no_respondents"),
    "no variance: a stratum has one PSU and lonely_psu = fail": (
        "quality_reason",
        "variance_not_estimable",
    ),
    "effective sample size below 30": ("quality_reason", "ess_below_30"),
    "confidence interval width 30 points or more": ("quality_reason", "ci_width_30_or_more"),
    "relative confidence interval width above 130%": (
        "quality_reason",
        "relative_ci_width_above_130",
    ),
    "fewer than 8 degrees of freedom": ("quality_reason", "df_below_8"),
    "relative width of the complement above 130%": (
        "quality_reason",
        "complement_ci_width_above_130",
    ),
    "a group estimate is suppress": ("quality_reason", "group_suppressed"),
    "a group estimate is review": ("quality_reason", "group_review"),
    "a group estimate is flag": ("quality_reason", "group_flag"),
    "the plan period has not started": ("status_reason", "period_not_started"),
    "no value for this target up to the as-of date": ("status_reason", "no_value"),
    "fewer than two data points": ("status_reason", "too_few_points"),
    "no responsible unit has reported": ("status_reason", "no_reports"),
}
_UNITS_NOT_REPORTING = re.compile(
    r"(?P<n>\d+) of (?P<units>\d+) units did not report \(counted as not covered\)"
)
_LATEST_SUPPRESSED = "latest estimate suppressed: "


def _reason(sentence: str | None, namespace: str = "quality_reason") -> Reason | None:
    """A mart's reason sentence as its code; an unknown sentence is kept as the code, so
    the report shows it as it stands rather than nothing."""
    if not sentence:
        return None
    if sentence in _SENTENCE_CODES:
        return Reason(*_SENTENCE_CODES[sentence])
    if match := _UNITS_NOT_REPORTING.fullmatch(sentence):
        fields = (("n", int(match["n"])), ("units", int(match["units"])))
        return Reason("quality_reason", "units_not_reporting", fields)
    return Reason(namespace, sentence)


def _status_reason(sentence: str | None) -> Reason | None:
    """fct_target_progress.status_reason as a code; a suppressed latest estimate quotes the
    estimate's own reason.

    Phase 2: the code columns status_reason and latest_quality_reason.
    """
    if sentence and sentence.startswith(_LATEST_SUPPRESSED):
        latest = _reason(sentence[len(_LATEST_SUPPRESSED) :])
        return Reason("status_reason", "latest_suppressed", (("reason", latest),))
    return _reason(sentence, "status_reason")
