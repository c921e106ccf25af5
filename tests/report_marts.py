"""Assessment reports read back from the files: what an evaluator would see in Word and Excel.

The database is built by hand, the rule marts (dim_progress_band, dim_progress_setting,
dim_presentation_rule) from the seeds the models read. The level target is the Open SDG
worked example (baseline 10 in 2015, target 20 by 2025, latest 13 in 2020):
CAGR_obs = 1.3^(1/5) − 1 = 5.39%, CAGR_req = 2^(1/10) − 1 = 7.18%, R = 0.751 → accelerate.
The cumulative target is 300 events over 2016–2025 with 310 by 2020: elapsed 5/10 = 50.0%,
expected 150, R = 310/150 = 2.067, and 310 ≥ 300 → achieved.

This module builds that database and renders from it; `tests.report_fixtures` holds
the fixtures of the test_report*.py modules."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
from docx import Document

from orchestration.report import render_assessment
from orchestration.report.wording import Context
from tests.report_rows import (
    AS_OF,
    DEPARTMENTS,
    ESTIMATES,
    EVENTS_PROGRESS,
    GAPS,
    INDICATORS,
    LITERACY_PROGRESS,
    LOADS,
    MEASURE_STATUS,
    MEASURES,
    OBSERVATIONS,
    PLAN,
    PLAN_TARGETS,
    PLANS,
    REGIONS,
    REVIEWS,
    RULE_MARTS,
    SEEDS,
    STATUS_COUNTS,
    TASKS,
    VALUES,
    VINTAGE,
)

SCHEMA = """
create table dim_plan (
    plan_id varchar, plan_name_zh varchar, plan_name_en varchar, issuer_zh varchar,
    issuer_en varchar, region_code varchar, region_name_zh varchar, region_name_en varchar,
    period_start integer, period_end integer, issued_on date, review_points varchar,
    target_count bigint, measure_count bigint, load_id integer);
create table dim_plan_review (
    plan_review_id varchar, plan_id varchar, review_year integer, review_kind varchar);
create table dim_indicator (
    indicator_code varchar, indicator_name_zh varchar, indicator_name_en varchar,
    indicator_family varchar, unit_zh varchar, unit_en varchar);
create table fct_target_progress (
    target_progress_id varchar, target_id varchar, plan_id varchar, indicator_code varchar,
    indicator_name_zh varchar, indicator_name_en varchar, region_code varchar,
    target_kind varchar, gap_group_a varchar, gap_group_b varchar, comparator varchar,
    target_value double, target_value_upper double,
    tolerance double, is_target_on_value_scale boolean, target_label_zh varchar,
    target_label_en varchar, direction varchar,
    as_of_date date, verdict_stage varchar, progress_method varchar, verdict_rule varchar,
    baseline_year bigint, baseline_value double,
    latest_year bigint, latest_value double, latest_quality_flag varchar,
    latest_quality_reason varchar, latest_quality_measure_value double,
    latest_quality_threshold double, latest_non_reporting_units integer,
    latest_denominator_value double, latest_ci_lower double, latest_ci_upper double,
    is_target_inside_ci boolean, target_year integer, period_start integer,
    period_end integer, cagr_observed double, cagr_required double, progress_ratio double,
    share_of_way double, elapsed_share double, expected_to_date double,
    years_assessed bigint, years_met bigint, change_value double,
    change_standard_error double, change_ci_lower double, change_ci_upper double,
    is_met boolean, final_year integer, final_value double, gap_to_target double,
    share_achieved double, progress_status varchar, status_reason varchar,
    threshold_on_track double, threshold_accelerate double, lead_departments varchar,
    cooperating_departments varchar, task_kind varchar, measure_unit_pairs bigint,
    completed_pairs bigint, overdue_pairs bigint, not_reported_pairs bigint,
    completed_share double, overdue_share double);
create table fct_indicator_value (
    indicator_code varchar, region_code varchar, year integer, group_dimension varchar,
    group_value varchar, value double, unit_zh varchar, unit_en varchar,
    standard_error double, ci_lower double, ci_upper double, sample_size integer,
    quality_flag varchar, quality_reason varchar, quality_measure_value double,
    quality_threshold double, non_reporting_units integer, denominator_value double,
    load_ids integer[]);
