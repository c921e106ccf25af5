"""The records an assessment report is written from: plain, frozen, typed.

They follow the marts: codes, not sentences, with the numbers a sentence quotes beside
them (`vocabulary.Reason`); one row per target, as-of date and year of fct_target_observation in
`Observation`; the rule marts (bands, settings, presentation rules) as rows, so the
methods annex is written from the rows the models use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from vocabulary import Reason


@dataclass(frozen=True)
class Review:
    year: int
    kind: str  # a review_kind code


@dataclass(frozen=True)
class Plan:
    plan_id: str
    plan_name_zh: str
    plan_name_en: str | None
    issuer_zh: str | None
    issuer_en: str | None
    region_code: str
    region_name_zh: str | None
    region_name_en: str | None
    period_start: int | None
    period_end: int | None
    target_count: int
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class YearOutcome:
    year: int
    outcome: str  # a year_outcome code: met | missed


@dataclass(frozen=True)
class Target:
    """One row of fct_target_progress (a quantitative target as of the date), typed."""

    target_id: str
    indicator_code: str
    indicator_name_zh: str
    indicator_name_en: str | None
    indicator_family: str | None
    target_kind: str
    gap_group_a: str | None  # a gap target: the pair of groups whose gap a − b must narrow
    gap_group_b: str | None
    comparator: str
    target_value: float | None
    target_value_upper: float | None
    tolerance: float | None
    is_target_on_value_scale: bool  # false: a growth rate, drawn on no chart of the values
    target_label_zh: str
    target_label_en: str | None
    direction: str | None
    verdict_stage: str  # forward (before or in the due year) | final (after it)
    progress_method: str
    verdict_rule: str
    baseline_year: int | None
    baseline_value: float | None
    latest_year: int | None
    latest_value: float | None
    latest_quality_flag: str | None
    latest_quality_reason: Reason | None
    latest_ci_lower: float | None
    latest_ci_upper: float | None
    is_target_inside_ci: bool | None
    target_year: int | None
    period_start: int | None
    period_end: int | None
    cagr_observed: float | None
    cagr_required: float | None
    progress_ratio: float | None
    share_of_way: float | None
    elapsed_share: float | None
    expected_to_date: float | None
    years_assessed: int | None
    years_met: int | None
    year_outcomes: tuple[YearOutcome, ...]
    change_value: float | None  # a gap target: latest − baseline gap
    change_standard_error: float | None
    change_ci_lower: float | None
    change_ci_upper: float | None
    final_year: int | None
    final_value: float | None
    gap_to_target: float | None  # > 0: short of the target by this much
    share_achieved: float | None
    progress_status: str
    status_reason: Reason | None
    lead_departments: tuple[str, ...]
    cooperating_departments: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    """A task, measure or safeguard of the plan (a qualitative row of fct_target_progress)
    with its units' latest reports (fct_measure_status), lead unit first."""

    target_id: str
    task_kind: str
    target_label_zh: str
    target_label_en: str | None
    target_year: int | None
    verdict_stage: str
    progress_status: str
    status_reason: Reason | None
    measure_unit_pairs: int
    completed_pairs: int
    overdue_pairs: int
    not_reported_pairs: int
    share_achieved: float | None
    lead_departments: tuple[str, ...]
    cooperating_departments: tuple[str, ...]
    units: tuple[MeasureUnit, ...]


@dataclass(frozen=True)
class StatusCount:
    """A row of fct_plan_status_count: how many goals of a group have a status."""

    goal_group: str  # target | task | safeguard
    progress_status: str
    goal_count: int
    unit_pairs: int | None
    completed_pairs: int | None


@dataclass(frozen=True)
class VerdictRule:
    """A row of dim_verdict_rule: the rule that judges a kind of target at a stage."""

    target_kind: str
    verdict_stage: str
    progress_method: str
    verdict_rule: str


@dataclass(frozen=True)
class LaggingRegion:
    """A child region of the plan's region whose latest literacy estimate lies below the
    region's own (fct_literacy_estimate, the same wave)."""

    region_name_zh: str
    region_name_en: str | None
    wave_id: str
    survey_year: int
    estimate: float  # a proportion
    region_estimate: float


