"""The words and numbers of a report: every label from the vocabulary, every number format.

Writers never spell a word: they ask the context for a label key or a code (`t`, `code`)
and for a formatted number (`num`, `pct`, ...). Reasons become words in one place,
`Context.reason`, whatever mart they came from; the progress bands in one place,
`band_ranges`, from the rows of dim_progress_band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import vocabulary
from orchestration.report.records import (
    Band,
    EvaluatorNote,
    Gap,
    Observation,
    PresentationRule,
    ReportData,
    Review,
    Target,
    YearOutcome,
)
from vocabulary import Reason

DASH = "—"
# Indicator families measured in percent, percentage points or money: their values are
# read to two decimals whatever they are. Others show whole numbers as whole numbers.
TWO_DECIMAL_FAMILIES = frozenset(
    {"survey_ratio", "survey_gap", "coverage", "funding_per_capita", "funding_total"}
)
# A literacy gap is in percentage points, like the survey_gap indicator.
GAP_FAMILY = "survey_gap"


@dataclass(frozen=True)
class Context:
    """One report being written: its data, language, kind and date, and its words."""

    data: ReportData
    lang: str
    kind: str
    as_of: date
    vintage_note: str

    def t(self, key: str, **fields: Any) -> str:
        return vocabulary.text(key, self.lang, **fields)

    def code(self, namespace: str, code: str) -> str:
        return vocabulary.code_text(namespace, code, self.lang)

    def name(self, record: Any, column: str) -> str:
        """A registry name (`<column>_zh` / `_en`) in the report's language, else Chinese."""
        return getattr(record, f"{column}_{self.lang}") or getattr(record, f"{column}_zh") or ""

    def target_label(self, target: Any) -> str:
        """The target as the plan states it, in the report's language
        (`vocabulary.target_label`, as on the dashboard)."""
        return vocabulary.target_label(
            getattr(target, "target_kind", None),
            getattr(target, "target_value", None),
            self.name(target, "target_label"),
            self.lang,
        )

    def goal_name(self, target: Any) -> str:
        """A target's indicator name in the report's language, a gap's with its pair."""
        return vocabulary.goal_name(
            self.name(target, "indicator_name"),
            getattr(target, "gap_group_a", None),
            getattr(target, "gap_group_b", None),
            self.lang,
        )

    def reason(self, reason: Reason | None) -> str:
        """A quality or status reason in the report's language, with the numbers the
        marts store beside it (`vocabulary.reasons`, as on the dashboard)."""
        return vocabulary.reason_text(reason, self.lang)

    def paren(self, text: object) -> str:
        return self.t("report.parenthesis", text=text)

    def status(self, code: str) -> str:
        return self.code("progress_status", code)

    def measure_status(self, code: str) -> str:
        return self.code("measure_status", code)

    def list_text(self, names: tuple[str, ...]) -> str:
        return self.t("list.separator").join(names) if names else self.t("value.none")

    def department(self, name_zh: str) -> str:
        """A department in the report's language: its English name where dim_department
        has one, else as registered."""
        if self.lang == "zh":
            return name_zh
        return self.data.department_names_en.get(name_zh, name_zh)

    def departments(self, names_zh: tuple[str, ...]) -> str:
        return self.list_text(tuple(self.department(n) for n in names_zh))

    def observations(self, target: Target) -> tuple[Observation, ...]:
        return self.data.observations.get(target.target_id, ())

    @property
    def title(self) -> str:
        return self.t(
            "report.title", plan=self.name(self.data.plan, "plan_name"), kind=self.kind_text
        )

    @property
    def kind_text(self) -> str:
        """The kind of assessment in words; a final assessment as of a date inside the
        plan's period is the stage assessment of its checkpoint year."""
        if self.is_checkpoint:
            return self.t("report.checkpoint_kind", year=self.checkpoint_year)
        return self.code("assessment_kind", self.kind)

    @property
    def is_checkpoint(self) -> bool:
        """A final assessment that closes a stage of a plan still running (Beijing
        2021–2035 as of 2026): the as-of date falls in or before its last year."""
        end = self.data.plan.period_end
        return self.kind == "final" and end is not None and self.as_of.year <= end

    @property
    def checkpoint_year(self) -> int:
        """The plan's latest checkpoint review before the as-of year, else the year just
        ended (a review of year Y is made early in Y + 1)."""
        years = [
            r.year
            for r in self.data.plan.reviews
            if r.kind == "checkpoint" and r.year < self.as_of.year
        ]
        return max(years, default=self.as_of.year - 1)

    @property
    def review_kind(self) -> str:
        """The review_kind code of this assessment, as evaluator notes name it."""
        return "checkpoint" if self.is_checkpoint else self.kind

    def notes(self, section: str) -> tuple[EvaluatorNote, ...]:
        """The evaluator's paragraphs of a report_section for this review, in order."""
        return tuple(
            n
            for n in self.data.notes
            if n.review_kind == self.review_kind and n.report_section == section
        )

    def note_text(self, note: EvaluatorNote) -> str:
        """A paragraph in the report's language, else in the other one the evaluator wrote."""
        own, other = (
            (note.note_text_zh, note.note_text_en)
            if self.lang == "zh"
            else (note.note_text_en, note.note_text_zh)
        )
        return own or other or ""


