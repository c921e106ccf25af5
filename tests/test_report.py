"""Assessment reports read back from the files: what an evaluator would see in Word and Excel.

The database is built by hand, the rule marts (dim_progress_band, dim_progress_setting,
dim_presentation_rule) from the seeds the models read. The level target is the Open SDG
worked example (baseline 10 in 2015, target 20 by 2025, latest 13 in 2020):
CAGR_obs = 1.3^(1/5) − 1 = 5.39%, CAGR_req = 2^(1/10) − 1 = 7.18%, R = 0.751 → accelerate.
The cumulative target is 300 events over 2016–2025 with 310 by 2020: elapsed 5/10 = 50.0%,
expected 150, R = 310/150 = 2.067, and 310 ≥ 300 → achieved.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

import vocabulary
from ingest.home import REPO_ROOT
from orchestration import report
from orchestration.report import data as report_data
from orchestration.report import render_assessment
from orchestration.report.records import Gap
from orchestration.report.wording import Context, gap_rows, measure_number
from vocabulary import Reason

AS_OF = date(2021, 6, 30)
PLAN = "test-2016-2025"
MEASURES_PLAN = "test-measures-2022"
VINTAGE = "loads received by 2021-06-30"

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
    tolerance double, target_label_zh varchar, target_label_en varchar, direction varchar,
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

# review_points stays empty: the report reads the review points from dim_plan_review.
PLAN_COMMON = {
    "issued_on": None,
    "period_end": None,
    "review_points": None,
    "target_count": 0,
    "measure_count": 0,
    "load_id": 1,
}
PLANS = [
    {
        **PLAN_COMMON,
        "plan_id": PLAN,
        "plan_name_zh": "测试区科普规划",
        "plan_name_en": "Test District Science Plan",
        "issuer_zh": "测试区科协",
        "issuer_en": "Test District Association for Science and Technology",
        "region_code": "330304",
        "region_name_zh": "测试区",
        "region_name_en": "Test District",
        "period_start": 2016,
        "period_end": 2025,
        "issued_on": date(2016, 3, 1),
        "target_count": 2,
    },
    {
        **PLAN_COMMON,
        "plan_id": MEASURES_PLAN,
        "plan_name_zh": "XX市科普若干措施",
        "plan_name_en": "Several Measures of XX City",
        "issuer_zh": "XX市",
        "issuer_en": "XX City",
        "region_code": "990100",
        "region_name_zh": "XX市",
        "region_name_en": "XX City",
        "period_start": 2022,
        "measure_count": 2,
    },
]
PROGRESS_COMMON = {
    "plan_id": PLAN,
    "region_code": "330304",
    "comparator": "ge",
    "target_value_upper": None,
    "tolerance": None,
    "direction": "increase",
    "as_of_date": AS_OF,
    "verdict_stage": "forward",
    "target_year": 2025,
    "period_start": 2016,
    "period_end": 2025,
    "years_assessed": None,
    "years_met": None,
    "status_reason": None,
    "latest_quality_reason": None,
    "threshold_on_track": 0.95,
    "threshold_accelerate": 0.60,
}
LITERACY_PROGRESS = {
    **PROGRESS_COMMON,
    "target_progress_id": f"{PLAN}.literacy|{AS_OF}",
    "target_id": f"{PLAN}.literacy",
    "indicator_code": "literacy_ratio",
    "indicator_name_zh": "公民具备科学素质的比例",
    "indicator_name_en": "Share of citizens with scientific literacy",
    "target_kind": "level",
    "target_value": 20.0,
    "target_label_zh": "≥20%",
    "target_label_en": "≥20 %",
    "progress_method": "growth_ratio",
    "verdict_rule": "growth_ratio_bands",
    "baseline_year": 2015,
    "baseline_value": 10.0,
    "latest_year": 2020,
    "latest_value": 13.0,
    "latest_quality_flag": "present",
    "latest_ci_lower": 11.2,
    "latest_ci_upper": 15.0,
    "is_target_inside_ci": False,
    "cagr_observed": 1.3 ** (1 / 5) - 1,
    "cagr_required": 2 ** (1 / 10) - 1,
    "progress_ratio": (1.3 ** (1 / 5) - 1) / (2 ** (1 / 10) - 1),
    "share_of_way": 0.3,
    "elapsed_share": None,
    "expected_to_date": None,
    "is_met": False,
    "progress_status": "accelerate",
    "lead_departments": "测试区科协",
    "cooperating_departments": "测试区教育局；测试区科技局",
}
EVENTS_PROGRESS = {
    **PROGRESS_COMMON,
    "target_progress_id": f"{PLAN}.events|{AS_OF}",
    "target_id": f"{PLAN}.events",
    "indicator_code": "science_events",
    "indicator_name_zh": "科普活动场次",
    "indicator_name_en": "Science-popularization events",
    "target_kind": "cumulative",
    "target_value": 300.0,
    "target_label_zh": "≥300场次",
    "target_label_en": "≥300 events",
    "progress_method": "pro_rata",
    "verdict_rule": "pro_rata_bands",
    "baseline_year": None,
    "baseline_value": None,
    "latest_year": 2020,
    "latest_value": 310.0,
    "latest_quality_flag": "present",
    "latest_ci_lower": None,
    "latest_ci_upper": None,
    "is_target_inside_ci": None,
    "cagr_observed": None,
    "cagr_required": None,
    "progress_ratio": 310 / 150,
    "share_of_way": None,
    "elapsed_share": 0.5,
    "expected_to_date": 150.0,
    "is_met": True,
    "progress_status": "achieved",
    "lead_departments": None,
    "cooperating_departments": None,
}


def value(
    indicator: str,
    year: int,
    number: float | None,
    *,
    group: str = "total",
    se: float | None = None,
    ci: tuple[float, float] | None = None,
    n: int | None = None,
    flag: str = "present",
    reason: str | None = None,
    measured: tuple[float, float] | None = None,
) -> tuple:
    """A row of fct_indicator_value for region 330304; `measured` is the presentation
    rule's (measure value, threshold) of a flagged estimate."""
    units = {
        "literacy_ratio": ("%", "%"),
        "science_events": ("场次", "events"),
        "science_days": ("次", "times"),
    }[indicator]
    group_value = {"total": "all", "cumulative": "since_period_start", "sex": "male"}[group]
    lower, upper = ci or (None, None)
    key = (indicator, "330304", year, group, group_value)
    measure_value, threshold = measured or (None, None)
    numbers = (se, lower, upper, n, flag, reason, measure_value, threshold, None, None)
    return (*key, number, *units, *numbers)


