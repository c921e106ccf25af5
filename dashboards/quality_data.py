"""The reads behind the data-quality page. Same rules as `data`: marts of the published
snapshot only, cached a minute, every choice bound as a parameter."""

from __future__ import annotations

import pandas as pd

from dashboards.data import Published, _frame, cached, has_table


@cached
def load_outcomes(conn: Published) -> pd.DataFrame:
    """Every file × sheet offered with its outcome after supersession and its row counts."""
    sql = """
        select load_id, file_name, sheet_name, table_name, load_outcome, file_outcome, rows_read,
            rows_accepted, rows_rejected, rows_current, received_on, loaded_at
        from fct_load_outcome
        order by load_id, sheet_name
    """
    return _frame(conn, sql, [])


@cached
def load_problems(conn: Published) -> pd.DataFrame:
    """Every located problem of every load, newest load first, in sheet and row order."""
    sql = """
        select p.load_id, p.file_name, p.sheet_name, p.source_row, p.cell, p.column_name,
            p.cell_value, p.error_code, p.expected_code, p.error_fields
        from fct_load_problem as p
        order by p.load_id desc, p.sheet_name, p.source_row, p.cell
    """
    return _frame(conn, sql, [])


@cached
def validations(conn: Published) -> pd.DataFrame | None:
    """The checks of the build that published the snapshot (None for a snapshot published
    before they were kept)."""
    if not has_table(conn, "validation_result"):
        return None
    sql = """
        select check_kind, asset_key, check_name, passed, severity
        from validation_result
        order by check_kind, passed, asset_key, check_name
    """
    return _frame(conn, sql, [])


@cached
def units_not_reported(conn: Published) -> pd.DataFrame:
    """Units behind on their reports, with the plan, the measure and the unit's names."""
    sql = """
        select u.plan_id, p.plan_name_zh, p.plan_name_en, m.measure_no, m.title_zh, m.title_en,
            u.department_name_zh, coalesce(d.department_name_en, u.department_name_zh)
                as department_name_en,
            u.unit_role, u.last_period, u.current_period, u.is_overdue
        from fct_unit_not_reported as u
        inner join dim_plan as p on u.plan_id = p.plan_id
        inner join fct_plan_measure as m on u.measure_id = m.measure_id
        left join dim_department as d
            on p.region_code = d.region_code and u.department_name_zh = d.department_name_zh
        order by p.period_start, u.plan_id, m.measure_no, u.department_name_zh
    """
    return _frame(conn, sql, [])
