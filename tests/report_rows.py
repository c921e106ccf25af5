"""The rows of the marts the report tests build by hand (see `tests.report_marts`):
one plan with a level target (the Open SDG worked example), a cumulative target and a
day-count target, and one plan of qualitative measures."""

from __future__ import annotations

from datetime import date

from ingest.home import REPO_ROOT

AS_OF = date(2021, 6, 30)

PLAN = "test-2016-2025"

MEASURES_PLAN = "test-measures-2022"

VINTAGE = "loads received by 2021-06-30"

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
    "is_target_on_value_scale": True,
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
    "target_label_en": "≥20%",
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