def observation(
    target: str, row: tuple, *, met: bool | None, latest: bool = False, in_period: bool = True
) -> tuple:
    """A row of fct_target_observation: the fct_indicator_value `row` as one year of
    `target`'s series, with the judgement the mart states (met, latest, in the period)."""
    indicator, region, year, series, _, number, unit_zh, unit_en = row[:8]
    se, lower, upper, n, flag, reason, *reason_numbers = row[8:18]
    key = (f"{target}|{AS_OF}|{year}", target, PLAN, AS_OF, indicator, region, year, series)
    numbers = (number, unit_zh, unit_en, se, lower, upper, n, flag, reason, *reason_numbers)
    return (*key, *numbers, in_period, met, latest)


VALUES = [
    value("literacy_ratio", 2018, 11.0, se=0.9, ci=(9.3, 12.9), n=1200),
    value(
        "literacy_ratio",
        2019,
        None,
        n=25,
        flag="suppress",
        reason="ess_below_30",
        measured=(23.41, 30.0),
    ),
    value("literacy_ratio", 2020, 13.0, se=0.95, ci=(11.2, 15.0), n=1180),
    # after the as-of year, and a group estimate: neither belongs in the report
    value("literacy_ratio", 2022, 16.0, se=0.9, ci=(14.3, 17.8), n=1190),
    value("literacy_ratio", 2020, 14.0, group="sex", se=1.2, ci=(11.7, 16.6), n=600),
    *[
        value("science_events", year, total, group="cumulative")
        for year, total in [(2016, 50), (2017, 120), (2018, 180), (2019, 250), (2020, 310)]
    ],
    value("science_events", 2020, 60.0),
]
LITERACY = f"{PLAN}.literacy"
EVENTS = f"{PLAN}.events"
# The years each status may use: literacy 2018–2020 (not the 2022 value after the as-of
# date, not the group estimate), the events' running total 2016–2020.
OBSERVATIONS = [
    observation(LITERACY, VALUES[0], met=False),
    observation(LITERACY, VALUES[1], met=None),
    observation(LITERACY, VALUES[2], met=False, latest=True),
    *[observation(EVENTS, row, met=row[5] >= 300, latest=row[2] == 2020) for row in VALUES[5:10]],
]
GAPS = [
    ("t-2018", 2018, "330304", "sex", "male-female", 0.025, 0.01, 0.005, 0.045, "present", None),
    ("t-2020", 2020, "330304", "sex", "male-female", 0.031, 0.0095, 0.012, 0.050, "present",
     None),
    ("t-2020", 2020, "330304", "urban_rural", "urban-rural", 0.062, 0.016, 0.030, 0.094,
     "present", None),
    ("t-2020", 2020, "330304", "occupation", "a-b", 0.2, 0.05, 0.1, 0.3, "suppress",
     "group_suppressed"),
    ("t-2022", 2022, "330304", "sex", "male-female", 0.099, 0.01, 0.079, 0.119, "present", None),
]  # fmt: skip
SEEDS = REPO_ROOT / "dbt_project" / "seeds"
RULE_MARTS = {
    "dim_progress_band": "progress_bands.csv",
    "dim_progress_setting": "progress_settings.csv",
    "dim_presentation_rule": "presentation_rules.csv",
    "dim_verdict_rule": "verdict_rules.csv",
}
REVIEWS = [
    (f"{PLAN}|2020|midterm", PLAN, 2020, "midterm"),
    (f"{PLAN}|2025|final", PLAN, 2025, "final"),
    (f"{MEASURES_PLAN}|2023|monitoring", MEASURES_PLAN, 2023, "monitoring"),
]
INDICATORS = [
    ("literacy_ratio", "公民具备科学素质的比例", "Share of citizens with scientific literacy",
     "survey_ratio", "%", "%"),
    ("science_events", "科普活动场次", "Science-popularization events", "count", "场次", "events"),
    ("science_days", "科普日活动次数", "Science Day events", "count", "次", "times"),
]  # fmt: skip
MEASURES = [
    ("m01", MEASURES_PLAN, 1, "加强基层科普", "Strengthen grassroots work", "市科协；市科技局"),
    ("m02", MEASURES_PLAN, 2, "推进科普信息化", "Go digital", "市科技局；市科协"),
]


def status(measure: str, unit: str, code: str, day: int | None = None, ref: str | None = None):
    """A row of fct_measure_status; `day` of July 2023 when the unit reported."""
    reported, period = (date(2023, 7, day), "2023H1") if day else (None, None)
    evidence = "年度报告" if ref else None
    pair = f"{measure}|{unit}"
    return (pair, measure, MEASURES_PLAN, unit, code, period, reported, evidence, ref)


