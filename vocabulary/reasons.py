"""Why a value is flagged or a status was given, in words: the one place a reason code
from a mart becomes a sentence, for the dashboard and the reports alike.

A mart stores a reason as a code (`quality_reason = ess_below_30`) and, beside it, the
numbers its sentence quotes: the value of the presentation rule's measure and the rule's
threshold (`quality_measure_value`, `quality_threshold`), the units of a register that did
not report and the register's size (`non_reporting_units`, `denominator_value` or
`units`). A shortfall quotes the gap to the target (`gap_to_target`).
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


def reason_from_row(row: Mapping[str, Any], column: str) -> Reason | None:
    """The reason in `row[column]` with its numbers from the same row; None if no reason."""
    code = row.get(column)
    if _missing(code):
        return None
    if column == "status_reason":
        quoted = reason_from_row(row, "latest_quality_reason")
        gap = _number(row.get("gap_to_target"))
        # two decimals, as values are shown: 1,600 人次, 0.4 percentage points
        numbers = (("gap", round(gap, 2)),) if gap is not None else ()
        return Reason("status_reason", str(code), numbers, quoted=quoted)
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
    if reason.quoted is not None:
        fields["reason"] = reason_text(reason.quoted, lang)
    try:
        # formatted even without fields, so a sentence missing its numbers fails here
        return text(key, lang).format(**fields)
    except (KeyError, IndexError, TypeError, ValueError):
        return reason.code


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