def fill(namespace: str, code: str) -> str:
    """The colour a status is shown in (codes.csv), as hex without '#'."""
    colour = vocabulary.colour(namespace, code)
    assert colour, f"codes.csv gives {namespace}.{code} no colour"
    return colour


def decimals(family: str | None, value: float) -> int:
    if family in TWO_DECIMAL_FAMILIES:
        return 2
    return 0 if float(value).is_integer() else 2


def num(value: float | None, family: str | None) -> str:
    """A value with thousands separators: 6,400; 17.60; 25,500."""
    return DASH if value is None else f"{value:,.{decimals(family, value)}f}"


def ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def pct(value: float | None, places: int = 1) -> str:
    return DASH if value is None else f"{value * 100:.{places}f}%"


def measure_number(value: float) -> str:
    """A rule's measure or threshold: whole numbers whole, others to three significant
    digits (n_eff 23.4, KG width 0.341, width/p 1.52), tiny ones as 1e-6."""
    if float(value).is_integer():
        return str(int(value))
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -3:
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.{max(0, 2 - magnitude)}f}".rstrip("0").rstrip(".")


def band_bound(value: float) -> str:
    """A band's bound as the annex and the components write it: 0.95, 0.60, 0."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def band_ranges(bands: tuple[Band, ...]) -> list[tuple[str, float | None, float | None]]:
    """(status, lower, upper) of each band of dim_progress_band, highest first: a band runs
    from its min_ratio up to the next higher band's; the band without a minimum takes
    every ratio below the others."""
    ranges = []
    upper = None
    for band in bands:
        ranges.append((band.progress_status, band.min_ratio, upper))
        if band.min_ratio is not None:
            upper = band.min_ratio
    return ranges


def range_key(lower: float | None, upper: float | None) -> str:
    """top (R ≥ lower), middle (lower ≤ R < upper) or bottom (R < upper)."""
    if upper is None:
        return "top"
    return "bottom" if lower is None else "middle"


def bands_text(ctx: Context) -> str:
    """'R ≥ 0.95: on track; 0.60 ≤ R < 0.95: must accelerate; ...' from the band rows."""
    parts = []
    for status, lower, upper in band_ranges(ctx.data.rules.bands):
        bounds = {}
        if lower is not None:
            bounds["lower"] = band_bound(lower)
        if upper is not None:
            bounds["upper"] = band_bound(upper)
        key = f"band.{range_key(lower, upper)}"
        parts.append(ctx.t(key, status=ctx.status(status), **bounds))
    return ctx.t("list.separator").join(parts)


def or_dash(value: int | None) -> str:
    return DASH if value is None else str(value)


def with_year(ctx: Context, value: str, year: int | None) -> str:
    if value == DASH or year is None:
        return value
    return ctx.t("value.with_year", value=value, year=year)


def unit_of(ctx: Context, target: Target) -> str:
    """The unit of the target's values in the report's language ('' without values)."""
    rows = ctx.observations(target)
    if not rows:
        return ""
    return getattr(rows[0], f"unit_{ctx.lang}") or rows[0].unit_zh or ""


def amount(ctx: Context, target: Target, value: float | None) -> str:
    """A value of the target's indicator with its unit as the vocabulary writes one
    (`format.quantity`: '6,400 person-times'), '%' always close: '17.60%'; a gap between
    shares in percentage points (`format.points`: '3.10 percentage points')."""
    shown, unit = num(value, target.indicator_family), unit_of(ctx, target)
    if shown != DASH and target.indicator_family in vocabulary.POINTS_FAMILIES:
        return ctx.t("format.points", value=shown)
    if shown == DASH or not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else ctx.t("format.quantity", value=shown, unit=unit)


def difference(ctx: Context, target: Target, value: float) -> str:
    """A difference of two of the target's values: '0.40 percentage points' between
    shares, gaps or dispersions (`vocabulary.difference_in_points`), else in the values'
    unit ('1,600 person-times'), as the status reason quotes it."""
    if vocabulary.difference_in_points(target.indicator_family):
        return ctx.t("format.points", value=num(value, target.indicator_family))
    return amount(ctx, target, value)


def latest_text(ctx: Context, target: Target) -> str:
    """The latest value and its year, or the dash and why it is withheld."""
    if target.latest_quality_flag == "suppress":
        reason = ctx.reason(target.latest_quality_reason)
        suppressed = ctx.t("value.suppressed", dash=DASH, reason=reason)
        return with_year(ctx, suppressed, target.latest_year)
    return with_year(ctx, amount(ctx, target, target.latest_value), target.latest_year)


def baseline_text(ctx: Context, target: Target) -> str:
    return with_year(ctx, amount(ctx, target, target.baseline_value), target.baseline_year)


def is_withheld(row: Observation) -> bool:
    return row.quality_flag == "suppress" or row.value is None


def value_cell_text(ctx: Context, target: Target, row: Observation) -> str:
    if is_withheld(row):
        reason = ctx.reason(row.quality_reason) or ctx.code("quality_flag", "suppress")
        return ctx.t("value.suppressed", dash=DASH, reason=reason)
    return num(row.value, target.indicator_family)


def flag_text(ctx: Context, flag: str, reason: Reason | None) -> str:
    """A quality flag in words; a value shown with a flag (flag, review) says why."""
    word = ctx.code("quality_flag", flag)
    if flag == "suppress" or reason is None:
        return word
    return ctx.t("value.flag_reason", flag=word, reason=ctx.reason(reason))


def ci_text(lower: float | None, upper: float | None, family: str | None) -> str:
    if lower is None or upper is None:
        return DASH
    return f"[{num(lower, family)}, {num(upper, family)}]"


def review_points_text(ctx: Context, reviews: tuple[Review, ...]) -> str:
    """'2023 mid-term review; 2025 final review' from dim_plan_review; a plan whose
    document names none is monitored every year."""
    if not reviews:
        return ctx.t("cover.review_yearly")
    words = [f"{r.year} {ctx.code('review_kind', r.kind)}" for r in reviews]
    return ctx.t("list.separator").join(words)


def period_text(start: int | None, end: int | None) -> str:
    return f"{start}–{end or ''}"


def years_detail_text(ctx: Context, outcomes: tuple[YearOutcome, ...]) -> str:
    if not outcomes:
        return DASH
    words = [f"{o.year} {ctx.code('year_outcome', o.outcome)}" for o in outcomes]
    return ctx.t("list.separator").join(words)


def gap_rows(ctx: Context, gaps: tuple[Gap, ...]) -> list[list[str]]:
    """Dimension, wave, gap and CI in percentage points, quality flag."""
    rows = []
    for gap in gaps:
        suppressed = gap.quality_flag == "suppress"
        if suppressed:
            reason = ctx.reason(gap.quality_reason) or ctx.code("quality_flag", "suppress")
            value = ctx.t("value.suppressed", dash=DASH, reason=reason)
        else:
            value = num(gap.gap * 100, GAP_FAMILY)
        ci = DASH
        if not suppressed and gap.ci_lower is not None and gap.ci_upper is not None:
            ci = ci_text(gap.ci_lower * 100, gap.ci_upper * 100, GAP_FAMILY)
        rows.append(
            [
                ctx.code("gap_dimension", gap.group_dimension),
                gap.wave_id + ctx.paren(gap.survey_year),
                value,
                ci,
                flag_text(ctx, gap.quality_flag, gap.quality_reason),
            ]
        )
    return rows


def presentation_rule_text(ctx: Context, rule: PresentationRule) -> str:
    """'3. effective sample size < 30 → suppressed', from one row of dim_presentation_rule."""
    condition = ctx.t(
        "annex.nchs_condition",
        measure=ctx.code("quality_measure", rule.measure),
        comparator=ctx.code("comparator", rule.comparator),
        threshold=measure_number(rule.threshold),
    )
    if rule.min_ci_width is not None:
        condition += ctx.t("annex.nchs_min_ci_width", width=measure_number(rule.min_ci_width))
    flag = ctx.code("quality_flag", rule.quality_flag)
    return ctx.t("annex.nchs_rule", order=rule.rule_order, condition=condition, flag=flag)


def annex_paragraphs(ctx: Context) -> list[str]:
    """The methods annex, its numbers from the rule marts the models read: ε and the
    default tolerance of "about" targets and the measures' overdue share from
    dim_progress_setting, the bands from dim_progress_band, the presentation rules row by
    row from dim_presentation_rule."""
    rules = ctx.data.rules
    settings = rules.settings
    statuses = {code: ctx.status(code) for code in vocabulary.codes("progress_status")}
    paragraphs = [
        ctx.t("annex.growth_ratio", epsilon=measure_number(settings["epsilon"])),
        ctx.t("annex.pro_rata"),
        ctx.t("annex.years_met"),
        ctx.t("annex.bands", thresholds=bands_text(ctx), **statuses),
        ctx.t(
            "annex.comparators",
            tolerance=measure_number(settings["approx_default_tolerance"]),
        ),
    ]
    if ctx.data.measures:
        share = pct(settings["measure_accelerate_max_overdue_share"], 0)
        paragraphs.append(ctx.t("annex.measure_completion", share=share, **statuses))
    paragraphs += [ctx.t("annex.survey"), ctx.t("annex.nchs")]
    paragraphs += [presentation_rule_text(ctx, rule) for rule in rules.presentation]
    paragraphs += [
        ctx.t("annex.nchs_otherwise", flag=ctx.code("quality_flag", "present")),
        ctx.t("annex.nchs_suppressed"),
    ]
    return paragraphs


def verdict_rule_paragraphs(ctx: Context) -> list[str]:
    """The rows of dim_verdict_rule for the kinds of target this plan has, each rule's
    sentence filled with the band bounds and the task threshold of the rule marts."""
    kinds = {t.target_kind for t in ctx.data.targets}
    kinds |= {"qualitative"} if ctx.data.tasks else set()
    rules = [r for r in ctx.data.rules.verdicts if r.target_kind in kinds]
    if not rules:
        return []
    lines = [ctx.t("annex.verdict_rules")]
    for rule in rules:
        lines.append(
            ctx.t(
                "annex.verdict_rule",
                kind=ctx.code("target_kind", rule.target_kind),
                stage=ctx.code("verdict_stage", rule.verdict_stage),
                rule=verdict_rule_text(ctx, rule.verdict_rule),
            )
        )
    return lines


def verdict_rule_text(ctx: Context, code: str) -> str:
    """A verdict_rule code's sentence with the band bounds and the task threshold of the
    rule marts (dim_progress_band, dim_progress_setting)."""
    bounds = {b.progress_status: b.min_ratio for b in ctx.data.rules.bands}
    share = ctx.data.rules.settings.get("measure_accelerate_max_overdue_share")
    return ctx.t(
        f"verdict_rule.{code}",
        on=band_bound(bounds["on_track"]),
        acc=band_bound(bounds["accelerate"]),
        share=pct(share, 0),
    )