# English names of the units the measures name; the English report shows these.
DEPARTMENTS = [
    ("990100", "市科协", "City Association for Science and Technology"),
    ("990100", "市科技局", "City Science and Technology Bureau"),
]
MEASURE_STATUS = [
    status("m01", "市科协", "completed", 10, "XX科协〔2023〕5号"),
    status("m01", "市科技局", "overdue", 12),
    status("m02", "市科技局", "in_progress", 11),
    status("m02", "市科协", "not_reported"),
]
TASK_COMMON = {
    "plan_id": MEASURES_PLAN,
    "target_kind": "qualitative",
    "task_kind": "task",
    "as_of_date": AS_OF,
    "verdict_stage": "forward",
    "progress_method": "measure_completion",
    "verdict_rule": "completion_bands",
    "target_year": 2025,
    "measure_unit_pairs": 2,
}
# The tasks' rows of fct_target_progress: m01 one of two units completed, one overdue;
# m02 one unit in progress and one that never reported.
TASKS = [
    {**TASK_COMMON, "target_progress_id": f"m01|{AS_OF}", "target_id": "m01",
     "target_label_zh": "加强基层科普", "target_label_en": "Strengthen grassroots work",
     "completed_pairs": 1, "overdue_pairs": 1, "not_reported_pairs": 0,
     "progress_status": "accelerate", "status_reason": None,
     "lead_departments": "市科协", "cooperating_departments": "市科技局"},
    {**TASK_COMMON, "target_progress_id": f"m02|{AS_OF}", "target_id": "m02",
     "target_label_zh": "推进科普信息化", "target_label_en": "Go digital",
     "completed_pairs": 0, "overdue_pairs": 0, "not_reported_pairs": 1,
     "progress_status": "limited", "status_reason": "units_not_reported",
     "lead_departments": "市科技局", "cooperating_departments": "市科协"},
]  # fmt: skip
# fct_plan_status_count as the mart stores it. The report quotes these rows: it does not
# count the targets itself.
STATUS_COUNTS = [
    (PLAN, AS_OF, "target", "achieved", 1, None, None),
    (PLAN, AS_OF, "target", "accelerate", 1, None, None),
    (MEASURES_PLAN, AS_OF, "task", "accelerate", 1, 2, 1),
    (MEASURES_PLAN, AS_OF, "task", "limited", 1, 2, 0),
]
# The registry rows of the targets: the events come first in the plan.
PLAN_TARGETS = [(EVENTS, PLAN, 1, 1), (LITERACY, PLAN, 2, 1), (f"{PLAN}.days", PLAN, 3, 1)]
# The plan's region and two towns: the first town's estimate lies below the district's
# (its upper bound 11.0% < 13.0%), the second's interval reaches above it.
REGIONS = [
    ("330304", "测试区", "Test District", None),
    ("330304001", "甲街道", "Jia Street", "330304"),
    ("330304002", "乙镇", "Yi Town", "330304"),
]
ESTIMATES = [
    ("t-2020", 2020, "330304", "total", 0.13, 0.15, "present"),
    ("t-2020", 2020, "330304001", "total", 0.08, 0.11, "present"),
    ("t-2020", 2020, "330304002", "total", 0.12, 0.16, "present"),
]
SHA_REGISTRY = "a8f6edfef111" + "0" * 52
SHA_SURVEY = "07f41d43b397" + "1" * 52
LOADS = [
    (1, "registry.xlsx", SHA_REGISTRY, "规划", "plans", 2, "accepted", False),
    (2, "survey_2020.xlsx", SHA_SURVEY, "受访者", "survey_respondents", 1180, "accepted", True),
    (2, "survey_2020.xlsx", SHA_SURVEY, "调查批次", "survey_waves", 1, "accepted", True),
    (3, "broken.xlsx", "f" * 64, "科普经费", "funding_returns", 0, "rejected", True),
    (4, "activities_2020.xlsx", "4" * 64, "科普活动", "activities", 1350, "accepted", True),
    # another region's survey: accepted, but nothing of this plan rests on it
    (5, "survey_other.xlsx", "5" * 64, "受访者", "survey_respondents", 900, "accepted", True),
    (6, "task_reports_2023.xlsx", "6" * 64, "措施进展", "measure_reports", 4, "accepted", False),
]


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


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("marts") / "kepu.duckdb")


@pytest.fixture(scope="module")
def zh(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("zh"))


@pytest.fixture(scope="module")
def en(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("en"), lang="en")


