"""What an assessment report shows, read from the marts: the only module that runs SQL.

The report restates the marts' decisions and never re-derives them: statuses and their
components from fct_target_progress, the values each status may use (the as-of cut-off,
whether a value meets the target, which one is the latest) from fct_target_observation,
the rules the annex states from dim_progress_band, dim_progress_setting and
dim_presentation_rule. Reasons are codes with the numbers their sentences quote, read
beside them.

Every list comes back in an explicit order, so the same marts give the same report.
"""

from __future__ import annotations

from datetime import date

import duckdb

import vocabulary
from orchestration.report.data_plan import (
    read_department_names_en,
    read_evaluator_notes,
    read_findings,
    read_plan_loads,
    read_status_counts,
    read_tasks,
    read_verdict_rules,
)
from orchestration.report.data_rows import REGISTRY_LIST_SEPARATOR, fetch_rows, names, plain, record
from orchestration.report.records import (
    Band,
    Gap,
    LiteracyGaps,
    MeasureUnit,
    Observation,
    Plan,
    PresentationRule,
    ProgressTable,
    ReportData,
    Review,
    Rules,
    Target,
    YearOutcome,
)

LITERACY_INDICATOR = "literacy_ratio"
# The literacy gaps a report shows under its literacy target, in the order of the
# group_dimension codes.
REPORTED_GAP_DIMENSIONS = ("sex", "urban_rural")


