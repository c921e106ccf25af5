"""Every read the dashboard makes, from the published marts only.

On one machine (KEPU_ENGINE=duckdb) they are the published snapshot file, opened once per
file (its mtime names the publish). On a server (KEPU_ENGINE=postgres) they are the
server's `marts` schema, read over one connection pool per process in read-only sessions
whose search path is that schema, so every query below runs unchanged on both engines:
the SQL is written in what both speak and `_frame` is the one place that tells them apart.

Queries are cached for a minute, keyed on the publish they read (`Published.key`), so a
new `kepu build` shows up without restarting the app and no page mixes two builds; every
user choice is bound as a parameter, never written into the SQL text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st
from psycopg_pool import ConnectionPool

from ingest.engine import connection_settings, on_server, server_frame
from ingest.home import KepuHome
from ingest.specs import LIST_JOINER
from orchestration.publish import MARTS_SCHEMA, open_snapshot

FUNDING_PER_CAPITA = "funding_per_capita"
LITERACY_RATIO = "literacy_ratio"
LITERACY_RATIO_GAP = "literacy_ratio_gap"
WHOLE_POPULATION = "total"
# year_outcome codes of a year in the plan period that has a value
YEAR_MET = "met"
YEAR_MISSED = "missed"
QUERY_TTL_SECONDS = 60
# The most regions a region selector lists whole; beyond, these levels are left out.
MOST_REGION_CHOICES = 1_000
UNLISTED_LEVELS = ("town", "village")
# Connections one dashboard process keeps to the server: Streamlit runs each session's
# script on its own thread, and a page's queries run one after another.
POOL_MAX_CONNECTIONS = 8
POOL_TIMEOUT_SECONDS = 10
# Which tables the server's published schema holds now: a rebuilt or swapped-in table
# is a new relation with a new oid, so a new publish gives a new key.
SERVER_PUBLISH_SQL = """
    select md5(string_agg(c.relname || ':' || c.oid::text, ',' order by c.relname))
    from pg_class as c
    inner join pg_namespace as n on c.relnamespace = n.oid
    where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')