@pytest.fixture(scope="module")
def measures_zh(database: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render(database, tmp_path_factory.mktemp("measures"), plan_id=MEASURES_PLAN)


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


def test_writes_docx_and_xlsx_named_after_plan_kind_date_and_language(zh: dict[str, Path]):
    assert zh["docx"].name == "test-2016-2025_midterm_2021-06-30_zh.docx"
    assert zh["xlsx"].name == "test-2016-2025_midterm_2021-06-30_zh.xlsx"


def test_cover_names_plan_kind_date_vintage_and_synthetic_data(zh: dict[str, Path]):
    document = Document(str(zh["docx"]))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "测试区科普规划"
    assert "发布单位：测试区科协" in paragraphs
    assert "地区：测试区（330304）" in paragraphs
    assert "规划期：2016–2025" in paragraphs
    assert "评估节点：2020 中期评估；2025 总结评估" in paragraphs
    assert "报告类型：中期评估" in paragraphs
    assert "评估截止日期：2021-06-30" in paragraphs
    assert f"数据版本：{VINTAGE}" in paragraphs
    notice = next(p for p in document.paragraphs if "合成演示数据" in p.text)
    assert all(run.bold for run in notice.runs)


def test_overview_gives_each_target_its_verdict_in_words_and_colour(zh: dict[str, Path]):
    """Targets in the registry's order (fct_plan_target.source_row: events first); no share
    achieved before the due year."""
    (rows,) = tables(zh["docx"], SUMMARY_HEADER_ZH)
    assert rows == [
        ["科普活动场次", "≥300场次", "—", "310（2020年）", "—", "已达成"],
        ["公民具备科学素质的比例", "≥20%", "10.00（2015年）", "13.00（2020年）", "—", "需加快进度"],
    ]
    summary = Document(str(zh["docx"])).tables[0]
    fills = [row.cells[5]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for row in summary.rows]
    assert fills[1:] == ["70AD47", "FFC000"]


def test_overview_counts_are_the_rows_of_fct_plan_status_count(
    zh: dict[str, Path], measures_zh: dict[str, Path]
):
    paragraphs = texts(zh["docx"])
    assert (
        "截至 2021-06-30，本规划共有量化目标 2 项（已达成 1 项，需加快进度 1 项）。" in paragraphs
    )
    tasks = (
        "截至 2021-06-30，本规划共有任务 2 项"
        "（需加快进度 1 项，进展有限 1 项；责任单位报告完成 1/4）。"
    )
    assert tasks in texts(measures_zh["docx"])


def test_english_report_takes_labels_and_names_in_english(en: dict[str, Path]):
    header = ["Indicator", "Target", "Baseline (year)", "Latest value (year)"]
    (rows,) = tables(en["docx"], [*header, "Share achieved", "Verdict"])
    assert rows == [
        ["Science-popularization events", "≥300 events", "—", "310 (2020)", "—", "Achieved"],
        [
            "Share of citizens with scientific literacy",
            "≥20 %",
            "10.00 (2015)",
            "13.00 (2020)",
            "—",
            "Must accelerate",
        ],
    ]
    paragraphs = texts(en["docx"])
    assert "Report: Mid-term assessment" in paragraphs
    assert "Review points: 2020 mid-term review; 2025 final review" in paragraphs
    assert "Cooperating departments: 测试区教育局; 测试区科技局" in paragraphs


def test_growth_ratio_components_are_written_out_for_recomputation(zh: dict[str, Path]):
    literacy = components(zh["docx"])[1]
    assert literacy["y₀"] == "10.00"
    assert literacy["t₀"] == "2015"
    assert literacy["y_t"] == "13.00"
    assert literacy["T"] == "2025"
    assert literacy["CAGR_obs"] == "(13.00 / 10.00)^(1/5) − 1 = 5.39%"
    assert literacy["CAGR_req"] == "(20.00 / 10.00)^(1/10) − 1 = 7.18%"
    assert literacy["R"] == "5.39% / |7.18%| = 0.751"
    assert literacy["完成进度 (y_t − y₀)/(y_T − y₀)"] == "(13.00 − 10.00) / (20.00 − 10.00) = 30.0%"
    assert literacy["判定结果"] == "0.60 ≤ R = 0.751 < 0.95 → 需加快进度"


def test_pro_rata_components_are_written_out_for_recomputation(zh: dict[str, Path]):
    events = components(zh["docx"])[0]
    assert events["Σ"] == "310"
    assert events["e"] == "min(1, (2020 − 2016 + 1) / (2025 − 2016 + 1)) = 50.0%"
    assert events["E"] == "300 × 50.0% = 150"
    assert events["R"] == "310 / 150 = 2.067"
    assert events["判定结果"] == "最新值 310 满足目标 ≥300场次 → 已达成"


def test_values_table_shows_a_dash_and_the_reason_for_a_suppressed_estimate(
    zh: dict[str, Path],
):
    literacy = tables(zh["docx"], ["年份", "数值（%）", "95%置信区间", "样本量 n", "质量标记"])
    assert literacy == [
        [
            ["2018", "11.00", "[9.30, 12.90]", "1200", "正常"],
            ["2019", "—（不宜发布：有效样本量 23.4，不足 30）", "—", "25", "不宜发布"],
            ["2020", "13.00", "[11.20, 15.00]", "1180", "正常"],
        ]
    ]


def test_cumulative_target_shows_its_running_total_not_annual_values(zh: dict[str, Path]):
    (events,) = tables(zh["docx"], ["年份", "数值（场次）", "95%置信区间", "样本量 n", "质量标记"])
    assert [row[:2] for row in events] == [
        ["2016", "50"],
        ["2017", "120"],
        ["2018", "180"],
        ["2019", "250"],
        ["2020", "310"],
    ]


def test_each_target_with_values_gets_an_embedded_png_without_software_tag(
    zh: dict[str, Path],
):
    document = Document(str(zh["docx"]))
    assert len(document.inline_shapes) == 2
    images = [p for p in document.part.package.parts if p.partname.endswith(".png")]
    assert len(images) == 2
    assert all(image.blob.startswith(b"\x89PNG") for image in images)
    assert not any(b"Software" in image.blob for image in images)


def test_target_outside_the_confidence_interval_is_stated(zh: dict[str, Path]):
    assert "目标值 20.00 不在最新估计的95%置信区间 [11.20, 15.00] 之内。" in texts(zh["docx"])


def test_literacy_gaps_come_from_the_latest_wave_up_to_the_as_of_date(zh: dict[str, Path]):
    (gaps,) = tables(zh["docx"], ["序列", "调查批次", "差距（百分点）", "95%置信区间", "质量标记"])
    assert gaps == [
        ["男性 − 女性", "t-2020（2020）", "3.10", "[1.20, 5.00]", "正常"],
        ["城镇 − 农村", "t-2020（2020）", "6.20", "[3.00, 9.40]", "正常"],
    ]


def test_departments_are_listed_and_a_missing_line_is_left_out(zh: dict[str, Path]):
    paragraphs = texts(zh["docx"])
    assert "牵头部门：测试区科协" in paragraphs
    assert "配合部门：测试区教育局；测试区科技局" in paragraphs
    # the events target registers no department: no line, no filler
    assert not any(p.endswith("：未登记") or "None" in p for p in paragraphs)
    assert paragraphs.count("牵头部门：测试区科协") == 1


SOURCES_HEADER = ["批次号", "文件", "SHA-256（前12位）", "数据表", "接收行数"]


def test_data_sources_list_only_the_loads_this_plan_rests_on(
    zh: dict[str, Path], measures_zh: dict[str, Path]
):
    """The registry (load 1), the survey behind the literacy values (2), the activities
    behind the events (4); not the rejected file (3), not the other region's survey (5),
    not the task reports of the other plan (6)."""
    (rows,) = tables(zh["docx"], SOURCES_HEADER)
    assert rows == [
        ["1", "registry.xlsx", "a8f6edfef111", "plans（规划）", "2"],
        ["2", "survey_2020.xlsx", "07f41d43b397", "survey_respondents（受访者）", "1,180"],
        ["2", "survey_2020.xlsx", "07f41d43b397", "survey_waves（调查批次）", "1"],
        ["4", "activities_2020.xlsx", "444444444444", "activities（科普活动）", "1,350"],
    ]
    (rows,) = tables(measures_zh["docx"], SOURCES_HEADER)
    assert [row[1] for row in rows] == ["registry.xlsx", "task_reports_2023.xlsx"]


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


def test_methods_annex_states_bands_settings_and_each_presentation_rule(
    zh: dict[str, Path], en: dict[str, Path]
):
    paragraphs = annex(zh["docx"])
    text = "\n".join(paragraphs)
    assert (
        "R ≥ 0.95：进展顺利；0.60 ≤ R < 0.95：需加快进度；0 ≤ R < 0.60：进展有限；R < 0：偏离目标"
        in text
    )
    assert "已满足目标为“已达成”" in text
    assert "数值为0时以 1e-6 代替" in text
    assert "|y − 目标| ≤ 容差，未登记容差时容差取 0" in text
    assert "n_eff = p(1 − p)/SE²" in text
    start = paragraphs.index(next(p for p in paragraphs if "NCHS" in p)) + 1
    end = paragraphs.index("不宜发布的数值在本报告中一律显示为“—”并注明原因。") + 1
    assert paragraphs[start:end] == [
        "1. 样本量 < 1 → 不宜发布",
        "2. 方差可估计（1/0） < 1 → 不宜发布",
        "3. 有效样本量 < 30 → 不宜发布",
        "4. Korn–Graubard 置信区间宽度 ≥ 0.3 → 不宜发布",
        "5. 置信区间宽度 / 估计值 > 1.3（仅当 Korn–Graubard 置信区间宽度 > 0.05） → 不宜发布",
        "6. 自由度 < 8 → 待复核",
        "7. 置信区间宽度 / （1 − 估计值） > 1.3（仅当 Korn–Graubard 置信区间宽度 > 0.05） → 需注意",
        "以上规则均不成立 → 正常",
        "不宜发布的数值在本报告中一律显示为“—”并注明原因。",
    ]
    english = annex(en["docx"])
    assert "3. effective sample size < 30 → suppressed" in english
    assert (
        "5. CI width / estimate > 1.3 (only when the Korn–Graubard CI width exceeds 0.05)"
        " → suppressed"
    ) in english
    # the measures' overdue share only where the plan has measures
    assert not any("措施按各" in p for p in paragraphs)


def test_methods_annex_follows_the_rule_marts(database: Path, tmp_path: Path):
    """The same marts with a presentation rule, a band and the settings edited: the annex
    and the components say what the edited rows say."""
    con = duckdb.connect()
    con.execute(f"attach '{database}' as marts (read_only)")
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = 'marts'"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"create table memory.{table} as select * from marts.{table}")
    con.execute("detach marts")
    con.execute(
        "update dim_presentation_rule set threshold = 50 where quality_reason = 'ess_below_30'"
    )
    con.execute("update dim_presentation_rule set min_ci_width = null where rule_order = 5")
    con.execute("update dim_progress_band set min_ratio = 0.9 where progress_status = 'on_track'")
    con.execute("update dim_progress_setting set value = 0.000000001 where setting = 'epsilon'")
    con.execute(
        "update dim_progress_setting set value = 0.5 where setting = 'approx_default_tolerance'"
    )
    con.execute(
        "update dim_progress_setting set value = 0.4 "
        "where setting = 'measure_accelerate_max_overdue_share'"
    )
    paths = {}
    for plan_id in (PLAN, MEASURES_PLAN):
        (docx_path,) = render_assessment(
            con, plan_id=plan_id, as_of=AS_OF, kind="midterm", lang="zh",
            out_dir=tmp_path / plan_id, formats=("docx",), vintage_note=VINTAGE,
        )  # fmt: skip
        paths[plan_id] = docx_path
    text = "\n".join(annex(paths[PLAN]))
    assert "3. 有效样本量 < 50 → 不宜发布" in text
    assert "5. 置信区间宽度 / 估计值 > 1.3 → 不宜发布" in text
    assert "R ≥ 0.90：进展顺利；0.60 ≤ R < 0.90：需加快进度" in text
    assert "数值为0时以 1e-9 代替" in text
    assert "未登记容差时容差取 0.5" in text
    assert components(paths[PLAN])[1]["判定结果"] == "0.60 ≤ R = 0.751 < 0.90 → 需加快进度"
    measures = "\n".join(annex(paths[MEASURES_PLAN]))
    assert "逾期占比低于 40% 为“需加快进度”，否则为“进展有限”" in measures


def test_each_task_lists_its_verdict_lead_unit_and_units_reports(measures_zh: dict[str, Path]):
    header = ["责任单位", "状态", "报告期", "报送日期", "进展情况", "文号"]
    assert tables(measures_zh["docx"], header) == [
        [
            ["市科协", "已完成", "2023H1", "2023-07-10", "年度报告", "XX科协〔2023〕5号"],
            ["市科技局", "逾期", "2023H1", "2023-07-12", "—", "—"],
        ],
        [
            ["市科技局", "推进中", "2023H1", "2023-07-11", "—", "—"],
            ["市科协", "未报告", "—", "—", "—", "—"],
        ],
    ]
    paragraphs = texts(measures_zh["docx"])
    assert "三、重点任务落实情况" in paragraphs  # every section, even without targets
    headings = [p for p in paragraphs if p.startswith("（")]
    assert headings[:2] == ["（一）加强基层科普", "（二）推进科普信息化"]
    assert "评估结论：需加快进度。" in paragraphs
    assert "评估结论：进展有限。判定依据：有责任单位从未报告，按未完成计。" in paragraphs
    assert "责任单位 2 个：已完成 0 个，逾期 0 个，未报告 1 个。" in paragraphs
    assert "牵头单位：市科技局；配合单位：市科协；完成时限：2025年" in paragraphs
    assert "该规划未登记量化目标，评估依据为措施落实情况。" in paragraphs
    (overview,) = tables(measures_zh["docx"], ["序号", "任务", "类别", "牵头部门", "评估结论"])
    assert overview == [
        ["1", "加强基层科普", "任务", "市科协", "需加快进度"],
        ["2", "推进科普信息化", "任务", "市科技局", "进展有限"],
    ]


def test_workbook_has_a_sheet_per_section_in_each_language(
    zh: dict[str, Path], en: dict[str, Path], measures_zh: dict[str, Path]
):
    sections = ["摘要", "目标统计", "目标完成情况", "成效问题建议", "进展", "数值", "数据来源"]
    assert openpyxl.load_workbook(zh["xlsx"]).sheetnames == sections
    assert openpyxl.load_workbook(en["xlsx"]).sheetnames == [
        "Summary", "Counts", "Targets", "Findings", "Progress", "Values", "Sources"
    ]  # fmt: skip
    assert openpyxl.load_workbook(measures_zh["xlsx"]).sheetnames == [
        "摘要", "目标统计", "措施", "成效问题建议", "进展", "数值", "数据来源"
    ]  # fmt: skip


def test_counts_sheet_holds_fct_plan_status_count_in_words(measures_zh: dict[str, Path]):
    assert sheet_rows(measures_zh["xlsx"], "目标统计") == [
        ["目标类别", "状态", "数量", "责任单位数", "已完成单位数"],
        ["任务", "需加快进度", 1, 2, 1],
        ["任务", "进展有限", 1, 2, 0],
    ]


def test_targets_sheet_gives_each_verdict_with_its_reason(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "目标完成情况")
    literacy = dict(zip(rows[0], rows[2], strict=True))
    assert literacy["评估结论"] == "需加快进度"
    assert literacy["判断阶段"] == "进度判断（到期前）"
    assert (literacy["最新值"], literacy["置信下限"], literacy["置信上限"]) == (13.0, 11.2, 15.0)
    assert literacy["目标值在置信区间内"] == "否"
    assert literacy["说明"] == "0.60 ≤ R = 0.751 < 0.95"
    assert literacy["牵头部门"] == "测试区科协"


def test_summary_sheet_fills_status_cells_and_formats_numbers(zh: dict[str, Path]):
    sheet = openpyxl.load_workbook(zh["xlsx"])["摘要"]
    assert sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[4]][:8] == [
        "指标",
        "目标值",
        "基线值",
        "基线年份",
        "最新值",
        "最新年份",
        "单位",
        "状态",
    ]
    assert sheet["A5"].value == "科普活动场次"
    assert sheet["H5"].value == "已达成"
    assert sheet["H5"].fill.fgColor.rgb == "FF70AD47"
    assert sheet["H6"].value == "需加快进度"
    assert sheet["H6"].fill.fgColor.rgb == "FFFFC000"
    assert (sheet["E6"].value, sheet["E6"].number_format) == (13.0, "0.00")
    assert (sheet["E5"].value, sheet["E5"].number_format) == (310, "0")
    assert "合成演示数据" in sheet["A3"].value