@dataclass(frozen=True)
class Observation:
    """One year of a target's series that its status may use: a row of
    fct_target_observation."""

    year: int
    series: str  # total | cumulative
    value: float | None
    unit_zh: str | None
    unit_en: str | None
    standard_error: float | None
    ci_lower: float | None
    ci_upper: float | None
    sample_size: int | None
    quality_flag: str
    quality_reason: Reason | None
    is_in_period: bool
    is_met: bool | None  # null without a value
    is_latest: bool  # the value the status was judged on


@dataclass(frozen=True)
class Gap:
    group_dimension: str
    wave_id: str
    survey_year: int
    gap: float  # a difference of proportions, not yet in percentage points
    ci_lower: float | None
    ci_upper: float | None
    quality_flag: str
    quality_reason: Reason | None


@dataclass(frozen=True)
class LiteracyGaps:
    """The latest gaps of a literacy target's region up to the last year of its
    observations (the years its judgement used)."""

    up_to_year: int
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class MeasureUnit:
    """A measure × responsible unit pair with its latest report (unit None: no units)."""

    measure_id: str
    measure_no: int
    title_zh: str
    title_en: str | None
    department_name_zh: str | None
    measure_status: str
    reporting_period: str | None
    reported_on: date | None
    evidence: str | None
    document_ref: str | None


@dataclass(frozen=True)
class Load:
    load_id: int
    file_name: str
    file_sha256: str
    sheet_name: str | None
    table_name: str
    rows_accepted: int
    is_synthetic: bool


@dataclass(frozen=True)
class Findings:
    """What sections 4–6 are drafted from beyond the targets and tasks: the plan region's
    significant literacy gaps in its latest wave and its lagging child regions."""

    gaps: tuple[Gap, ...]
    lagging_regions: tuple[LaggingRegion, ...]


@dataclass(frozen=True)
class ProgressTable:
    """fct_target_progress as stored, every column, for the sheet that lets an evaluator
    recompute each status."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Band:
    """A row of dim_progress_band: the status a progress ratio R gets from min_ratio on
    (the band without a minimum takes every ratio below the others)."""

    progress_status: str
    min_ratio: float | None


@dataclass(frozen=True)
class PresentationRule:
    """A row of dim_presentation_rule (NCHS 2017): `measure comparator threshold` gives
    the flag and the reason, only where the Korn–Graubard width exceeds min_ci_width."""

    rule_order: int
    quality_reason: str
    measure: str
    comparator: str
    threshold: float
    min_ci_width: float | None
    quality_flag: str


@dataclass(frozen=True)
class Rules:
    """The rule marts: progress bands by min_ratio (highest first), the progress settings
    (dim_progress_setting: setting code → value) and the presentation rules by order."""

    bands: tuple[Band, ...]
    settings: dict[str, float]
    presentation: tuple[PresentationRule, ...]
    verdicts: tuple[VerdictRule, ...]


@dataclass(frozen=True)
class EvaluatorNote:
    """One paragraph of the evaluator's own text for a section of the report
    (fct_evaluator_note)."""

    review_kind: str
    report_section: str
    note_order: int
    note_text_zh: str | None
    note_text_en: str | None
    author: str
    written_on: date


@dataclass(frozen=True)
class ReportData:
    plan: Plan
    targets: tuple[Target, ...]
    progress: ProgressTable
    observations: dict[str, tuple[Observation, ...]]
    literacy_gaps: dict[str, LiteracyGaps]
    measures: tuple[MeasureUnit, ...]
    tasks: tuple[Task, ...]
    status_counts: tuple[StatusCount, ...]
    findings: Findings
    loads: tuple[Load, ...]
    is_synthetic: bool
    rules: Rules
    notes: tuple[EvaluatorNote, ...] = ()
    # A department's English name by its Chinese one (dim_department), for the en report.
    department_names_en: dict[str, str] = field(default_factory=dict)
