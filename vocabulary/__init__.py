"""Every word a user reads, in Chinese and English, and the codes the marts emit.

Two files, each the only place of its kind:

- `vocabulary/labels.csv` (key, zh, en): every label, heading, status word, unit and
  sentence template that the dashboard, the Word report and the Excel report show. A key
  is `<namespace>.<code>` for a code a mart emits (`progress_status.achieved`) and
  `<surface>.<name>` for everything else (`col.target`, `annex.nchs`). `{field}`
  placeholders are filled from the numbers the marts store beside each code.
- `dbt_project/seeds/codes.csv` (namespace, code, sort_order, colour): the enumerations.
  dbt loads it as a seed, so the models' tests check every emitted code against it, and
  the command line, the Dagster partitions and the pages take their choices from it.

A test holds the two together: every code has a label in both languages.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LABELS_FILE = Path(__file__).with_name("labels.csv")
CODES_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "codes.csv"
# A whole number of four or more digits in a registry label (≥30000人次): written with
# thousands separators, as every other number a reader sees.
LONG_NUMBER = re.compile(r"(?<![\d.,])\d{4,}(?![\d.])")


@dataclass(frozen=True)
class Code:
    namespace: str
    code: str
    sort_order: int
    colour: str | None


@cache
def labels() -> dict[str, tuple[str, str]]:
    """key → (zh, en)."""
    with LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: (row["zh"], row["en"]) for row in csv.DictReader(handle)}


@cache
def _codes() -> dict[str, tuple[Code, ...]]:
    by_namespace: dict[str, list[Code]] = {}
    with CODES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            colour = row["colour"] or None
            code = Code(row["namespace"], row["code"], int(row["sort_order"]), colour)
            by_namespace.setdefault(code.namespace, []).append(code)
    return {ns: tuple(sorted(v, key=lambda c: c.sort_order)) for ns, v in by_namespace.items()}


def namespaces() -> tuple[str, ...]:
    return tuple(_codes())


def codes(namespace: str) -> tuple[str, ...]:
    """The codes of one enumeration in their display order."""
    return tuple(c.code for c in _codes()[namespace])


def colour(namespace: str, code: str) -> str | None:
    """The hex colour (without '#') a code is shown in, where it has one."""
    return next((c.colour for c in _codes()[namespace] if c.code == code), None)


def has(key: str) -> bool:
    return key in labels()


def text(key: str, lang: str, **fields: object) -> str:
    """The label `key` in `lang`, with `{field}` placeholders filled."""
    zh, en = labels()[key]
    chosen = zh if lang == "zh" else en
    return chosen.format(**fields) if fields else chosen


def code_text(namespace: str, code: str, lang: str, **fields: object) -> str:
    """The word for a code. A code without a label is shown as itself: registry data may
    grow before the vocabulary does, and a raw code beats a broken page (a test keeps the
    codes the marts emit covered)."""
    key = f"{namespace}.{code}"
    return text(key, lang, **fields) if has(key) else str(code)


def listing(items: Iterable[object], lang: str) -> str:
    """Items as a list in running text: 甲、乙 in Chinese, a, b in English; — if none."""
    return text("list.separator", lang).join(str(item) for item in items) or "—"


def goal_name(name: str, gap_group_a: object, gap_group_b: object, lang: str) -> str:
    """A target's indicator name; a gap target's with its pair of groups (fct_plan_target
    gap_group_a, gap_group_b), so two gaps of one indicator (Ouhai's sex and occupation
    gaps) read apart."""
    if not isinstance(gap_group_a, str) or not isinstance(gap_group_b, str):
        return name
    a, b = (code_text("group", group, lang) for group in (gap_group_a, gap_group_b))
    return text("goal.gap_pair", lang, name=name, a=a, b=b)


def target_label(target_kind: object, target_value: object, label: str, lang: str) -> str:
    """A target as its plan states it, from fct_plan_target's columns (`label` its
    target_label in `lang`): a zero threshold of a kind with words of its own reads as
    them (a gap or dispersion below 0 narrows, a growth above 0% grows every year:
    `target_label.<kind>`); any other target as its label (≥18%), large numbers with
    separators. The reports and the dashboard both call this."""
    key = f"target_label.{target_kind}"
    if target_value == 0 and has(key):
        return text(key, lang)
    return LONG_NUMBER.sub(lambda number: f"{int(number.group()):,}", label or "")


# Reasons are words too; their module needs `has` and `text` above.
from vocabulary.reasons import (  # noqa: E402
    PERCENT_FAMILIES,
    POINTS_FAMILIES,
    Reason,
    difference_in_points,
    difference_text,
    reason_from_row,
    reason_text,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "PERCENT_FAMILIES",
    "POINTS_FAMILIES",
    "Code",
    "Reason",
    "code_text",
    "codes",
    "colour",
    "difference_in_points",
    "difference_text",
    "goal_name",
    "has",
    "labels",
    "listing",
    "namespaces",
    "reason_from_row",
    "reason_text",
    "target_label",
    "text",
]