create table fct_target_observation (
    target_observation_id varchar, target_id varchar, plan_id varchar, as_of_date date,
    indicator_code varchar, region_code varchar, year integer, series varchar,
    value double, unit_zh varchar, unit_en varchar, standard_error double,
    ci_lower double, ci_upper double, sample_size integer, quality_flag varchar,
    quality_reason varchar, quality_measure_value double, quality_threshold double,
    non_reporting_units integer, denominator_value double, is_in_period boolean,
    is_met boolean, is_latest boolean);
create table fct_literacy_gap (
    wave_id varchar, survey_year integer, region_code varchar, group_dimension varchar,
    gap_label varchar, gap double, standard_error double, ci_lower double, ci_upper double,
    quality_flag varchar, quality_reason varchar);
create table fct_plan_measure (
    measure_id varchar, plan_id varchar, measure_no integer, title_zh varchar,
    title_en varchar, responsible_units varchar, load_id integer);
create table fct_measure_report (measure_id varchar, load_id integer);
create table fct_plan_target (target_id varchar, plan_id varchar, source_row integer,
    load_id integer);
create table fct_plan_status_count (
    plan_id varchar, as_of_date date, goal_group varchar, progress_status varchar,
    goal_count bigint, unit_pairs bigint, completed_pairs bigint);
create table fct_literacy_estimate (
    wave_id varchar, survey_year integer, region_code varchar, group_dimension varchar,
    estimate double, ci_logit_upper double, quality_flag varchar);
create table dim_region (
    region_code varchar, region_name_zh varchar, region_name_en varchar,
    parent_region_code varchar);
create table fct_measure_status (
    measure_unit_id varchar, measure_id varchar, plan_id varchar,
    department_name_zh varchar, measure_status varchar, reporting_period varchar,
    reported_on date, evidence varchar, document_ref varchar);
create table fct_evaluator_note (
    plan_id varchar, review_kind varchar, as_of_date date, report_section varchar,
    note_order integer, note_text_zh varchar, note_text_en varchar, author varchar,
    written_on date);
create table dim_department (
    region_code varchar, department_name_zh varchar, department_name_en varchar);
create table fct_load_audit (
    load_id integer, file_name varchar, file_sha256 varchar, sheet_name varchar,
    table_name varchar, rows_accepted integer, load_status varchar, is_synthetic boolean,
    loaded_at timestamptz);
"""


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )


def build_database(
    path: Path,
    *,
    synthetic_survey: bool = True,
    snapshot_synthetic: bool | None = None,
    progress: tuple[dict, ...] = (LITERACY_PROGRESS, EVENTS_PROGRESS),
    values: list[tuple] = VALUES,
    observations: list[tuple] = OBSERVATIONS,
) -> Path:
    """The marts the report reads; `snapshot_info` only when `snapshot_synthetic` is set."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    for table, seed in RULE_MARTS.items():
        con.execute(f"create table {table} as select * from read_csv(?)", [str(SEEDS / seed)])
    insert(con, "dim_plan", PLANS)
    con.executemany("insert into dim_plan_review values (?, ?, ?, ?)", REVIEWS)
    con.executemany("insert into dim_indicator values (?, ?, ?, ?, ?, ?)", INDICATORS)
    insert(con, "fct_target_progress", list(progress))
    insert(con, "fct_target_progress", TASKS)
    con.executemany(f"insert into fct_indicator_value values ({', '.join('?' * 18)}, null)", values)
    con.execute(
        "update fct_indicator_value set load_ids = "
        "case indicator_code when 'literacy_ratio' then [2] else [4] end"
    )
    con.executemany("insert into fct_plan_status_count values (?, ?, ?, ?, ?, ?, ?)", STATUS_COUNTS)
    con.executemany("insert into fct_plan_target values (?, ?, ?, ?)", PLAN_TARGETS)
    con.executemany("insert into dim_region values (?, ?, ?, ?)", REGIONS)
    con.executemany("insert into dim_department values (?, ?, ?)", DEPARTMENTS)
    con.executemany("insert into fct_literacy_estimate values (?, ?, ?, ?, ?, ?, ?)", ESTIMATES)
    con.execute("insert into fct_measure_report values ('m01', 6)")
    if observations:
        con.executemany(
            f"insert into fct_target_observation values ({', '.join('?' * 24)})", observations
        )
    con.executemany(f"insert into fct_literacy_gap values ({', '.join('?' * 11)})", GAPS)
    con.executemany("insert into fct_plan_measure values (?, ?, ?, ?, ?, ?, 1)", MEASURES)
    con.executemany(
        "insert into fct_measure_status values (?, ?, ?, ?, ?, ?, ?, ?, ?)", MEASURE_STATUS
    )
    loads = [(*row[:-1], row[-1] and synthetic_survey, "2021-06-01 08:00:00+00") for row in LOADS]
    con.executemany("insert into fct_load_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?)", loads)
    if snapshot_synthetic is not None:
        con.execute(
            "create table snapshot_info as select 'b1' as build_id, "
            "timestamptz '2021-06-30 12:00:00+00' as published_at, ? as is_synthetic",
            [snapshot_synthetic],
        )
    con.close()
    return path