def test_progress_sheet_holds_every_target_column_with_codes_in_words(
    zh: dict[str, Path], en: dict[str, Path]
):
    sheet = openpyxl.load_workbook(zh["xlsx"])["进展"]
    header = [c.value for c in sheet[1]]
    # every column of a quantitative row (with a gap target's pair of groups), the status
    # also as its code; not the measures'
    assert len(header) == 61
    assert set(header) <= {zh for zh, _ in vocabulary.labels().values()}  # no raw names
    assert header[:3] == ["进展记录编号", "目标编号", "规划编号"]
    literacy = dict(zip(header, (c for c in sheet[3]), strict=True))
    assert literacy["进展比 R"].number_format == "0.000"
    assert literacy["进展比 R"].value == pytest.approx(0.750611, abs=1e-6)
    assert literacy["实际年均增长率"].number_format == "0.00%"
    assert literacy["状态"].value == "需加快进度"
    assert literacy["状态"].fill.fgColor.rgb == "FFFFC000"
    assert literacy["状态代码"].value == "accelerate"
    assert literacy["目标类型"].value == "水平值"
    assert literacy["比较方式"].value == "≥"
    assert literacy["期望方向"].value == "上升"
    assert literacy["判定方法"].value == "增长率比较法（水平值目标）"
    assert literacy["最新值质量标记"].value == "正常"
    assert literacy["已达目标"].value == "否"
    assert (literacy["顺利阈值"].value, literacy["顺利阈值"].number_format) == (0.95, "0.00")
    english = openpyxl.load_workbook(en["xlsx"])["Progress"]
    header = [c.value for c in english[1]]
    events = dict(zip(header, (c.value for c in english[2]), strict=True))
    assert (events["Status"], events["Status code"]) == ("Achieved", "achieved")
    assert (events["Target kind"], events["Method"]) == (
        "cumulative",
        "pro-rata (cumulative target)",
    )
    assert events["Target met"] == "yes"