"""


@dataclass(frozen=True)
class Published:
    """The published marts one page run reads: `key` names the publish (the snapshot file
    and its mtime, or the server and its published tables), `source` reads it."""

    key: str
    source: duckdb.DuckDBPyConnection | ConnectionPool = field(compare=False, repr=False)


# Streamlit hashes a Published argument by its key: the cache entry belongs to a publish.
cached = functools.partial(
    st.cache_data,
    ttl=QUERY_TTL_SECONDS,
    show_spinner=False,
    hash_funcs={Published: lambda published: published.key},
)


def connection() -> Published:
    """The published marts of the engine in force; FileNotFoundError if none is published."""
    if on_server():
        return _server_publish()
    home = KepuHome.from_env()
    published = home.published
    mtime_ns = published.stat().st_mtime_ns if published.exists() else 0
    return Published(f"{published}@{mtime_ns}", _open(str(home.root), mtime_ns))


@st.cache_resource(max_entries=1, show_spinner=False)
def _open(root: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """Open a snapshot once; `mtime_ns` only keys the cache so a new publish reopens.
    Failures (nothing published) are not cached."""
    return open_snapshot(KepuHome(Path(root)))


def _server_publish() -> Published:
    settings = connection_settings()
    pool = _pool(tuple(sorted(settings.items())))
    with pool.connection() as con:
        (tables,) = con.execute(SERVER_PUBLISH_SQL).fetchone()
    server = f"postgresql://{settings['host']}:{settings['port']}/{settings['dbname']}"
    if tables is None:
        raise FileNotFoundError(f"no published {MARTS_SCHEMA} schema on {server}")
    return Published(f"{server}/{MARTS_SCHEMA}@{tables}", pool)


@st.cache_resource(show_spinner=False)
def _pool(settings: tuple[tuple[str, str], ...]) -> ConnectionPool:
    """One pool per process and server, made on first use. Its sessions read only, see the
    published schema first on their search path, and prepare nothing (a prepared plan
    would outlive a schema swap)."""
    session = {
        "options": f"-c search_path={MARTS_SCHEMA} -c default_transaction_read_only=on",
        "autocommit": True,
        "prepare_threshold": None,
    }
    return ConnectionPool(
        kwargs=dict(settings) | session,
        min_size=1,
        max_size=POOL_MAX_CONNECTIONS,
        timeout=POOL_TIMEOUT_SECONDS,
        check=ConnectionPool.check_connection,
        name="kepu-dashboard",
        open=True,
    )


def _frame(conn: Published, sql: str, params: list[Any]) -> pd.DataFrame:
    """Run one query with `?` placeholders on its own cursor (Streamlit sessions run on
    separate threads); the frame has the dtypes DuckDB gives, whichever engine ran it."""
    if isinstance(conn.source, ConnectionPool):
        with conn.source.connection() as con, con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return server_frame(cursor)
    with conn.source.cursor() as cursor:
        return cursor.execute(sql, params).df()


def has_table(conn: Published, table: str) -> bool:
    """Whether the published marts hold `table` (the snapshot's own schema, or the server's
    published schema: each engine's current schema)."""
    sql = """
        select count(*) as tables
        from information_schema.tables
        where table_schema = current_schema() and table_name = ?
    """
    return bool(_frame(conn, sql, [table])["tables"].iloc[0])


@cached
def snapshot_info(conn: Published) -> dict[str, Any]:
    """Build id, publish time and whether any synthetic data went into the snapshot, as
    publishing recorded them (`snapshot_info`, on either engine)."""
    sql = "select build_id, published_at, is_synthetic from snapshot_info"
    return _frame(conn, sql, []).iloc[0].to_dict()


@cached
def plans(conn: Published) -> pd.DataFrame:
    """One row per plan, oldest period first."""
    sql = """
        select plan_id, plan_name_zh, plan_name_en, region_code, region_name_zh,
            region_name_en, period_start, period_end, issued_on, target_count, measure_count
        from dim_plan
        order by period_start, plan_id
    """
    return _frame(conn, sql, [])


@cached
def plan_reviews(conn: Published) -> pd.DataFrame:
    """The review calendar as (plan, year, kind) codes, so the page can name them in either
    language (dim_plan.review_points is English text)."""
    sql = """
        select plan_id, review_year, review_kind
        from dim_plan_review
        order by plan_id, review_year
    """
    return _frame(conn, sql, [])


@cached
def plan_targets(conn: Published, plan_id: str) -> pd.DataFrame:
    """The targets of one plan in the order the registry lists them."""
    sql = """
        select target_id, region_code, indicator_code, indicator_name_zh, indicator_name_en,
            target_kind, gap_group_a, gap_group_b, target_label_zh, target_label_en,
            baseline_year, baseline_value,
            target_year, lead_departments, cooperating_departments, source_quote,
            note_zh, note_en
        from fct_plan_target
        where plan_id = ?
        order by source_row, target_id
    """
    return _frame(conn, sql, [plan_id])


@cached
def plan_measures(conn: Published, plan_id: str) -> pd.DataFrame:
    """The qualitative measures of one plan with their responsible units."""
    sql = """
        select m.measure_no, m.title_zh, m.title_en, m.summary_zh, m.summary_en,
            m.responsible_units, p.region_code
        from fct_plan_measure as m
        inner join dim_plan as p on m.plan_id = p.plan_id
        where m.plan_id = ?
        order by m.measure_no
    """
    return _frame(conn, sql, [plan_id])


@cached
def department_names(conn: Published) -> dict[tuple[str, str], str]:
    """English name of each department, keyed by (region_code, Chinese name).

    Targets and measures list their departments as Chinese names joined by '；'; the
    department dimension is where their English names live.
    """
    sql = "select region_code, department_name_zh, department_name_en from dim_department"
    frame = _frame(conn, sql, [])
    return {
        (row.region_code, row.department_name_zh): row.department_name_en
        for row in frame.itertuples()
    }


@cached
def funding_indicators(conn: Published) -> pd.DataFrame:
    """The per-capita funding indicators with the numerator and denominator each uses."""
    sql = """
        select indicator_code, indicator_name_zh, indicator_name_en, unit_zh, unit_en,
            funding_numerator, population_denominator, definition_zh, definition_en
        from dim_indicator
        where indicator_family = ?
        order by indicator_code
    """
    return _frame(conn, sql, [FUNDING_PER_CAPITA])


@cached
def indicator_regions(conn: Published, indicator_code: str) -> pd.DataFrame:
    """Regions that have values of an indicator, and whether a plan sets a target there.

    A page offers them in a selectbox, which sends every option on every rerun: beyond
    MOST_REGION_CHOICES regions (a national snapshot has literacy values for 37,919, most
    of them towns: a 1 MB message each time) the towns and villages are left out, and the
    counties and the levels above them remain.
    """
    sql = """
        with valued as (
            select distinct region_code
            from fct_indicator_value
            where indicator_code = ?
        ),

        targeted as (
            select distinct region_code
            from fct_plan_target
            where indicator_code = ?
        ),

        listed as (
            select r.region_code, r.region_name_zh, r.region_name_en, r.region_level,
                t.region_code is not null as has_target
            from valued as v
            inner join dim_region as r on v.region_code = r.region_code
            left join targeted as t on v.region_code = t.region_code
        )

        select region_code, region_name_zh, region_name_en, has_target
        from listed
        where (select count(*) from listed) <= ? or region_level not in (?, ?)
        order by region_code
    """
    params = [indicator_code, indicator_code, MOST_REGION_CHOICES, *UNLISTED_LEVELS]
    return _frame(conn, sql, params)


@cached
def indicator_values(conn: Published, indicator_code: str, region_code: str) -> pd.DataFrame:
    """Yearly whole-population values of one indicator in one region."""
    sql = """
        select year, value, numerator_value, denominator_value, quality_flag
        from fct_indicator_value
        where indicator_code = ? and region_code = ? and group_dimension = ?
        order by year
    """
    return _frame(conn, sql, [indicator_code, region_code, WHOLE_POPULATION])


@cached
def indicator_targets(conn: Published, indicator_code: str, region_code: str) -> pd.DataFrame:
    """Plan targets on one indicator in one region: the registry matches them by both."""
    sql = """
        select t.target_id, p.plan_name_zh, p.plan_name_en, t.target_value,
            t.is_target_on_value_scale,
            t.target_label_zh, t.target_label_en, t.baseline_year, t.baseline_value,
            t.period_start, t.period_end, t.target_year
        from fct_plan_target as t
        inner join dim_plan as p on t.plan_id = p.plan_id
        where t.indicator_code = ? and t.region_code = ?
        order by t.target_year, t.target_id
    """
    return _frame(conn, sql, [indicator_code, region_code])


@cached
def funding_by_source(conn: Published, region_code: str) -> pd.DataFrame:
    """Funding of one region per year and source, in 万元 as the returns report it."""
    sql = """
        select year, funding_source, amount_10k_yuan
        from fct_funding
        where region_code = ?
        order by year, funding_source
    """
    return _frame(conn, sql, [region_code])


@cached
def literacy_values(conn: Published, region_code: str, group_dimension: str) -> pd.DataFrame:
    """The literacy ratio of one region per survey year and group, in percent, as published.

    Read from fct_indicator_value, where the presentation standard has already been
    applied: a suppressed estimate has no value, standard error or interval, only its flag
    and reason, so the page cannot show a number that must not be shown.
    """
    sql = """
        select year, group_value, value, standard_error, ci_lower, ci_upper, ci_method,
            degrees_of_freedom, sample_size, design_effect, quality_flag, quality_reason,
            quality_measure_value, quality_threshold
        from fct_indicator_value
        where indicator_code = ? and region_code = ? and group_dimension = ?
        order by year, group_value
    """
    return _frame(conn, sql, [LITERACY_RATIO, region_code, group_dimension])


@cached
def literacy_gaps(conn: Published, region_code: str) -> pd.DataFrame:
    """Gaps between groups in one region per survey year, in percentage points, as published
    (no value when either group's estimate is suppressed)."""
    sql = """
        select year, group_dimension, numerator_kind as minuend,
            denominator_kind as subtrahend, value as gap, standard_error, ci_lower, ci_upper,
            degrees_of_freedom, sample_size, quality_flag, quality_reason
        from fct_indicator_value
        where indicator_code = ? and region_code = ?
        order by year, group_dimension
    """
    return _frame(conn, sql, [LITERACY_RATIO_GAP, region_code])


@cached
def literacy_waves(conn: Published, region_code: str) -> pd.DataFrame:
    """The survey waves behind one region's estimates: year, literacy rule (its id and
    its name in both languages) and how strata with a single PSU were handled."""
    sql = """
        select e.survey_year as year, e.wave_id, e.rule_id,
            -- a wave has one rule: min() is its name on either engine (PostgreSQL 15 has
            -- no any_value)
            min(w.rule_name_zh) as rule_name_zh, min(w.rule_name_en) as rule_name_en,
            string_agg(distinct e.lonely_psu, ', ' order by e.lonely_psu) as lonely_psu
        from fct_literacy_estimate as e
        left join dim_survey_wave as w on e.wave_id = w.wave_id
        where e.region_code = ?
        group by e.survey_year, e.wave_id, e.rule_id
        order by e.survey_year, e.wave_id
    """
    return _frame(conn, sql, [region_code])


@cached
def coverage_targets(conn: Published) -> pd.DataFrame:
    """Targets measured as facility coverage, with their plan, in registry order."""
    sql = """
        select t.target_id, t.plan_id, p.plan_name_zh, p.plan_name_en, t.region_code,
            t.indicator_code, t.indicator_name_zh, t.indicator_name_en, t.target_value,
            t.target_label_zh, t.target_label_en, t.target_year
        from fct_plan_target as t
        inner join dim_plan as p on t.plan_id = p.plan_id
        where t.target_id in (select target_id from fct_facility_coverage)
        order by p.period_start, t.plan_id, t.source_row
    """
    return _frame(conn, sql, [])


@cached
def facility_coverage(conn: Published, target_id: str) -> pd.DataFrame:
    """Coverage of one target per region and year (0–1), with the counts behind it: units
    in the register, units covered, units that reported and units that did not."""
    sql = """
        select c.region_code, r.region_name_zh, r.region_name_en, c.year, c.units,
            c.covered_units, c.reporting_units, c.non_reporting_units, c.coverage
        from fct_facility_coverage as c
        inner join dim_region as r on c.region_code = r.region_code
        where c.target_id = ?
        order by c.year, c.region_code
    """
    return _frame(conn, sql, [target_id])


@cached
def record_targets(conn: Published) -> pd.DataFrame:
    """Count and stock targets valued from activity logs and registers, with their plan and
    the indicator's definition, in registry order."""
    sql = """
        select t.target_id, t.plan_id, p.plan_name_zh, p.plan_name_en, t.region_code,
            t.indicator_code, t.indicator_name_zh, t.indicator_name_en, t.target_kind,
            t.target_value, t.target_value_upper, t.tolerance, t.unit_zh, t.unit_en,
            t.target_label_zh, t.target_label_en, t.period_start, t.period_end,
            t.target_year, i.definition_zh, i.definition_en
        from fct_plan_target as t
        inner join dim_plan as p on t.plan_id = p.plan_id
        inner join dim_indicator as i on t.indicator_code = i.indicator_code
        where t.target_id in (select target_id from fct_record_count)
        order by p.period_start, t.plan_id, t.source_row
    """
    return _frame(conn, sql, [])


@cached
def record_counts(conn: Published, target_id: str) -> pd.DataFrame:
    """Yearly values of one count or stock target and the running total over the period."""
    sql = """
        select year, record_source, measure, annual_value, cumulative_value
        from fct_record_count
        where target_id = ?
        order by year
    """
    return _frame(conn, sql, [target_id])


@cached
def target_progress(conn: Published, plan_id: str) -> pd.DataFrame:
    """The progress status of each target of one plan with its components, registry order."""
    return _frame(conn, TARGET_PROGRESS_SQL, [plan_id])


# The progress of each target of one plan, with the numbers behind the latest value's quality
# reason (fct_target_progress has the code only): the value the status was judged on is the
# target's latest row of fct_target_observation, and its series is the group_dimension of
# that value in fct_indicator_value.
TARGET_PROGRESS_SQL = """
    select p.target_id, p.indicator_name_zh, p.indicator_name_en, p.target_kind,
        p.target_value, t.gap_group_a, t.gap_group_b,
        p.target_label_zh, p.target_label_en, p.as_of_date, p.progress_method,
        p.baseline_year, p.baseline_value, p.latest_year, p.latest_value,
        p.latest_quality_flag, p.latest_quality_reason, p.latest_quality_measure_value,
        p.latest_quality_threshold, p.latest_non_reporting_units, p.latest_denominator_value,
        p.progress_ratio, p.expected_to_date, p.years_met, p.years_assessed, p.progress_status,
        p.status_reason, p.gap_to_target, i.indicator_family, i.unit_zh, i.unit_en
    from fct_target_progress as p
    inner join fct_plan_target as t on p.target_id = t.target_id
    left join dim_indicator as i on p.indicator_code = i.indicator_code
    where p.plan_id = ?
    order by t.source_row, p.target_id
"""


@cached
def year_outcomes(conn: Published, target_id: str) -> dict[int, str]:
    """The outcome (a year_outcome code: met, missed) of each year the progress status of
    an annual target was judged on; a year it was not judged on is absent.

    The one reader of the per-year outcomes: the target's rows of fct_target_observation
    in the plan period with a value to judge (is_met not null), as of the date of the
    snapshot's progress status.
    """
    sql = """
        select o.year, o.is_met
        from fct_target_observation as o
        inner join fct_target_progress as p
            on o.target_id = p.target_id and o.as_of_date = p.as_of_date
        where o.target_id = ? and o.is_in_period and o.is_met is not null
        order by o.year
    """
    frame = _frame(conn, sql, [target_id])
    return {
        int(year): YEAR_MET if met else YEAR_MISSED
        for year, met in zip(frame["year"], frame["is_met"], strict=True)
    }


@cached
def assessment_progress(path: str, mtime_ns: int, plan_id: str) -> pd.DataFrame:
    """target_progress from an assessment snapshot; `mtime_ns` keys the cache to its build."""
    with duckdb.connect(path, read_only=True) as conn:
        return conn.execute(TARGET_PROGRESS_SQL, [plan_id]).df()


@cached
def progress_as_of(conn: Published) -> date:
    """The date the snapshot's progress statuses are assessed as of."""
    frame = _frame(conn, "select max(as_of_date) as as_of_date from fct_target_progress", [])
    return pd.Timestamp(frame["as_of_date"].iloc[0]).date()


@cached
def measure_plans(conn: Published) -> pd.DataFrame:
    """Plans that register qualitative measures."""
    sql = """
        select plan_id, plan_name_zh, plan_name_en, region_code
        from dim_plan
        where measure_count > 0
        order by period_start, plan_id
    """
    return _frame(conn, sql, [])


@cached
def measure_status(conn: Published, plan_id: str) -> pd.DataFrame:
    """The latest status of every measure × responsible unit of one plan; units in the
    order the plan lists them."""
    sql = """
        select s.measure_id, m.measure_no, m.title_zh, m.title_en, s.department_name_zh,
            s.measure_status, s.reporting_period, s.reported_on, s.evidence,
            s.document_ref, s.report_count
        from fct_measure_status as s
        inner join fct_plan_measure as m on s.measure_id = m.measure_id
        where s.plan_id = ?
        order by m.measure_no,
            array_position(string_to_array(m.responsible_units, ?), s.department_name_zh)
    """
    return _frame(conn, sql, [plan_id, LIST_JOINER])


@cached
def measure_reports(conn: Published, measure_id: str) -> pd.DataFrame:
    """Every status report on one measure, per responsible unit and reporting period."""
    sql = """
        select r.department_name_zh, r.reporting_period, r.measure_status, r.evidence,
            r.document_ref, r.reported_on
        from fct_measure_report as r
        inner join fct_plan_measure as m on r.measure_id = m.measure_id
        where r.measure_id = ?
        order by array_position(string_to_array(m.responsible_units, ?), r.department_name_zh),
            r.reporting_period
    """
    return _frame(conn, sql, [measure_id, LIST_JOINER])


def report_files(folder: Path) -> list[Path]:
    """The assessment reports in a plan's report folder, by name.

    Read on every run, not cached: a report written while the app runs shows up at once.
    """
    return sorted(path for path in folder.glob("*") if path.is_file())