def read_report_data(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> ReportData:
    """Everything the report of `plan_id` as of `as_of` shows."""
    plan = read_plan(con, plan_id)
    progress = read_progress(con, plan_id, as_of)
    if not progress.rows and plan.target_count > 0:
        built = fetch_rows(
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
    measures = read_measures(con, plan_id)
    return ReportData(
        plan=plan,
        targets=read_targets(con, progress, observations),
        progress=progress,
        observations=observations,
        literacy_gaps=read_literacy_gaps(con, plan_id, as_of),
        measures=measures,
        tasks=read_tasks(con, plan_id, as_of, measures),
        status_counts=read_status_counts(con, plan_id, as_of),
        findings=read_findings(con, plan_id, as_of),
        loads=read_plan_loads(con, plan_id, as_of),
        is_synthetic=read_is_synthetic(con),
        rules=read_rules(con),
        notes=read_evaluator_notes(con, plan_id, as_of),
        department_names_en=read_department_names_en(con, plan.region_code),
    )


def read_plan(con: duckdb.DuckDBPyConnection, plan_id: str) -> Plan:
    """The plan and its review points (dim_plan_review) by year, then kind in code order."""
    rows = fetch_rows(con, "select * from dim_plan where plan_id = ?", [plan_id])
    if not rows:
        known = [r["plan_id"] for r in fetch_rows(con, "select plan_id from dim_plan order by 1")]
        raise ValueError(f"no plan {plan_id!r} in dim_plan; plans: {', '.join(known)}")
    reviews = fetch_rows(
        con,
        "select review_year, review_kind from dim_plan_review where plan_id = ?",
        [plan_id],
    )
    kinds = vocabulary.codes("review_kind")
    reviews.sort(key=lambda r: (r["review_year"], kinds.index(r["review_kind"])))
    return record(
        Plan, rows[0], reviews=tuple(Review(r["review_year"], r["review_kind"]) for r in reviews)
    )


def read_progress(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> ProgressTable:
    """The plan's quantitative targets in fct_target_progress, in the registry's order."""
    cursor = con.execute(
        """
        select p.*
        from fct_target_progress as p
        left join fct_plan_target as t on p.target_id = t.target_id
        where p.plan_id = ? and p.as_of_date = ? and p.target_kind <> 'qualitative'
        order by t.source_row, p.target_id
        """,
        [plan_id, as_of],
    )
    columns = tuple(d[0] for d in cursor.description)
    rows = tuple(tuple(plain(v) for v in row) for row in cursor.fetchall())
    return ProgressTable(columns, rows)


def read_targets(
    con: duckdb.DuckDBPyConnection,
    progress: ProgressTable,
    observations: dict[str, tuple[Observation, ...]],
) -> tuple[Target, ...]:
    """The progress rows as typed targets; the indicator family (from dim_indicator)
    decides how many decimals their numbers get.

    The latest value's reason is fct_target_progress.latest_quality_reason, with the
    numbers of the observation the status was judged on (is_latest); an annual target's
    outcome per year is is_met of its observations in the period (null without a value:
    not a year assessed, as in fct_target_progress.years_assessed).
    """
    families = dict(
        con.execute("select indicator_code, indicator_family from dim_indicator").fetchall()
    )
    targets = []
    for values in progress.rows:
        row = dict(zip(progress.columns, values, strict=True))
        rows = observations.get(row["target_id"], ())
        outcomes = ()
        if row["target_kind"] == "annual":
            outcomes = tuple(
                YearOutcome(o.year, "met" if o.is_met else "missed")
                for o in rows
                if o.is_in_period and o.is_met is not None
            )
        # the gap a status reason quotes is in the indicator's unit
        row["indicator_family"] = families.get(row["indicator_code"])
        row["unit_zh"], row["unit_en"] = (rows[0].unit_zh, rows[0].unit_en) if rows else (None,) * 2
        targets.append(
            record(
                Target,
                row,
                latest_quality_reason=vocabulary.reason_from_row(row, "latest_quality_reason"),
                year_outcomes=outcomes,
                status_reason=vocabulary.reason_from_row(row, "status_reason"),
                lead_departments=names(row["lead_departments"]),
                cooperating_departments=names(row["cooperating_departments"]),
            )
        )
    return tuple(targets)


def read_observations(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> dict[str, tuple[Observation, ...]]:
    """Target id → its fct_target_observation rows by year: the values its status may
    use (the cumulative series for a cumulative target, the annual value otherwise).

    Each row carries its reason code and the numbers the reason's sentence quotes.
    """
    rows = fetch_rows(
        con,
        """
        select
            target_id, year, series, value, unit_zh, unit_en, standard_error, ci_lower,
            ci_upper, sample_size, quality_flag, quality_reason, quality_measure_value,
            quality_threshold, non_reporting_units, denominator_value, is_in_period, is_met,
            is_latest
        from fct_target_observation
        where plan_id = ? and as_of_date = ?
        order by target_id, year
        """,
        [plan_id, as_of],
    )
    observations: dict[str, list[Observation]] = {}
    for row in rows:
        reason = vocabulary.reason_from_row(row, "quality_reason")
        observation = record(Observation, row, quality_reason=reason)
        observations.setdefault(row["target_id"], []).append(observation)
    return {target_id: tuple(values) for target_id, values in observations.items()}


def read_literacy_gaps(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> dict[str, LiteracyGaps]:
    """Literacy target id → the latest wave's gap of each reported dimension in the target's
    region, among the waves up to the last year of the target's fct_target_observation
    rows: the years its judgement used. A literacy target without observations gets none.
    """
    dimensions = list(REPORTED_GAP_DIMENSIONS)
    rows = fetch_rows(
        con,
        """
        with judged as (
            select target_id, region_code, max(year) as last_year
            from fct_target_observation
            where plan_id = ? and as_of_date = ? and indicator_code = ?
            group by target_id, region_code
        )
        select
            judged.target_id, judged.last_year, g.group_dimension, g.wave_id,
            g.survey_year, g.gap, g.ci_lower, g.ci_upper, g.quality_flag, g.quality_reason
        from judged
        left join fct_literacy_gap as g
            on g.region_code = judged.region_code
            and g.survey_year <= judged.last_year
            and list_contains(?, g.group_dimension)
        qualify row_number() over (
            partition by judged.target_id, g.group_dimension
            order by g.survey_year desc, g.wave_id desc) = 1
        order by judged.target_id, list_position(?, g.group_dimension)
        """,
        [plan_id, as_of, LITERACY_INDICATOR, dimensions, dimensions],
    )
    by_target: dict[str, tuple[int, list[Gap]]] = {}
    for row in rows:
        _, gaps = by_target.setdefault(row["target_id"], (row["last_year"], []))
        if row["group_dimension"] is not None:  # else the left join found no gap
            reason = vocabulary.reason_from_row(row, "quality_reason")
            gaps.append(record(Gap, row, quality_reason=reason))
    return {
        target_id: LiteracyGaps(last_year, tuple(gaps))
        for target_id, (last_year, gaps) in by_target.items()
    }


def read_measures(con: duckdb.DuckDBPyConnection, plan_id: str) -> tuple[MeasureUnit, ...]:
    """Measure × unit pairs by measure number, units in the order the plan lists them
    (the lead unit first)."""
    rows = fetch_rows(
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
    return tuple(record(MeasureUnit, row) for row in rows)


def read_rules(con: duckdb.DuckDBPyConnection) -> Rules:
    """The rule marts the models use, for the methods annex and the components: bands by
    min_ratio (highest first, the band without a minimum last), settings by code,
    presentation rules by order."""
    bands = fetch_rows(
        con, "select * from dim_progress_band order by min_ratio desc nulls last, progress_status"
    )
    settings = fetch_rows(con, "select setting, value from dim_progress_setting order by setting")
    presentation = fetch_rows(con, "select * from dim_presentation_rule order by rule_order")
    return Rules(
        bands=tuple(record(Band, row) for row in bands),
        settings={row["setting"]: row["value"] for row in settings},
        presentation=tuple(record(PresentationRule, row) for row in presentation),
        verdicts=read_verdict_rules(con),
    )


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