def test_values_sheet_writes_a_dash_for_a_suppressed_estimate(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "数值")
    literacy = [r for r in rows if r[0] == f"{PLAN}.literacy"]
    assert [r[3] for r in literacy] == [2018, 2019, 2020]
    assert literacy[1][4:9] == ["—", "%", None, None, None]
    assert literacy[1][10:12] == ["不宜发布", "有效样本量 23.4，不足 30"]
    assert literacy[2][4] == 13.0
    # in the period, met, the latest: the judgement of fct_target_observation
    assert [r[12:] for r in literacy] == [
        ["是", "否", "否"],
        ["是", None, "否"],
        ["是", "否", "是"],
    ]


def test_measures_sheet_gives_each_unit_its_status_beside_the_task_verdict(
    measures_zh: dict[str, Path],
):
    sheet = openpyxl.load_workbook(measures_zh["xlsx"])["措施"]
    assert [c.value for c in sheet["D"]][1:] == ["需加快进度", "需加快进度", "进展有限", "进展有限"]
    assert [c.value for c in sheet["F"]][1:] == ["已完成", "逾期", "推进中", "未报告"]
    assert sheet["F2"].fill.fgColor.rgb == "FF70AD47"
    assert sheet["F3"].fill.fgColor.rgb == "FFFF5050"


def test_sources_sheet_lists_only_this_plan_s_accepted_loads(zh: dict[str, Path]):
    rows = sheet_rows(zh["xlsx"], "数据来源")
    assert [r[:3] for r in rows[1:]] == [
        [1, "registry.xlsx", "a8f6edfef111"],
        [2, "survey_2020.xlsx", "07f41d43b397"],
        [2, "survey_2020.xlsx", "07f41d43b397"],
        [4, "activities_2020.xlsx", "444444444444"],
    ]


