"""What the report reads about the plan as a whole, beyond each target: the status counts of
fct_plan_status_count, the tasks with their units' reports, the literacy gaps and lagging
regions sections 4–6 are drafted from, the verdict rules, and the loads behind this plan.

Like `data`, it restates the marts and never re-derives a decision.
"""

from __future__ import annotations

from datetime import date

import duckdb

import vocabulary
from orchestration.report.data_rows import fetch_rows, names, record
from orchestration.report.records import (
    EvaluatorNote,
    Findings,
    Gap,
    LaggingRegion,
    Load,
    MeasureUnit,
    StatusCount,
    Task,
    VerdictRule,
)

# Goal groups in the order the summary counts them (codes.csv: goal_group).
GOAL_GROUP_NAMESPACE = "goal_group"


def read_status_counts(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> tuple[StatusCount, ...]:
    """fct_plan_status_count of the plan as of the date, goal groups and statuses in their
    code order."""
    found = fetch_rows(
        con,
        "select goal_group, progress_status, goal_count, unit_pairs, completed_pairs "
        "from fct_plan_status_count where plan_id = ? and as_of_date = ?",
        [plan_id, as_of],
    )
    groups = vocabulary.codes(GOAL_GROUP_NAMESPACE)
    statuses = vocabulary.codes("progress_status")
    found.sort(key=lambda r: (groups.index(r["goal_group"]), statuses.index(r["progress_status"])))
    return tuple(record(StatusCount, row) for row in found)


def read_tasks(
    con: duckdb.DuckDBPyConnection,
    plan_id: str,
    as_of: date,
    measures: tuple[MeasureUnit, ...],
) -> tuple[Task, ...]:
    """The qualitative rows of fct_target_progress in the plan's order of measures, each
    with its units' latest reports (`measures`, from fct_measure_status)."""
    found = fetch_rows(
        con,
        """
        select p.*, m.measure_no
        from fct_target_progress as p
        inner join fct_plan_measure as m on p.target_id = m.measure_id
        where p.plan_id = ? and p.as_of_date = ? and p.target_kind = 'qualitative'
        order by m.measure_no, p.target_id
        """,
        [plan_id, as_of],
    )
    units: dict[str, list[MeasureUnit]] = {}
    for unit in measures:
        units.setdefault(unit.measure_id, []).append(unit)
    return tuple(
        record(
            Task,
            row,
            status_reason=vocabulary.reason_from_row(row, "status_reason"),
            lead_departments=names(row["lead_departments"]),
            cooperating_departments=names(row["cooperating_departments"]),
            units=tuple(units.get(row["target_id"], ())),
        )
        for row in found
    )


def read_findings(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> Findings:
    """The plan region's latest wave up to the as-of year: its gaps whose 95% interval lies
    above 0 (not suppressed), largest first, and its child regions whose estimate's upper
    bound lies below the region's own estimate, lowest first."""
    params = [plan_id, as_of.year]
    gaps = fetch_rows(
        con,
        """
        with latest as (
            select max(g.survey_year) as survey_year
            from fct_literacy_gap as g
            inner join dim_plan as p on g.region_code = p.region_code
            where p.plan_id = ? and g.survey_year <= ?
        )
        select g.group_dimension, g.wave_id, g.survey_year, g.gap, g.ci_lower, g.ci_upper,
            g.quality_flag, g.quality_reason
        from fct_literacy_gap as g
        inner join dim_plan as p on g.region_code = p.region_code
        inner join latest on g.survey_year = latest.survey_year
        where p.plan_id = ? and g.quality_flag <> 'suppress' and g.ci_lower > 0
        order by g.gap desc, g.group_dimension
        """,
        [*params, plan_id],
    )
    lagging = fetch_rows(
        con,
        """
        with region as (
            select e.wave_id, e.survey_year, e.estimate
            from fct_literacy_estimate as e
            inner join dim_plan as p on e.region_code = p.region_code
            where p.plan_id = ? and e.group_dimension = 'total' and e.survey_year <= ?
                and e.quality_flag <> 'suppress'
            qualify row_number() over (order by e.survey_year desc, e.wave_id desc) = 1
        )
        select r.region_name_zh, r.region_name_en, e.wave_id, region.survey_year, e.estimate,
            region.estimate as region_estimate
        from fct_literacy_estimate as e
        inner join region on e.wave_id = region.wave_id
        inner join dim_region as r on e.region_code = r.region_code
        inner join dim_plan as p on r.parent_region_code = p.region_code
        where p.plan_id = ? and e.group_dimension = 'total'
            and e.quality_flag <> 'suppress' and e.ci_logit_upper < region.estimate
        order by e.estimate, r.region_name_zh
        """,
        [*params, plan_id],
    )
    return Findings(
        gaps=tuple(
            record(Gap, row, quality_reason=vocabulary.reason_from_row(row, "quality_reason"))
            for row in gaps
        ),
        lagging_regions=tuple(record(LaggingRegion, row) for row in lagging),
    )


def read_verdict_rules(con: duckdb.DuckDBPyConnection) -> tuple[VerdictRule, ...]:
    """dim_verdict_rule, kinds in their code order, forward before final."""
    found = fetch_rows(con, "select * from dim_verdict_rule")
    kinds = vocabulary.codes("target_kind")
    stages = vocabulary.codes("verdict_stage")
    found.sort(key=lambda r: (kinds.index(r["target_kind"]), stages.index(r["verdict_stage"])))
    return tuple(record(VerdictRule, row) for row in found)


def read_plan_loads(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> tuple[Load, ...]:
    """The accepted loads this plan's report rests on, by load id: the registry rows of the
    plan, the loads behind each value its targets were judged on (fct_indicator_value's
    load_ids of the target's observations), and its tasks' reports."""
    found = fetch_rows(
        con,
        """
        with observed as (
            select distinct indicator_code, region_code, year, series
            from fct_target_observation
            where plan_id = ? and as_of_date = ?
        ),

        used as (
            select unnest(v.load_ids) as load_id
            from fct_indicator_value as v
            inner join observed as o
                on v.indicator_code = o.indicator_code
                and v.region_code = o.region_code
                and v.year = o.year
                and (v.group_dimension = o.series
                    or (o.series = 'gap' and v.group_dimension not in ('total', 'cumulative')))
            union select load_id from dim_plan where plan_id = ?
            union select load_id from fct_plan_target where plan_id = ?
            union select load_id from fct_plan_measure where plan_id = ?
            union
            select r.load_id
            from fct_measure_report as r
            inner join fct_plan_measure as m on r.measure_id = m.measure_id
            where m.plan_id = ?
        )

        select load_id, file_name, file_sha256, sheet_name, table_name, rows_accepted,
            is_synthetic
        from fct_load_audit
        where load_status = 'accepted' and load_id in (select load_id from used)
        order by load_id, table_name, sheet_name
        """,
        [plan_id, as_of, plan_id, plan_id, plan_id, plan_id],
    )
    return tuple(record(Load, row) for row in found)


def read_evaluator_notes(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> tuple[EvaluatorNote, ...]:
    """The evaluator's paragraphs for the plan's assessments as of the date, of every review
    kind (the context picks its own), by section and order."""
    found = fetch_rows(
        con,
        "select review_kind, report_section, note_order, note_text_zh, note_text_en, author, "
        "written_on from fct_evaluator_note where plan_id = ? and as_of_date = ? "
        "order by review_kind, report_section, note_order",
        [plan_id, as_of],
    )
    return tuple(record(EvaluatorNote, row) for row in found)


def read_department_names_en(con: duckdb.DuckDBPyConnection, region_code: str) -> dict[str, str]:
    """Chinese → English department name of dim_department; where two regions register
    one Chinese name, the plan's own region's English name wins."""
    found = fetch_rows(
        con,
        "select department_name_zh, department_name_en from dim_department "
        "where department_name_en is not null "
        "order by region_code = ?, region_code, department_name_zh",
        [region_code],
    )
    return {row["department_name_zh"]: row["department_name_en"] for row in found}
