"""The reads behind where each plan stands: the Overview, the target detail page and the
data-quality page. Same rules as `data` (marts of the published snapshot only, cached a
minute, every choice bound as a parameter); a module of its own to keep `data` short.
"""

from __future__ import annotations

import pandas as pd

from dashboards.data import Published, _frame, cached


@cached
def goal_status(conn: Published) -> pd.DataFrame:
    """Every goal of every plan (targets, tasks, safeguards) with its verdict and the
    values behind it, plans by period and goals in registry order.

    `goal_group` is `target` for a goal with a number and the task kind otherwise, as
    fct_plan_status_count groups them.
    """
    sql = """
        select p.plan_id, p.target_id, coalesce(p.task_kind, 'target') as goal_group,
            p.indicator_code, p.indicator_name_zh, p.indicator_name_en, i.indicator_family,
            i.unit_zh, i.unit_en, p.target_kind, p.gap_group_a, p.gap_group_b,
            p.target_value, p.is_target_on_value_scale, p.target_label_zh,
            p.target_label_en,
            p.as_of_date, p.verdict_stage, p.progress_status, p.status_reason,
            p.baseline_year, p.baseline_value, p.latest_year, p.latest_value,
            p.latest_quality_flag, p.latest_quality_reason, p.latest_quality_measure_value,
            p.latest_quality_threshold, p.latest_non_reporting_units,
            p.latest_denominator_value, p.target_year, p.progress_ratio, p.expected_to_date,
            p.years_met, p.years_assessed, p.final_value, p.gap_to_target, p.share_achieved,
            p.measure_unit_pairs, p.completed_pairs, p.not_reported_pairs,
            p.lead_departments, p.region_code, d.region_name_zh, d.region_name_en,
            t.period_start, t.period_end
        from fct_target_progress as p
        inner join dim_plan as d on p.plan_id = d.plan_id
        left join fct_plan_target as t on p.target_id = t.target_id
        left join dim_indicator as i on p.indicator_code = i.indicator_code
        order by d.period_start, p.plan_id, t.source_row nulls last, p.target_id
    """
    return _frame(conn, sql, [])


@cached
def status_counts(conn: Published) -> pd.DataFrame:
    """How many goals of each plan and group have each verdict."""
    sql = """
        select plan_id, goal_group, progress_status, goal_count
        from fct_plan_status_count
        order by plan_id, goal_group, progress_status
    """
    return _frame(conn, sql, [])


@cached
def plan_series(conn: Published, plan_id: str) -> pd.DataFrame:
    """The yearly values every target of one plan was judged on (for the sparklines)."""
    sql = """
        select o.target_id, o.year, o.value
        from fct_target_observation as o
        inner join fct_target_progress as p
            on o.target_id = p.target_id and o.as_of_date = p.as_of_date
        where o.plan_id = ?
        order by o.target_id, o.year
    """
    return _frame(conn, sql, [plan_id])


@cached
def target_series(conn: Published, target_id: str) -> pd.DataFrame:
    """The yearly values one target was judged on, as of the snapshot's assessment date."""
    sql = """
        select o.year, o.value, o.unit_zh, o.unit_en, o.ci_lower, o.ci_upper,
            o.quality_flag, o.quality_reason, o.is_in_period, o.is_met, o.is_latest
        from fct_target_observation as o
        inner join fct_target_progress as p
            on o.target_id = p.target_id and o.as_of_date = p.as_of_date
        where o.target_id = ?
        order by o.year
    """
    return _frame(conn, sql, [target_id])