def render(
    database: Path,
    out_dir: Path,
    *,
    plan_id: str = PLAN,
    lang: str = "zh",
    as_of: date = AS_OF,
    kind: str = "midterm",
) -> dict[str, Path]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        paths = render_assessment(
            con,
            plan_id=plan_id,
            as_of=as_of,
            kind=kind,
            lang=lang,
            out_dir=out_dir,
            vintage_note=VINTAGE,
        )
    finally:
        con.close()
    return {path.suffix.lstrip("."): path for path in paths}


def texts(path: Path) -> list[str]:
    """Every paragraph of the body, then every table cell, in document order."""
    document = Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return [p.text for p in document.paragraphs] + cells


def tables(path: Path, header: list[str]) -> list[list[list[str]]]:
    """The rows below the header of every table whose header row is `header`."""
    found = []
    for table in Document(str(path)).tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows[0] == header:
            found.append(rows[1:])
    return found


def components(path: Path, lang: str = "zh") -> list[dict[str, str]]:
    """Per target (in target_id order: events, literacy), meaning or symbol → value."""
    header = ["符号", "含义", "数值"] if lang == "zh" else ["Symbol", "Meaning", "Value"]
    return [
        {(symbol or meaning): value for symbol, meaning, value in rows}
        for rows in tables(path, header)
    ]


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


SUMMARY_HEADER_ZH = ["指标", "目标值", "基线（年份）", "最新值（年份）", "完成比例", "评估结论"]

SOURCES_HEADER = ["批次号", "文件", "SHA-256（前12位）", "数据表", "入库记录数"]


def annex(path: Path) -> list[str]:
    """The paragraphs of the methods annex: after its heading, up to the next heading."""
    paragraphs = Document(str(path)).paragraphs
    headings = ("附件1\u3000评估方法", "Annex 1. Methods")
    start = next(i for i, p in enumerate(paragraphs) if p.text in headings) + 1
    found = []
    for paragraph in paragraphs[start:]:
        if paragraph.style.name.startswith("Heading"):
            break
        found.append(paragraph.text)
    return found


def words(lang: str) -> Context:
    """A report context for wording alone (no data)."""
    return Context(None, lang, "final", AS_OF, VINTAGE)  # type: ignore[arg-type]


def section(path: Path, heading: str) -> list[str]:
    """The paragraphs after the level-1 heading `heading`, up to the next level-1 heading."""
    found, inside = [], False
    for paragraph in Document(str(path)).paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
        elif inside:
            found.append(paragraph.text)
    return found


DRAFTED_ZH = "（本节由数据自动起草，待评估人审定。）"

# Ideographs, CJK symbols and punctuation, kana, fullwidth forms.
CJK = re.compile("[\u2e80-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
