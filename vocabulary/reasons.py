"""Why a value is flagged or a status was given, in words: the one place a reason code
from a mart becomes a sentence, for the dashboard and the reports alike.

A mart stores a reason as a code (`quality_reason = ess_below_30`) and, beside it, the
numbers its sentence quotes: the value of the presentation rule's measure and the rule's
threshold (`quality_measure_value`, `quality_threshold`), the units of a register that did
not report and the register's size (`non_reporting_units`, `denominator_value` or
`units`). A shortfall quotes the gap to the target (`gap_to_target`) in its indicator's
unit: percentage points for a share (the row's `indicator_family`), else the registry's
unit (`unit_zh`, `unit_en`) where the row has it.
fct_target_progress carries the latest value's reason and numbers with the
prefix `latest_`; its `status_reason = latest_suppressed` quotes that reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vocabulary import has, text

# The mart columns that hold a reason, and the namespace of their codes.
REASON_NAMESPACES = {
    "quality_reason": "quality_reason",
    "latest_quality_reason": "quality_reason",
    "status_reason": "status_reason",
}
# indicator_family codes whose values are percentages: a difference of two is in
# percentage points (`difference_in_points`).
PERCENT_FAMILIES = ("survey_ratio", "coverage")
# indicator_family codes whose values are themselves percentage points (a gap between two
# groups' shares, a dispersion of shares): a value and a difference alike read in points.
POINTS_FAMILIES = ("survey_gap", "survey_dispersion", "coverage_dispersion")


def difference_in_points(family: str | None) -> bool:
    """Whether a difference of two values of an indicator of `family` is written in
    percentage points: between two shares, and between two gaps or dispersions, whose
    values are points already. Any other difference is in the indicator's own unit. The
    one rule the reasons, the reports and the dashboards write a difference by."""
    return family in (*PERCENT_FAMILIES, *POINTS_FAMILIES)


# Where the size of a register stands: fct_facility_coverage calls it units, the value
# marts denominator_value.
UNIT_COUNT_COLUMNS = ("units", "denominator_value")


@dataclass(frozen=True)
class Reason:
    """A reason code with the numbers its sentence quotes (and, for a status suppressed
    for its latest value, that value's own reason)."""

    namespace: str
    code: str
    numbers: tuple[tuple[str, float | int], ...] = ()
    quoted: Reason | None = None
    # the unit of a quoted gap by language; `in_points` a gap between two percentages
    gap_units: tuple[tuple[str, str], ...] = ()
    in_points: bool = False


def reason_from_row(row: Mapping[str, Any], column: str) -> Reason | None:
    """The reason in `row[column]` with its numbers from the same row; None if no reason."""
    code = row.get(column)
    if _missing(code):
        return None
    if column == "status_reason":
        quoted = reason_from_row(row, "latest_quality_reason")
        gap = _number(row.get("gap_to_target"))
        numbers = (("gap", gap),) if gap is not None else ()
        units = tuple(
            (lang, str(row[f"unit_{lang}"]))
            for lang in ("zh", "en")
            if not _missing(row.get(f"unit_{lang}"))
        )
        in_points = difference_in_points(row.get("indicator_family"))
        return Reason("status_reason", str(code), numbers, quoted, units, in_points)
    prefix = "latest_" if column.startswith("latest_") else ""
    numbers: dict[str, float | int] = {}
    for name, source in (("value", "quality_measure_value"), ("threshold", "quality_threshold")):
        number = _number(row.get(prefix + source))
        if number is not None:
            numbers[name] = number
            numbers[f"{name}_percent"] = number * 100
    not_reporting = _number(row.get(prefix + "non_reporting_units"))
    units = next(
        (n for n in (_number(row.get(prefix + c)) for c in UNIT_COUNT_COLUMNS) if n is not None),
        None,
    )
    if not_reporting is not None and units is not None:
        numbers["n"], numbers["units"] = int(not_reporting), int(units)
    return Reason(REASON_NAMESPACES[column], str(code), tuple(numbers.items()))


def reason_text(reason: Reason | None, lang: str) -> str:
    """The reason's sentence in `lang` with its numbers; '' for no reason.

    A code without a label, or a sentence whose numbers the row did not have, reads as the
    code itself: better a code than a wrong or half-filled sentence."""
    if reason is None:
        return ""
    key = f"{reason.namespace}.{reason.code}"
    if not has(key):
        return reason.code
    fields: dict[str, object] = dict(reason.numbers)
    if "gap" in fields:
        fields["gap"] = difference_text(
            float(fields["gap"]), reason.in_points, dict(reason.gap_units), lang
        )
    if reason.quoted is not None:
        fields["reason"] = reason_text(reason.quoted, lang)
    try:
        # formatted even without fields, so a sentence missing its numbers fails here
        return text(key, lang).format(**fields)
    except (KeyError, IndexError, TypeError, ValueError):
        return reason.code


def difference_text(value: float, in_points: bool, units: Mapping[str, str], lang: str) -> str:
    """A difference of two values as readers expect it: '0.40个百分点' between two
    percentages, else '1,600人次' / '1,600 person-times' in the indicator's unit (`units` by
    language, Chinese where `lang`'s is missing); whole numbers whole, others to two
    decimals."""
    if in_points:
        return text("format.points", lang, value=f"{value:,.2f}")
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    unit = units.get(lang) or units.get("zh") or ""
    return text("format.quantity", lang, value=shown, unit=unit).strip()


def _number(value: object) -> float | None:
    if _missing(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas.NA compares to nothing
        return True
