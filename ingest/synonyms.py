"""The words users write for a code, in either language: `ingest/synonyms.csv`.

A choice column (a region's level, a funding source, a comparator …) accepts the codes of
one namespace of `dbt_project/seeds/codes.csv`. The file lists, per namespace, each code a
sheet or the command line may carry (the row whose word is the code itself), then the other
words people write for it ('省级', '财政拨款', '≥'). A code's own zh and en labels in
`vocabulary/labels.csv` (`<namespace>.<code>`) are accepted too, so a word shown on a page
or in a report reads back as its code. Words are compared after `normalise`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import vocabulary

SYNONYMS_FILE = Path(__file__).with_name("synonyms.csv")
MARKS = r"[\s*:：_]+"  # ignored when words are compared: '其中：科普专项经费', 'self_raised'


def normalise(text: object) -> str:
    """Header or choice text in a comparable form: NFKC, lower case, no spaces or marks."""
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(MARKS, "", value)


@cache
def _rows() -> dict[str, tuple[tuple[str, str], ...]]:
    """namespace → (word, code) in file order."""
    rows: dict[str, list[tuple[str, str]]] = {}
    with SYNONYMS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["namespace"], []).append((row["word"], row["code"]))
    return {namespace: tuple(pairs) for namespace, pairs in rows.items()}


def namespaces() -> tuple[str, ...]:
    return tuple(_rows())


def codes(namespace: str) -> tuple[str, ...]:
    """The codes `namespace` accepts as input, in file order."""
    return tuple(dict.fromkeys(code for _, code in _rows()[namespace]))


def _labels(namespace: str, code: str) -> tuple[str, ...]:
    key = f"{namespace}.{code}"
    return vocabulary.labels()[key] if vocabulary.has(key) else ()


@cache
def words(namespace: str, only: Sequence[str] = ()) -> Mapping[str, str]:
    """Normalised word → code, for the codes of `namespace` (those in `only`, if given):
    each code, its synonyms and its labels. One word naming two codes is an error."""
    accepted = tuple(only) or codes(namespace)
    unknown = set(accepted) - set(codes(namespace))
    assert not unknown, f"{namespace}: no synonyms for {sorted(unknown)}"
    pairs = [(w, c) for w, c in _rows()[namespace] if c in accepted]
    pairs += [(label, c) for c in accepted for label in _labels(namespace, c)]
    found: dict[str, str] = {}
    for word, code in pairs:
        key = normalise(word)
        if found.setdefault(key, code) != code:
            raise ValueError(f"{SYNONYMS_FILE.name}: '{word}' names both {found[key]} and {code}")
    return found


def code_of(namespace: str, word: str) -> str | None:
    """The code `word` names in `namespace`, or None."""
    return words(namespace).get(normalise(word))


def describe(namespace: str, only: Sequence[str] = ()) -> str:
    """What a user may write: 'province/prefecture/… (省/市/…)', each code with its first
    synonym (where it has one), for error messages and the templates' 说明 sheet."""
    accepted = tuple(only) or codes(namespace)
    first: dict[str, str] = {}
    for word, code in _rows()[namespace]:
        if word != code and code in accepted:
            first.setdefault(code, word)
    shown = "/".join(accepted)
    return f"{shown} ({'/'.join(first[c] for c in accepted if c in first)})" if first else shown