def test_rendering_twice_gives_the_same_tables_texts_and_bytes(database: Path, tmp_path: Path):
    first = render(database, tmp_path / "first")
    second = render(database, tmp_path / "second")
    assert texts(first["docx"]) == texts(second["docx"])
    workbook = openpyxl.load_workbook(first["xlsx"])
    for name in workbook.sheetnames:
        assert sheet_rows(first["xlsx"], name) == sheet_rows(second["xlsx"], name)
    for fmt in ("docx", "xlsx"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


def test_document_dates_come_from_the_as_of_date(zh: dict[str, Path]):
    core = Document(str(zh["docx"])).core_properties
    assert (core.created.date(), core.modified.date(), core.revision) == (AS_OF, AS_OF, 1)
    assert openpyxl.load_workbook(zh["xlsx"]).properties.created.date() == AS_OF


def test_no_synthetic_notice_when_nothing_loaded_is_synthetic(tmp_path: Path):
    database = build_database(tmp_path / "real.duckdb", synthetic_survey=False)
    report = render(database, tmp_path / "out")
    assert not any("合成" in text for text in texts(report["docx"]))


def test_snapshot_info_marks_the_data_synthetic(tmp_path: Path):
    database = build_database(
        tmp_path / "snapshot.duckdb", synthetic_survey=False, snapshot_synthetic=True
    )
    report = render(database, tmp_path / "out", lang="en")
    assert any("synthetic demo data" in text for text in texts(report["docx"]))


def test_progress_built_for_another_date_is_refused(database: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="as of 2021-06-30, not 2022-06-30"):
        render(database, tmp_path, as_of=date(2022, 6, 30))


def test_a_suppressed_latest_estimate_is_explained_by_its_reason(tmp_path: Path):
    suppressed_latest = {
        **LITERACY_PROGRESS,
        "latest_year": 2019,
        "latest_value": None,
        "latest_quality_flag": "suppress",
        "latest_ci_lower": None,
        "latest_ci_upper": None,
        "is_target_inside_ci": None,
        "cagr_observed": None,
        "progress_ratio": None,
        "share_of_way": None,
        "is_met": None,
        "progress_status": "insufficient_data",
        "status_reason": "latest_suppressed",
        "latest_quality_reason": "ess_below_30",
        "latest_quality_measure_value": 23.41,
        "latest_quality_threshold": 30.0,
    }
    values = [v for v in VALUES if v[:4] != ("literacy_ratio", "330304", 2020, "total")]
    observations = [
        observation(LITERACY, VALUES[0], met=False),
        observation(LITERACY, VALUES[1], met=None, latest=True),
    ]
    database = build_database(
        tmp_path / "suppressed.duckdb",
        progress=(suppressed_latest,),
        values=values,
        observations=observations,
    )
    zh = render(database, tmp_path / "zh")
    (rows,) = tables(zh["docx"], SUMMARY_HEADER_ZH)
    latest = "—（不宜发布：有效样本量 23.4，不足 30）（2019年）"
    assert rows == [["公民具备科学素质的比例", "≥20%", "10.00（2015年）", latest, "—", "数据不足"]]
    (literacy,) = components(zh["docx"])
    assert literacy["y_t"] == latest
    assert literacy["判定结果"] == "最新估计不宜发布：有效样本量 23.4，不足 30 → 数据不足"
    summary = openpyxl.load_workbook(zh["xlsx"])["摘要"]
    assert (summary["E5"].value, summary["I5"].value) == ("—", latest)
    (english,) = components(render(database, tmp_path / "en", lang="en")["docx"], "en")
    assert english["result"] == (
        "latest estimate suppressed: effective sample size 23.4, below 30 → Insufficient data"
    )
    progress = openpyxl.load_workbook(zh["xlsx"])["进展"]
    header = [c.value for c in progress[1]]
    row = dict(zip(header, (c.value for c in progress[2]), strict=True))
    assert row["最新值质量原因"] == "有效样本量 23.4，不足 30"
    assert row["状态原因"] == "最新估计不宜发布：有效样本量 23.4，不足 30"


def test_a_monitoring_report_is_named_and_titled_as_one(database: Path, tmp_path: Path):
    zh = render(database, tmp_path / "zh", plan_id=MEASURES_PLAN, kind="monitoring")
    assert zh["docx"].name == "test-measures-2022_monitoring_2021-06-30_zh.docx"
    document = Document(str(zh["docx"]))
    assert document.core_properties.title == "XX市科普若干措施年度监测报告"
    paragraphs = [p.text for p in document.paragraphs]
    assert "报告类型：年度监测" in paragraphs
    assert "评估节点：2023 监测" in paragraphs
    en = render(database, tmp_path / "en", plan_id=MEASURES_PLAN, kind="monitoring", lang="en")
    assert "Report: Annual monitoring" in texts(en["docx"])
    summary = openpyxl.load_workbook(en["xlsx"])["Summary"]
    assert summary["A1"].value == (
        "Several Measures of XX City: Annual monitoring report (2021-06-30)"
    )


def test_a_final_assessment_inside_the_plan_period_is_titled_a_checkpoint(
    database: Path, tmp_path: Path
):
    """The plan runs 2016–2025: a final assessment as of 2021-06-30 closes the stage of
    2020 (the year just ended; the plan names no checkpoint review), not the plan."""
    zh = render(database, tmp_path / "zh", kind="final")
    document = Document(str(zh["docx"]))
    assert document.core_properties.title == "测试区科普规划2020年阶段评估报告"
    paragraphs = [p.text for p in document.paragraphs]
    assert "2020年阶段评估报告" in paragraphs
    assert "报告类型：2020年阶段评估" in paragraphs
    en = render(database, tmp_path / "en", kind="final", lang="en")
    assert "Report: 2020 checkpoint assessment" in texts(en["docx"])


def test_english_report_names_departments_in_english(database: Path, tmp_path: Path):
    en = render(database, tmp_path, plan_id=MEASURES_PLAN, lang="en")
    (overview,) = tables(en["docx"], ["No.", "Task", "Kind", "Lead departments", "Verdict"])
    assert [row[3] for row in overview] == [
        "City Association for Science and Technology",
        "City Science and Technology Bureau",
    ]
    paragraphs = texts(en["docx"])
    assert not [p for p in paragraphs if "市科" in p]


@pytest.mark.parametrize(
    ("kind", "lang", "text"),
    [("gap", "zh", "差距缩小"), ("gap", "en", "gap narrows"),
     ("dispersion", "zh", "区域差异缩小"), ("growth", "zh", "逐年增长"),
     ("growth", "en", "grows every year"), ("level", "zh", "<0百分点")],
)  # fmt: skip
def test_a_zero_threshold_reads_as_narrowing_or_growth(kind: str, lang: str, text: str):
    """'<0百分点' on a gap is the plan's 'narrows'; '>0%' on growth its 'every year'."""
    target = SimpleNamespace(
        target_kind=kind, target_value=0.0, target_label_zh="<0百分点", target_label_en=None
    )
    assert words(lang).target_label(target) == text


def test_a_kind_outside_the_assessment_kinds_is_refused(database: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="kind must be one of monitoring, midterm, final"):
        render(database, tmp_path, kind="checkpoint")


# Ideographs, CJK symbols and punctuation, kana, fullwidth forms.
CJK = re.compile("[\u2e80-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_the_report_package_spells_no_chinese_in_its_source():
    """Every word of a report comes from vocabulary/labels.csv. The one literal allowed is
    the registry's list separator, a data format the marts use (names joined by '；')."""
    found = []
    for path in sorted(Path(report.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if (path.name, node.value) == ("data_rows.py", report_data.REGISTRY_LIST_SEPARATOR):
                continue
            if CJK.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def words(lang: str) -> Context:
    """A report context for wording alone (no data)."""
    return Context(None, lang, "final", AS_OF, VINTAGE)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [(30.0, "30"), (23.41, "23.4"), (0.3412, "0.341"), (0.3, "0.3"), (1.5, "1.5"),
     (123.456, "123"), (0.05, "0.05"), (0.000001, "1e-6"), (0.0, "0")],
)  # fmt: skip
def test_rule_numbers_read_as_written(value: float, text: str):
    assert measure_number(value) == text


def test_an_annual_target_s_years_are_its_observations_in_the_period(tmp_path: Path):
    """Per-year outcomes are is_met of the target's fct_target_observation rows in the plan
    period with a value: 2015 lies before the period and is not counted."""
    days = f"{PLAN}.days"
    annual = {
        **EVENTS_PROGRESS,
        "target_progress_id": f"{days}|{AS_OF}",
        "target_id": days,
        "indicator_code": "science_days",
        "indicator_name_zh": "科普日活动次数",
        "indicator_name_en": "Science Day events",
        "target_kind": "annual",
        "target_value": 4.0,
        "target_label_zh": "每年≥4次",
        "target_label_en": "≥4 a year",
        "progress_method": "years_met",
        "latest_value": 5.0,
        "elapsed_share": None,
        "expected_to_date": None,
        "years_assessed": 3,
        "years_met": 2,
        "progress_ratio": 2 / 3,
        "is_met": True,
        "progress_status": "accelerate",
    }
    values = [value("science_days", y, v) for y, v in [(2015, 6), (2016, 3), (2018, 5), (2020, 5)]]
    observations = [
        observation(days, values[0], met=True, in_period=False),
        observation(days, values[1], met=False),
        observation(days, values[2], met=True),
        observation(days, values[3], met=True, latest=True),
    ]
    database = build_database(
        tmp_path / "annual.duckdb", progress=(annual,), values=values, observations=observations
    )
    (days_components,) = components(render(database, tmp_path / "zh")["docx"])
    assert days_components["评估年数"] == "3"
    assert days_components["达标年数"] == "2"
    assert days_components["R"] == "2 / 3 = 0.667"
    assert days_components["逐年情况"] == "2016 未达标；2018 达标；2020 达标"
    assert days_components["判定结果"] == "0.60 ≤ R = 0.667 < 0.95 → 需加快进度"


def test_literacy_gaps_stop_at_the_last_year_the_judgement_used(tmp_path: Path):
    """The target's observations end in 2018: the 2018 wave's gaps, not 2020's. A value
    shown with a flag says why in the flag column."""
    reviewed = value(
        "literacy_ratio", 2018, 11.0, se=0.9, ci=(9.3, 12.9), n=1200, flag="review",
        reason="df_below_8", measured=(6.0, 8.0),
    )  # fmt: skip
    observations = [observation(LITERACY, reviewed, met=False, latest=True)]
    database = build_database(
        tmp_path / "2018.duckdb",
        progress=(LITERACY_PROGRESS,),
        values=[reviewed],
        observations=observations,
    )
    zh = render(database, tmp_path / "zh")
    paragraphs = texts(zh["docx"])
    assert "分组差距（2018年及以前的最新调查）" in paragraphs
    (gaps,) = tables(zh["docx"], ["序列", "调查批次", "差距（百分点）", "95%置信区间", "质量标记"])
    assert gaps == [["男性 − 女性", "t-2018（2018）", "2.50", "[0.50, 4.50]", "正常"]]
    (values,) = tables(zh["docx"], ["年份", "数值（%）", "95%置信区间", "样本量 n", "质量标记"])
    assert values == [["2018", "11.00", "[9.30, 12.90]", "1200", "待复核：自由度为 6，少于 8"]]


def test_a_literacy_target_without_observations_has_no_gaps(tmp_path: Path):
    database = build_database(
        tmp_path / "none.duckdb", progress=(LITERACY_PROGRESS,), observations=[]
    )
    paragraphs = texts(render(database, tmp_path / "zh")["docx"])
    assert "截至评估日，该指标在本地区没有数值。" in paragraphs
    assert "群体差距（百分点）" in paragraphs
    assert "截至评估日无分组差距估计。" in paragraphs


def test_a_suppressed_gap_shows_a_dash_and_its_reason():
    reason = Reason("quality_reason", "group_suppressed")
    gap = Gap("sex", "t-2020", 2020, 0.2, 0.1, 0.3, "suppress", reason)
    assert gap_rows(words("en"), (gap,)) == [
        ["men − women", "t-2020 (2020)", "— (suppressed: a group estimate is suppressed)", "—",
         "suppressed"]
    ]  # fmt: skip


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


def test_achievements_problems_and_suggestions_are_drafted_from_the_marts(zh: dict[str, Path]):
    """Events achieved; literacy 10 → 13 (+30.0%) but must accelerate; the 2020 wave's
    urban − rural (6.20 [3.00, 9.40]) and men − women (3.10 [1.20, 5.00]) gaps lie above 0;
    甲街道's upper bound 11.0% is below the district's 13.0%, 乙镇's 16.0% is not."""
    assert section(zh["docx"], "四、主要成效") == [
        "1. 1 项量化目标已达成：科普活动场次（310 场次，目标 ≥300场次）。",
        "2. 公民具备科学素质的比例由2015年的 10.00% 提高到2020年的 13.00%（+30.0%）。",
        DRAFTED_ZH,
    ]
    assert section(zh["docx"], "五、存在问题") == [
        "1. 公民具备科学素质的比例需加快进度：0.60 ≤ R = 0.751 < 0.95。",
        "2. t-2020调查中，城镇 − 农村的科学素质比例差距为 6.20 个百分点"
        "（95%置信区间 [3.00, 9.40]），差距在统计上显著。",
        "3. t-2020调查中，男性 − 女性的科学素质比例差距为 3.10 个百分点"
        "（95%置信区间 [1.20, 5.00]），差距在统计上显著。",
        "4. t-2020调查中，以下地区的科学素质比例低于本地区整体水平（13.00%）：甲街道 8.00%。",
        DRAFTED_ZH,
    ]
    suggestions = section(zh["docx"], "六、下一步工作建议")
    assert suggestions[0].startswith("1. 公民具备科学素质的比例需加快进度，建议按剩余年限分解任务")
    assert suggestions[2] == "3. 建议加强对甲街道的科普资源投入和工作指导。"
    assert [p for p in suggestions if p][-1] == DRAFTED_ZH


def test_a_final_verdict_states_value_target_gap_and_share(tmp_path: Path):
    """Past its due year 2020 the running total 280 misses ≥300: short by 20, 280/300 =
    93.3% achieved; the annex writes the same numbers as the components, without bands."""
    final = {
        **EVENTS_PROGRESS,
        "verdict_stage": "final",
        "verdict_rule": "final_comparison",
        "target_year": 2020,
        "period_end": 2020,
        "latest_value": 280.0,
        "elapsed_share": 1.0,
        "expected_to_date": 300.0,
        "progress_ratio": 280 / 300,
        "is_met": False,
        "final_year": 2020,
        "final_value": 280.0,
        "gap_to_target": 20.0,
        "share_achieved": 280 / 300,
        "progress_status": "not_achieved",
        "status_reason": "shortfall",
    }
    totals = [(2016, 50), (2017, 120), (2018, 180), (2019, 230), (2020, 280)]
    values = [value("science_events", y, t, group="cumulative") for y, t in totals]
    observations = [observation(EVENTS, row, met=False, latest=row[2] == 2020) for row in values]
    database = build_database(
        tmp_path / "final.duckdb", progress=(final,), values=values, observations=observations
    )
    zh = render(database, tmp_path / "zh", kind="final")
    body = section(zh["docx"], "二、目标完成情况")
    assert body[1:5] == [
        "评估结论：未达成",
        "最新值：280 场次（2020年）",
        "2020年数值 280 场次，目标 ≥300场次，差额 20，完成目标的 93.3%。",
        "判定依据：目标期已过，最终值未达到目标：差 20。",
    ]
    (events,) = components(zh["docx"])
    assert events["与目标差额"] == "300 − 280 = 20"
    assert events["完成比例"] == "280 / 300 = 93.3%"
    assert events["判定结果"] == "目标期已过，最终值未达到目标：差 20 → 未达成"
    assert "判定阈值" not in events
    problems = section(zh["docx"], "五、存在问题")
    assert (
        problems[0]
        == "1. 科普活动场次未达成：2020年 280 场次，目标 ≥300场次，差 20（完成 93.3%）。"
    )
