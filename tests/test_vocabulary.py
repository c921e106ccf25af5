"""The vocabulary: every code has its words, and a mart's reason code reads as a sentence
with the numbers the mart stores beside it, the same for the dashboard and the reports."""

from __future__ import annotations

import pytest

import vocabulary

# A row holding every number a reason's sentence may quote.
FULL_ROW = {
    "quality_measure_value": 0.5,
    "quality_threshold": 0.3,
    "latest_quality_reason": "ess_below_30",
    "latest_quality_measure_value": 12.0,
    "latest_quality_threshold": 30.0,
    "non_reporting_units": 2,
    "denominator_value": 40.0,
    "gap_to_target": 100.0,
}


def words(row: dict, column: str, lang: str) -> str:
    return vocabulary.reason_text(vocabulary.reason_from_row(row, column), lang)


@pytest.mark.parametrize("namespace", vocabulary.namespaces())
def test_every_code_has_a_label_in_both_languages(namespace: str) -> None:
    missing = [c for c in vocabulary.codes(namespace) if not vocabulary.has(f"{namespace}.{c}")]
    assert missing == []


def test_every_label_has_both_languages() -> None:
    assert [k for k, (zh, en) in vocabulary.labels().items() if not zh or not en] == []


@pytest.mark.parametrize("lang", vocabulary.LANGUAGES)
@pytest.mark.parametrize("column", ["quality_reason", "status_reason"])
def test_every_reason_reads_as_a_sentence_with_its_numbers_filled(column: str, lang: str) -> None:
    for code in vocabulary.codes(column):
        text = words({**FULL_ROW, column: code}, column, lang)
        assert text != code and "{" not in text and "}" not in text, (code, text)


def test_a_difference_is_in_points_between_shares_gaps_and_dispersions_only() -> None:
    """DOMAIN.md: a change or shortfall of a share, and any gap or dispersion of shares, is
    in percentage points; money, counts and stocks keep their unit."""
    families = vocabulary.codes("indicator_family")
    in_points = {family for family in families if vocabulary.difference_in_points(family)}
    assert in_points == {
        "survey_ratio", "coverage", "survey_gap", "survey_dispersion", "coverage_dispersion"
    }  # fmt: skip
    assert {"funding_per_capita", "funding_total", "count", "stock"} <= set(families) - in_points


@pytest.mark.parametrize(
    ("row", "column", "zh", "en"),
    [
        (
            # Ouhai's 农函大 trainees: 6,400 of ≥ 6,500 (target − final value)
            {
                "status_reason": "shortfall",
                "gap_to_target": 6500 - 6400,
                "indicator_family": "count_cumulative",
                "unit_zh": "人次",
                "unit_en": "person-times",
            },
            "status_reason",
            "目标期已过，最终值未达到目标：差 100人次",
            "past the due year, the final value falls short of the target by 100 person-times",
        ),
        (
            # Ouhai's literacy: 17.5999 of ≥ 18%, short by 0.40 percentage points
            {
                "status_reason": "shortfall",
                "gap_to_target": 18 - 17.59988518446679,
                "indicator_family": "survey_ratio",
                "unit_zh": "%",
                "unit_en": "%",
            },
            "status_reason",
            "目标期已过，最终值未达到目标：差 0.40个百分点",
            "past the due year, the final value falls short of the target by "
            "0.40 percentage points",
        ),
        (
            # without its indicator's unit the gap is a bare number, to two decimals
            {"status_reason": "shortfall", "gap_to_target": 1.2345},
            "status_reason",
            "目标期已过，最终值未达到目标：差 1.23",
            "past the due year, the final value falls short of the target by 1.23",
        ),
        (
            {
                "quality_reason": "ess_below_30",
                "quality_measure_value": 23.4449,
                "quality_threshold": 30.0,
            },
            "quality_reason",
            "有效样本量 23.4，不足 30",
            "effective sample size 23.4, below 30",
        ),
        (
            {
                "quality_reason": "ci_width_30_or_more",
                "quality_measure_value": 0.34712,
                "quality_threshold": 0.3,
            },
            "quality_reason",
            "置信区间宽度 34.7 个百分点，达到或超过 30 个百分点",
            "confidence interval 34.7 percentage points wide, 30 or more",
        ),
        (
            {
                "quality_reason": "relative_ci_width_above_130",
                "quality_measure_value": 1.4537,
                "quality_threshold": 1.3,
            },
            "quality_reason",
            "置信区间宽度为估计值的 145.4%，超过 130%",
            "confidence interval width 145.4% of the estimate, above 130%",
        ),
        (
            {
                "quality_reason": "complement_ci_width_above_130",
                "quality_measure_value": 1.3021,
                "quality_threshold": 1.3,
            },
            "quality_reason",
            "置信区间宽度为（1 − 估计值）的 130.2%，超过 130%",
            "confidence interval width 130.2% of (1 − estimate), above 130%",
        ),
        (
            {"quality_reason": "df_below_8", "quality_measure_value": 5.0, "quality_threshold": 8},
            "quality_reason",
            "自由度为 5，少于 8",
            "degrees of freedom 5, fewer than 8",
        ),
        (
            {
                "quality_reason": "no_respondents",
                "quality_measure_value": 0,
                "quality_threshold": 1,
            },
            "quality_reason",
            "该组无受访者",
            "no respondents in this group",
        ),
        (
            # a coverage value of fct_indicator_value: units in the register are its denominator
            {
                "quality_reason": "units_not_reporting",
                "non_reporting_units": 3.0,
                "denominator_value": 41.0,
            },
            "quality_reason",
            "3 个单位（共 41 个）未报送，按未覆盖计",
            "3 of 41 units did not report (counted as not covered)",
        ),
        (
            {"quality_reason": "group_suppressed"},
            "quality_reason",
            "参与比较的群体估计值不宜发布",
            "a group estimate is suppressed",
        ),
        (
            {"status_reason": "period_not_started", "latest_quality_reason": None},
            "status_reason",
            "规划期尚未开始",
            "the plan period has not started",
        ),
        (
            # the latest value's reason, with the latest value's numbers
            {
                "status_reason": "latest_suppressed",
                "latest_quality_reason": "ess_below_30",
                "latest_quality_measure_value": 12.06,
                "latest_quality_threshold": 30.0,
            },
            "status_reason",
            "最新估计不宜发布：有效样本量 12.1，不足 30",
            "latest estimate suppressed: effective sample size 12.1, below 30",
        ),
        ({"quality_reason": None}, "quality_reason", "", ""),
        ({"quality_reason": float("nan")}, "quality_reason", "", ""),
        # A reason the vocabulary does not know yet is shown as the mart wrote it, and so is
        # one whose numbers the row lacks: a code beats a sentence with a wrong number.
        ({"quality_reason": "a_reason_not_yet_known"}, "quality_reason", None, None),
        ({"quality_reason": "ess_below_30"}, "quality_reason", None, None),
    ],
)
def test_a_mart_reason_reads_with_its_numbers_in_either_language(
    row: dict, column: str, zh: str | None, en: str | None
) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        assert words(row, column, lang) == (row[column] if expected is None else expected)
