"""The reads behind the drill-down from a target to its regions and groups. Same rules as
`data` (marts of the published snapshot only, cached a minute, every choice bound as a
parameter); a module of its own to keep `data` short.
"""

from __future__ import annotations

import pandas as pd

from dashboards.data import (
    LITERACY_RATIO_GAP,
    WHOLE_POPULATION,
    Published,
    _frame,
    cached,
)

# The columns of a region's yearly values (v: fct_indicator_value, r: dim_region), the same
# in `regions_below` and `region_values`: the drill draws either.
REGION_VALUE_COLUMNS = """v.region_code, r.region_name_zh, r.region_name_en, v.year, v.value,
            v.ci_lower, v.ci_upper, v.quality_flag, v.quality_reason,
            v.quality_measure_value, v.quality_threshold"""


@cached
def regions_below(conn: Published, indicator_code: str, region_code: str) -> pd.DataFrame:
    """Whole-population values of an indicator per year in the regions below `region_code`
    at the nearest level that has any (the towns of a district), with each value's flag
    and reason; a suppressed value has no number.

    The walk down does not go below a region with values: what lies under it is farther
    than it, never the nearest level. At national size that keeps it from visiting the
    600,000 villages (5.7 s for one county's towns under load, issue 11)."""
    sql = f"""
        with recursive valued as (
            select distinct region_code
            from fct_indicator_value
            where indicator_code = ? and group_dimension = ?
        ),

        below as (
            select r.region_code, 1 as steps, v.region_code is not null as has_value
            from dim_region as r
            left join valued as v on r.region_code = v.region_code
            where r.parent_region_code = ?
            union all
            select r.region_code, b.steps + 1 as steps, v.region_code is not null as has_value
            from dim_region as r
            inner join below as b on r.parent_region_code = b.region_code
            left join valued as v on r.region_code = v.region_code
            where not b.has_value
        ),

        nearest as (
            select region_code
            from below
            where has_value and steps = (select min(steps) from below where has_value)
        )

        select {REGION_VALUE_COLUMNS}
        from fct_indicator_value as v
        inner join nearest as n on v.region_code = n.region_code
        inner join dim_region as r on v.region_code = r.region_code
        where v.indicator_code = ? and v.group_dimension = ?
        order by v.region_code, v.year
    """
    params = [indicator_code, WHOLE_POPULATION, region_code, indicator_code, WHOLE_POPULATION]
    return _frame(conn, sql, params)


@cached
def gap_dimensions(conn: Published, region_code: str) -> list[str]:
    """The breakdowns (group_dimension codes) with a literacy gap in a region."""
    sql = """
        select distinct group_dimension
        from fct_indicator_value
        where indicator_code = ? and region_code = ?
    """
    return list(_frame(conn, sql, [LITERACY_RATIO_GAP, region_code])["group_dimension"])


@cached
def group_gaps(conn: Published, region_code: str, group_dimension: str) -> pd.DataFrame:
    """The literacy gap between the two groups a breakdown compares, per survey year, in
    percentage points with its 95% interval (no value where it is suppressed)."""
    sql = """
        select year, numerator_kind as minuend, denominator_kind as subtrahend, value,
            ci_lower, ci_upper, quality_flag, quality_reason, quality_measure_value,
            quality_threshold
        from fct_indicator_value
        where indicator_code = ? and region_code = ? and group_dimension = ?
        order by year
    """
    return _frame(conn, sql, [LITERACY_RATIO_GAP, region_code, group_dimension])


@cached
def region_path(conn: Published, top: str, region_code: str) -> pd.DataFrame:
    """The regions from `top` down to `region_code`, both included, `top` first, with their
    names; empty when `region_code` is neither `top` nor below it (a stale or edited URL)."""
    sql = """
        with recursive up as (
            select region_code, parent_region_code, 0 as steps
            from dim_region
            where region_code = ?
            union all
            select r.region_code, r.parent_region_code, u.steps + 1 as steps
            from dim_region as r
            inner join up as u on r.region_code = u.parent_region_code
            where u.region_code <> ?
        )

        select u.region_code, r.region_name_zh, r.region_name_en
        from up as u
        inner join dim_region as r on u.region_code = r.region_code
        where exists (select 1 from up where region_code = ?)
        order by u.steps desc
    """
    return _frame(conn, sql, [region_code, top, top])


@cached
def region_values(conn: Published, indicator_code: str, region_code: str) -> pd.DataFrame:
    """Whole-population values of an indicator per year in one region, with the columns of
    `regions_below`."""
    sql = f"""
        select {REGION_VALUE_COLUMNS}
        from fct_indicator_value as v
        inner join dim_region as r on v.region_code = r.region_code
        where v.indicator_code = ? and v.region_code = ? and v.group_dimension = ?
        order by v.year
    """
    return _frame(conn, sql, [indicator_code, region_code, WHOLE_POPULATION])
