"""What can be wrong with a file, as codes and fields; words only when shown.

A problem is a row: where (file, sheet, row, cell, column header), the value found, a
`code` saying what is wrong (`not_number`, `workbook_encrypted` …), an `expected` code
saying what was expected (`region_code`, `number` …) and `fields`, the numbers and names
both sentences need (bounds, units, the plan period …) as JSON. That is what the loader
stores in `raw.load_errors` and what every surface (the command line, the Dagster run,
the upload page) renders, in Chinese or English, through `vocabulary/labels.csv`:
`ingest.error.<code>`, `ingest.expect.<expected>` and the `ingest.where_*` locations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pandas as pd

import vocabulary

PROBLEM_COLUMNS = ["file", "sheet", "row", "cell", "column", "value", "code", "expected", "fields"]
# Problems that concern one data row: with --accept-valid-rows the row is left out and
# the rest of the file may land. Every other problem refuses the whole file.
ROW_CODES = frozenset(
    {
        "required",
        "not_number",
        "not_finite",
        "not_whole",
        "out_of_range",
        "pattern",
        "not_choice",
        "not_bool",
        "not_date",
        "formula_no_value",
        "cell_error",
        "duplicate_key",
        "unknown_reference",
        "unit_other_year",
        "after_received",
        "outside_plan",
        "before_baseline",
        "period_reversed",
        "exit_before_entry",
        "outside_coverage",
    }
)


class Refusal(Exception):
    """A file (or a sheet) that cannot be read at all: one located problem."""

    def __init__(self, code: str, expected: str, sheet: str | None = None, **fields: object):
        super().__init__(code)
        self.code, self.expected, self.sheet, self.fields = code, expected, sheet, fields

    def problem(self, file: str) -> dict:
        return problem(file, self.code, self.expected, sheet=self.sheet, **self.fields)


def problem(
    file: str,
    code: str,
    expected: str,
    sheet: str | None = None,
    row: int | None = None,
    cell: str | None = None,
    column: str | None = None,
    value: object = None,
    **fields: object,
) -> dict:
    """One problem as a row of `PROBLEM_COLUMNS`."""
    return {
        "file": file,
        "sheet": sheet,
        "row": row,
        "cell": cell,
        "column": column,
        "value": None if value is None else str(value),
        "code": code,
        "expected": expected,
        "fields": json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str),
    }


def frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Problems as a frame with the standard columns (row as a nullable integer)."""
    found = pd.DataFrame(list(rows), columns=PROBLEM_COLUMNS)
    found["row"] = found["row"].astype("Int64")
    return found


def empty() -> pd.DataFrame:
    return frame([])


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the spreadsheet name of a 0-based column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _where(row: Mapping, lang: str) -> str:
    fields = {k: row[k] for k in ("file", "sheet", "row", "cell", "column")}
    if _missing(fields["sheet"]):
        return vocabulary.text("ingest.where_file", lang, **fields)
    if _missing(fields["row"]):
        return vocabulary.text("ingest.where_sheet", lang, **fields)
    if _missing(fields["column"]) or fields["column"] == "":
        return vocabulary.text("ingest.where_row", lang, **fields)
    if _missing(fields["cell"]):
        return vocabulary.text("ingest.where_column", lang, **fields)
    return vocabulary.text("ingest.where_cell", lang, **fields)


def _number(value: object) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    return f"{value:,.15g}" if abs(value) >= 1e6 else f"{value:.15g}"


def _range(fields: Mapping, lang: str) -> str:
    """' between 1949 and 2100', '，大于 0人 且不大于 …': the bounds a value must keep."""
    given = {k: fields.get(k) for k in ("minimum", "maximum", "above")}
    if given["above"] is not None:
        key = "above_at_most" if given["maximum"] is not None else "above"
    elif given["minimum"] is not None:
        key = "between" if given["maximum"] is not None else "at_least"
    elif given["maximum"] is not None:
        key = "at_most"
    else:
        return ""
    numbers = {k: "" if v is None else _number(v) for k, v in given.items()}
    unit = str(fields.get("unit", ""))
    return vocabulary.text(f"ingest.range.{key}", lang, unit=unit, **numbers).rstrip()


def expectation(expect: str, fields: Mapping, lang: str) -> str:
    """What a column expects (`ingest.expect.<expect>`), its bounds filled in."""
    text = {k: _number(_localised(v, lang)) for k, v in fields.items()}
    return vocabulary.text(f"ingest.expect.{expect}", lang, **text, range=_range(fields, lang))


def describe(row: Mapping, lang: str) -> str:
    """One problem as the sentence a statistician acts on: where, what, what was expected."""
    fields = json.loads(row["fields"]) if isinstance(row["fields"], str) else {}
    value = "" if _missing(row["value"]) else row["value"]
    text = {k: _localised(v, lang) for k, v in fields.items()}
    text = {k: _number(v) if k != "value" else v for k, v in text.items()}
    if "reason" in fields:
        text["reason"] = vocabulary.text(f"ingest.corrupt.{fields['reason']}", lang, **text)
    text |= {"value": value, "range": _range(fields, lang)}
    return vocabulary.text(
        "ingest.line",
        lang,
        where=_where(row, lang),
        problem=vocabulary.text(f"ingest.error.{row['code']}", lang, **text),
        expected=vocabulary.text(f"ingest.expect.{row['expected']}", lang, **text),
    )


def _localised(value: object, lang: str) -> object:
    """A field may carry both languages as {'zh': …, 'en': …} (a sheet kind's name)."""
    if isinstance(value, dict) and set(value) == set(vocabulary.LANGUAGES):
        return value[lang]
    if isinstance(value, list):
        return (
            "、".join(str(_localised(v, lang)) for v in value)
            if lang == "zh"
            else ", ".join(str(_localised(v, lang)) for v in value)
        )
    return value


def render(problems: pd.DataFrame, lang: str, limit: int | None = 20) -> list[str]:
    """The first `limit` problems as sentences, then how many more there are."""
    shown = problems if limit is None else problems.head(limit)
    lines = [describe(row, lang) for row in shown.to_dict("records")]
    if limit is not None and len(problems) > limit:
        lines.append(vocabulary.text("ingest.more_problems", lang, count=len(problems) - limit))
    return lines


def render_outcome(load: Mapping, lang: str, limit: int | None = 20) -> list[str]:
    """One file's outcome (`LoadOutcome.to_dict()`) as lines: the verdict, then each
    problem. The command line and the Dagster run print the same lines."""
    status, found = load["status"], frame(load.get("problems") or [])
    fields = {
        "file": load["file"],
        "load_id": load.get("load_id"),
        "rows": ", ".join(f"{table} {count}" for table, count in (load.get("rows") or {}).items()),
        "rejected": load.get("rows_rejected", 0),
        "count": load.get("problem_count", len(found)),
    }
    if status == "accepted":
        key = "partial" if fields["rejected"] else "accepted"
    elif status == "rejected" and not load.get("sha256"):
        key = "unreadable"
    else:
        key = status
    lines = [vocabulary.text(f"ingest.outcome.{key}", lang, **fields)]
    lines += ["    " + line for line in render(found, lang, limit)]
    hidden = fields["count"] - len(found)
    if hidden > 0 and (limit is None or len(found) <= limit):
        lines.append("    " + vocabulary.text("ingest.more_problems", lang, count=hidden))
    if status == "rejected" and len(found) and found["code"].isin(ROW_CODES).all():
        lines.append("    " + vocabulary.text("ingest.outcome.rows_hint", lang))
    return lines
