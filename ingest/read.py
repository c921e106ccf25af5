"""Turn one file into typed rows, one table per recognised sheet, and located problems.

The grid is read once (`ingest.container`); the sheet's kind, header row and units are
found in its first rows, in Python. The body then goes to DuckDB as text columns, and
typing, normalisation (full-width digits, thousands separators), ranges, patterns,
choices, rules between columns and duplicate keys are all checked there, set-wise, each
failing cell becoming a problem row (sheet, row, cell, column, value, code, expected).

Nothing here knows about the warehouse: the checks that need it (is this region code
registered? is this target year inside its plan?) live in `ingest.checks`.
"""

from __future__ import annotations

import gc
import json
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, cached_property, lru_cache
from itertools import islice, repeat
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest import problems
from ingest.container import Grid, is_blank, open_grids, peek_sheets
from ingest.problems import Refusal, column_letter, problem
from ingest.specs import ALL_SPECS, LIST_SEPARATORS, SQL_TYPES, Column, TableSpec
from ingest.synonyms import MARKS, normalise

HEADER_SCAN_ROWS = 15
ABOUT_SHEETS = {"about", "说明", "关于", "readme"}
TRUE_WORDS = {"是", "yes", "y", "true", "1", "√", "✓", "合成", "synthetic"}
FALSE_WORDS = {"否", "no", "n", "false", "0", ""}
UNIT_CELL = re.compile(r"^(?:计量)?单位|^units?\b", re.IGNORECASE)
# Full-width forms (Ａ–ｚ, ０–９, ，．－＋) and the ideographic space: what NFKC makes of them.
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + " "
BLANKS = " \t\r\n\u3000\u00a0"
ASCII_BLANKS = " \t\r\n"  # the ASCII ones among BLANKS
# translate() and trim(x, characters) are slow in DuckDB; most cells need neither, and a
# regular expression says which do.
HAS_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
HAS_EDGE_BLANK = "^[ \t\r\n\u3000\u00a0]|[ \t\r\n\u3000\u00a0]$"
NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NOT_FINITE = r"^[+-]?(inf|infinity|nan)$"
NUMERIC_KINDS = ("int", "count", "number")
NOT_REPORTED = "-"  # what a `count` cell holds when the item is not reported
NONE = type(None)
PLAIN_KINDS = frozenset((str, NONE))  # cells that are their own text
# A cell's kind by its exact type, as cell_text tests it (a subclass of float is other).
KIND_CODES = {str: 0, NONE: 0, float: 1}
OTHER_KIND = 2


def _literal(text: str) -> str:
    """`text` as a SQL string literal (only ever our own constants, never a cell)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class SheetResult:
    """One recognised sheet: its rows typed as stored (plus `source_row`), the answers
    of undeclared columns in long form, the rows read, and the problems found. The rows
    are Arrow, or, read for a load (`read_file`'s `hold`), a DuckDB table of the loading
    connection's database (`held`), made Arrow only if asked for (`table`)."""

    spec: TableSpec
    sheet: str
    rows_read: int
    rows: pa.Table | None
    errors: pd.DataFrame
    extra_rows: pa.Table | None = None
    # The text of every row that has a row-level problem, by column letter (JSON), so
    # that a row left out with --accept-valid-rows is kept in the audit as it was.
    rejected_cells: pa.Table | None = None
    extra_headers: tuple[str, ...] = ()
    held: str | None = None  # the table holding the rows (HOLDING database), if any
    held_extra: str | None = None  # the table holding the long-form answers, if any
    hold: duckdb.DuckDBPyConnection | None = None

    @cached_property
    def table(self) -> pa.Table:
        if self.rows is not None:
            return self.rows
        with _sheet_connection(self.hold) as con:
            return con.execute(f"select * from {self.held} order by source_row").to_arrow_table()

    @cached_property
    def extra_table(self) -> pa.Table | None:
        if self.extra_rows is not None or self.held_extra is None:
            return self.extra_rows
        with _sheet_connection(self.hold) as con:  # in the order held: by row, then header
            return con.execute(f"select * from {self.held_extra}").to_arrow_table()

    @cached_property
    def frame(self) -> pd.DataFrame:
        return self.table.to_pandas()

    @cached_property
    def extra(self) -> pd.DataFrame | None:
        return None if self.extra_table is None else self.extra_table.to_pandas()

    @property
    def column_names(self) -> list[str]:
        return ["source_row", *self.spec.stored_columns]

    def release(self) -> None:
        """Drop the tables holding the rows (once the file has landed, or waits)."""
        held = [name for name in (self.held, self.held_extra) if name is not None]
        if held:
            with _sheet_connection(self.hold) as con:
                for name in held:
                    con.execute(f"drop table if exists {name}")
        self.held = self.held_extra = None


@dataclass
class FileResult:
    path: Path
    name: str = ""
    sheets: list[SheetResult] = field(default_factory=list)
    errors: pd.DataFrame = field(default_factory=problems.empty)
    is_synthetic: bool = False
    received_on: date | None = None
    refused: bool = False  # the file could not be read at all

    def add_errors(self, errors: pd.DataFrame) -> None:
        if len(errors):
            self.errors = pd.concat([self.errors, errors], ignore_index=True)

    def release(self) -> None:
        for sheet in self.sheets:
            sheet.release()

    def take_about(self, rows: list[list[object]]) -> None:
        """What about rows say of the file (synthetic, received on), unless already said."""
        self.is_synthetic = self.is_synthetic or _about_is_synthetic(rows)
        self.received_on = self.received_on or _about_received_on(rows)


def header_parts(cell: object) -> list[tuple[str, str | None]]:
    """'金额(万元) / amount (10k yuan)' → [('金额', '万元'), ('amount', '10kyuan')]."""
    return list(_text_parts(str(cell)))


# Every sheet's first rows are matched against every spec: the same cells, many times.
@lru_cache(maxsize=4096)
def _text_parts(text: str) -> tuple[tuple[str, str | None], ...]:
    out = []
    for part in re.split(r"\s+/\s+|\||\n", text):
        unit = re.search(r"[(（]([^)）]*)[)）]", part)
        name = re.sub(r"[(（][^)）]*[)）]", "", part)
        out.append((normalise(name), normalise(unit.group(1)) if unit else None))
    return tuple(out)


@cache
def _normalised(headers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(normalise, headers))


def _match_header(
    row: list[object], spec: TableSpec
) -> tuple[dict[int, tuple[Column, str | None]], dict[str, list[int]]]:
    """Positions in `row` that carry one of the spec's headers (with any unit given), and
    every position of each column (two positions: the column is given twice)."""
    wanted = {name: c for c in spec.columns for name in _normalised(c.headers)}
    found: dict[int, tuple[Column, str | None]] = {}
    positions: dict[str, list[int]] = {}
    for position, cell in enumerate(row):
        if is_blank(cell):
            continue
        for name, unit in header_parts(cell):
            column = wanted.get(name)
            if column is not None:
                positions.setdefault(column.name, []).append(position)
                if len(positions[column.name]) == 1:
                    found[position] = (column, unit)
                break
    return found, positions


# The header row's index, its declared columns by position (with any unit given), and
# every position of each column.
Header = tuple[int, dict[int, tuple[Column, str | None]], dict[str, list[int]]]


def find_header(grid: list[list[object]], spec: TableSpec) -> Header | None:
    """The first row (within the first rows) that holds every required header of the spec."""
    required = {c.name for c in spec.columns if c.required}
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found, positions = _match_header(row, spec)
        names = set(positions)
        if required <= names and (not spec.one_of or names & set(spec.one_of)):
            return index, found, positions
    return None


def _unit_cell(grid: list[list[object]], header_index: int) -> tuple[str, str] | None:
    """A '单位：万元' / 'Unit: yuan' cell above the header row: (unit, cell reference)."""
    for row_index, row in enumerate(grid[:header_index]):
        for position, cell in enumerate(row):
            text = str(cell or "").strip()
            if UNIT_CELL.match(text):
                unit = normalise(re.split(r"[:：]", text, maxsplit=1)[-1])
                return unit, f"{column_letter(position)}{row_index + 1}"
    return None


def cell_text(value: object) -> str:
    """A cell as the text a statistician typed: whole numbers without '.0', dates ISO."""
    if value.__class__ is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def column_text(values: Sequence[object]) -> pa.Array:
    """`cell_text` of every cell of a column (None stays null), column-wise: strings pass
    through, floats are converted by numpy and Arrow, only other kinds cell by cell."""
    kinds = set(map(type, values))
    if kinds <= PLAIN_KINDS:
        return pa.array(values, type=pa.string())
    if kinds == {float}:
        return _float_texts(np.array(values, dtype=np.float64))
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    codes = np.fromiter(
        map(KIND_CODES.get, map(type, values), repeat(OTHER_KIND)), np.int8, len(values)
    )
    is_float = codes == KIND_CODES[float]
    if is_float.any():
        numbers = cells[is_float].astype(np.float64)
        cells[is_float] = _float_texts(numbers).to_numpy(zero_copy_only=False)
    other = codes == OTHER_KIND
    if other.any():
        cells[other] = list(map(cell_text, cells[other]))
    return pa.array(cells, type=pa.string())


def _float_texts(numbers: np.ndarray) -> pa.Array:
    """Whole numbers below 1e15 as integers ('-0.0' → '0'), all others as Python's repr.
    Arrow writes the same shortest digits as repr; where it writes them in plain notation
    (no exponent) and repr does too (1e-4 ≤ |x| < 1e15), its text is repr's. The rest
    (exponents, NaN, infinities: rare in a return) go through repr itself."""
    whole = (numbers == np.trunc(numbers)) & (np.abs(numbers) < 1e15)
    integers = pa.array(np.where(whole, numbers, 0).astype(np.int64)).cast(pa.string())
    if whole.all():  # counts, ages, scores: no decimal text to write (a third of the time)
        return integers
    decimals = pa.array(numbers).cast(pa.string())
    texts = pc.if_else(pa.array(whole), integers, decimals)
    plain = (np.abs(numbers) >= 1e-4) & (np.abs(numbers) < 1e15)
    exponent = pc.match_substring(decimals, "e").to_numpy(zero_copy_only=False)
    by_repr = ~whole & (~plain | exponent)
    if not by_repr.any():
        return texts
    shown = texts.to_numpy(zero_copy_only=False)
    shown[by_repr] = list(map(repr, numbers[by_repr].tolist()))
    return pa.array(shown, type=pa.string())


@dataclass(frozen=True)
class _Declared:
    """A declared column found in the sheet: where, under which header, in which unit."""

    column: Column
    position: int
    header: str
    factor: float


class _Sheet:
    """The SQL that types and checks one sheet's body, registered as `body` (text
    columns c<position>, and source_row) on a private DuckDB connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: TableSpec,
        declared: list[_Declared],
        extra: dict[int, str],
        received_on: date,
        plain: set[int] | None = None,
    ):
        self.con, self.spec, self.declared, self.extra = con, spec, declared, extra
        self.params = {"received": received_on}
        self.plain = plain or set()  # positions whose cells need no cleaning: `plain_columns`

    def cleaned_sql(self) -> str:
        """Trimmed text; full-width digits and signs made ASCII where the kind is not text.
        A cell that is already plain (a number as NUMBER reads it; a date or code without
        edge blanks or full-width forms) is its own text: one test instead of the steps,
        the cell's result the same. `k<position>` says a numeric cell is such a number. A
        plain column (`plain_columns`) is its own text throughout, empty cells aside."""
        numeric = self._numeric()
        plain = [
            f"regexp_full_match(c{d.position}, {_literal(NUMBER)}) as k{d.position}"
            for d in numeric
        ]
        parts = ["source_row", *[f"k{d.position}" for d in numeric]]
        for d in self.declared:
            c = f"c{d.position}"
            if d.position in self.plain:
                parts.append(f"nullif({c}, '') as t{d.position}")
                continue
            text = _trimmed(c)
            if d.column.kind in (*NUMERIC_KINDS, "date", "code"):
                text = (
                    f"(case when regexp_matches({text}, {_literal(HAS_FULL_WIDTH)}) then "
                    f"translate({text}, {_literal(FULL_WIDTH)}, {_literal(HALF_WIDTH)}) "
                    f"else {text} end)"
                )
            text = f"nullif({text}, '')"
            if d.column.kind in NUMERIC_KINDS:
                text = f"(case when k{d.position} then {c} else {text} end)"
            elif d.column.kind in ("date", "code"):
                dirty = _literal(f"{HAS_EDGE_BLANK}|{HAS_FULL_WIDTH}")
                text = (
                    f"(case when regexp_matches({c}, {dirty}) then {text} else nullif({c}, '') end)"
                )
            parts.append(f"{text} as t{d.position}")
        parts += [
            f"nullif({f'c{p}' if p in self.plain else _trimmed(f'c{p}')}, '') as t{p}"
            for p in self.extra
        ]
        filled = " or ".join(f"t{p} is not null" for p in self._positions()) or "false"
        columns = ", ".join(["*", *plain])
        return (
            f"select * from (select {', '.join(parts)} from (select {columns} from body)) "
            f"where {filled}"
        )

    def _positions(self) -> list[int]:
        return [d.position for d in self.declared] + list(self.extra)

    def _words(self, body: pa.Table) -> None:
        """choice and bool columns: each distinct text mapped to its code in Python (a
        few words per column), registered as `words` for a join."""
        rows = []
        for d in self.declared:
            if d.column.kind not in ("choice", "bool"):
                continue
            # the cleaned text (`cleaned_sql`: trimmed, empty as null) of each distinct
            # cell, the distinct cells by Arrow (1.5 ms for 200,000 cells; DuckDB 20 ms)
            cells = pc.unique(body[f"c{d.position}"]).drop_null().to_pylist()
            for text in sorted({cell.strip(BLANKS) for cell in cells} - {""}):
                rows.append((d.position, text, _word_code(d.column, text)))
        self.con.register(
            "words",
            pa.table(
                {
                    "position": pa.array([r[0] for r in rows], pa.int32()),
                    "word": pa.array([r[1] for r in rows], pa.string()),
                    "code": pa.array([r[2] for r in rows], pa.string()),
                }
            ),
        )

    def _typed_expression(self, d: _Declared) -> str:
        t, kind = f"t{d.position}", d.column.kind
        if kind in NUMERIC_KINDS:
            return f"try_cast({self._scaled(d)} as {SQL_TYPES[kind]})"
        if kind == "choice":
            return f"w{d.position}.code"
        if kind == "bool":
            return f"coalesce(w{d.position}.code = 'true', false)"
        if kind == "date":
            return f"cast({self._date(d)} as date)"
        if d.column.pattern is not None:  # a malformed code is no code: null, like a bad number
            return f"(case when regexp_full_match({t}, {_literal(d.column.pattern)}) then {t} end)"
        return t

    def _number(self, d: _Declared) -> str:
        """The cell as a DOUBLE as written (`u<position>`); NULL for text that is no
        number, `-` included. A plain number (`k<position>`) is cast as it is."""
        t = f"regexp_replace(t{d.position}, '[,，\\s]', '', 'g')"
        value = f"(case when regexp_full_match({t}, '{NUMBER}') then try_cast({t} as double) end)"
        return f"(case when k{d.position} then try_cast(t{d.position} as double) else {value} end)"

    def _scaled(self, d: _Declared) -> str:
        """The cell's number in the stored unit (`n<position>`)."""
        p = d.position
        return f"(u{p} * {float(d.factor)!r})" if d.factor != 1 else f"u{p}"

    def _unscaled(self, d: _Declared) -> str:
        """The cell's number as written, among the typed columns."""
        return f"u{d.position}" if d.factor != 1 else f"n{d.position}"

    def _date(self, d: _Declared) -> str:
        t = f"t{d.position}"
        text = f"replace(regexp_replace({t}, '[年月/.]', '-', 'g'), '日', '')"
        return f"try_strptime(split_part(split_part({text}, ' ', 1), 'T', 1), '%Y-%m-%d')"

    def typed_sql(self, body: pa.Table) -> str:
        self._words(body)
        columns = ["source_row", *[f"t{p}" for p in self._positions()]]
        joins = []
        for d in self.declared:
            if d.column.kind in NUMERIC_KINDS:
                columns.append(f"{self._scaled(d)} as n{d.position}")
                if d.factor != 1:
                    columns.append(f"u{d.position}")
            columns.append(f"{self._typed_expression(d)} as {d.column.name}")
            if d.column.kind == "bool":
                columns.append(f"w{d.position}.code as b{d.position}")
            if d.column.kind in ("choice", "bool"):
                joins.append(
                    f"left join words w{d.position} on w{d.position}.position = {d.position} "
                    f"and w{d.position}.word = cleaned.t{d.position}"
                )
        found = {d.column.name for d in self.declared}
        for column in self.spec.columns:
            if column.name not in found:
                columns.append(f"cast(null as {SQL_TYPES[column.kind]}) as {column.name}")
        numbers = [f"{self._number(d)} as u{d.position}" for d in self._numeric()]
        numbered = f"(select {', '.join(['*', *numbers])} from cleaned) as cleaned"
        return f"select {', '.join(columns)} from {numbered} {' '.join(joins)}"

    def _numeric(self) -> list[_Declared]:
        return [d for d in self.declared if d.column.kind in NUMERIC_KINDS]

    def _cell_checks(self, d: _Declared) -> list[tuple[str, str]]:
        """(condition, code) in order: the first that holds is the cell's problem."""
        c, t = d.column, f"t{d.position}"
        checks = []
        if c.required and c.kind != "bool":
            checks.append((f"{t} is null", "required"))
        if c.kind in NUMERIC_KINDS:
            raw = f"regexp_replace({t}, '[,，\\s]', '', 'g')"
            # inf or nan is text no number reads: tested only where the cell gave no number
            finite = f"regexp_full_match(lower({raw}), '{NOT_FINITE}')"
            checks.append((f"case when n{d.position} is null then {finite} end", "not_finite"))
            number = f"{t} is not null and n{d.position} is null"
            if c.kind == "count":
                number += f" and {t} <> {_literal(NOT_REPORTED)}"
            checks.append((number, "not_number"))
            checks.append((f"not isfinite(n{d.position})", "not_finite"))
            if c.kind == "int":
                checks.append((f"n{d.position} % 1 <> 0", "not_whole"))
            if c.kind == "count":  # whole as written: 1.5 万元 is refused, not taken as 15000 元
                checks.append((f"{self._unscaled(d)} % 1 <> 0", "not_whole"))
            bounds = [
                f"n{d.position} {op} {float(bound)!r}"
                for op, bound in (("<", c.minimum), (">", c.maximum), ("<=", c.above))
                if bound is not None
            ]
            if bounds:
                checks.append((" or ".join(bounds), "out_of_range"))
            if c.not_after_received:
                checks.append((f"n{d.position} > year($received)", "after_received"))
        elif c.kind == "choice":
            checks.append((f"{t} is not null and {c.name} is null", "not_choice"))
        elif c.kind == "bool":
            checks.append((f"{t} is not null and b{d.position} is null", "not_bool"))
        elif c.kind == "date":
            checks.append((f"{t} is not null and {c.name} is null", "not_date"))
            if c.not_after_received:
                checks.append((f"{c.name} > $received", "after_received"))
        elif c.pattern is not None:  # the typed code is null exactly where the pattern fails
            checks.append((f"{t} is not null and {c.name} is null", "pattern"))
        return checks

    def problems_sql(self) -> str:
        """One row per failing cell: position, source_row, value, code, per-row fields."""
        selects = []
        for d in self.declared:
            checks = self._cell_checks(d)
            if not checks:
                continue
            case = " ".join(f"when coalesce({cond}, false) then '{code}'" for cond, code in checks)
            selects.append(
                f"select {d.position} as position, source_row, t{d.position} as value, "
                f"case {case} end as code, '{{}}' as row_fields from typed"
            )
        named = {d.column.name: d for d in self.declared}
        for check in self.spec.row_checks:
            if check.column not in named:
                continue
            d = named[check.column]
            fields = ", ".join(
                f"'{key}', cast({column} as varchar)" for key, column in check.fields.items()
            )
            selects.append(
                f"select {d.position} as position, source_row, t{d.position} as value, "
                f"'{check.code}' as code, cast(json_object({fields}) as varchar) as row_fields "
                f"from typed where coalesce({check.bad}, false)"
            )
        if not selects:
            return (
                "select 0 as position, 0 as source_row, '' as value, '' as code, "
                "'' as row_fields where false"
            )
        union = " union all ".join(f"({s})" for s in selects)
        return f"select * from ({union}) where code is not null order by source_row, position"

    def stored_sql(self) -> str:
        stored = self.spec.stored_columns
        base = "typed"
        if self.spec.reshape:
            base = f"({self.spec.reshape('typed')})"
        casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in stored.items())
        return f"select source_row, {casts} from {base}"


def plain_columns(body: pa.Table, positions: Sequence[int]) -> set[int]:
    """The positions of `body` whose every cell is ASCII with no blank at either end. The
    cleaning steps change no such cell (full-width forms, the ideographic space and the
    no-break space are not ASCII), so the typing SQL leaves out their tests (~75 ns a cell
    in DuckDB; Arrow tells a column in ~15 ns a cell). The 200,000-respondent workbook of
    `kepu bench ingest` loaded in 4.73 s instead of 4.93 s; the national rebuild's load
    took 98.5 s instead of 107.5 s."""
    plain = set()
    for position in positions:
        column = body[f"c{position}"]
        if pc.all(pc.string_is_ascii(column)).as_py() is False:
            continue
        trimmed = pc.ascii_trim(column, ASCII_BLANKS)
        if pc.any(pc.not_equal(trimmed, column)).as_py():
            continue
        plain.add(position)
    return plain


def _trimmed(column: str) -> str:
    return (
        f"(case when regexp_matches({column}, {_literal(HAS_EDGE_BLANK)}) "
        f"then trim({column}, {_literal(BLANKS)}) else {column} end)"
    )


def _word_code(column: Column, text: str) -> str | None:
    if column.kind == "bool":
        word = normalise(text)
        return "true" if word in TRUE_WORDS else "false" if word in FALSE_WORDS else None
    typed = re.sub(MARKS, "", normalise(text))
    return column.choices.get(typed)


def _declared_columns(
    file: str,
    sheet: str,
    spec: TableSpec,
    grid: list[list[object]],
    header_index: int,
    found: dict[int, tuple[Column, str | None]],
    positions: dict[str, list[int]],
) -> tuple[list[_Declared], list[dict]]:
    """The declared columns with their unit factors, and the header-level problems:
    a column given twice, a unit missing, unknown or contradicted by the unit cell."""
    header_row = grid[header_index]
    out: list[dict] = []
    for name, where in positions.items():
        if len(where) > 1:
            column = spec.column(name)
            out.append(
                problem(
                    file,
                    "duplicate_column",
                    "distinct_columns",
                    sheet=sheet,
                    row=header_index + 1,
                    cell=f"{column_letter(where[1])}{header_index + 1}",
                    column=str(header_row[where[1]]).strip(),
                    value=str(header_row[where[1]]).strip(),
                    first=f"{column_letter(where[0])}{header_index + 1}",
                    name=column.zh,
                )
            )
    unit_cell = _unit_cell(grid, header_index)
    declared = []
    for position, (column, unit) in found.items():
        header = str(header_row[position]).strip()
        factor = 1.0
        if column.units:
            at = f"{column_letter(position)}{header_index + 1}"
            where = dict(sheet=sheet, row=header_index + 1, cell=at, column=header)
            units = {"units": list(column.units)}
            cell_unit = unit_cell[0] if unit_cell else None
            if unit is not None and unit not in column.units:
                out.append(problem(file, "unit_unknown", "unit", value=unit, **where, **units))
                continue
            if unit is None and cell_unit not in column.units:
                given = cell_unit or ""
                code = "unit_unknown" if given else "unit_missing"
                out.append(problem(file, code, "unit", value=given, **where, **units))
                continue
            if (
                unit is not None
                and cell_unit in column.units
                and column.units[cell_unit] != column.units[unit]
            ):
                out.append(
                    problem(
                        file,
                        "unit_conflict",
                        "one_unit",
                        value=unit,
                        unit_cell=unit_cell[1],
                        cell_unit=cell_unit,
                        **where,
                    )
                )
                continue
            factor = column.units[unit if unit is not None else cell_unit]
        declared.append(_Declared(column, position, header, factor))
    return declared, out


BATCH_ROWS = 65_536  # rows turned into Arrow text columns at a time


def _body(grid: Grid, start: int, wanted: list[int]) -> pa.Table:
    """The rows from `start` (0-based) of the wanted columns, as text: rows the reader
    holds as Python rows in batches, never all as Python objects; rows it holds as text
    columns (a csv) as they are."""
    schema = pa.schema([("source_row", pa.int64())] + [(f"c{p}", pa.string()) for p in wanted])
    if not wanted:
        return schema.empty_table()
    rows, columns = grid.rows_from(start)
    batches: list[pa.RecordBatch] = []
    first = start + 1  # the spreadsheet row number of the next row to convert
    width = max(wanted) + 1
    with _without_cycle_collection():
        while batch := list(islice(rows, BATCH_ROWS)):
            if min(map(len, batch)) < width:  # a short row (CSV) reads as blanks to the right
                batch = [row + [None] * (width - len(row)) for row in batch]
            # the batch transposed in C; rows longer than `width` (CSV) are cut to the shortest
            transposed = list(zip(*batch, strict=False))
            arrays = [pa.array(np.arange(first, first + len(batch), dtype=np.int64))]
            arrays += [column_text(transposed[p]) for p in wanted]
            batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
            first += len(batch)
    table = pa.Table.from_batches(batches, schema=schema)
    if columns is None:
        return table
    count = columns.num_rows
    rest = [pa.array(np.arange(first, first + count, dtype=np.int64))]
    rest += [
        columns.column(p) if p < columns.num_columns else pa.nulls(count, pa.string())
        for p in wanted
    ]
    return pa.concat_tables([table, pa.Table.from_arrays(rest, schema=schema)])


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a sheet's rows become Python lists and tuples
    and then Arrow columns: those millions of containers (none in a cycle) set it off
    again and again, each pass walking every one of them. Resumed only if it was running
    (a reader in another thread may pause it too: the worst that overlap does is resume
    it early, which costs time, not memory or results)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_DATABASE_LOCK = threading.Lock()
# The database a load's connection attaches (in memory) for the rows its files are read
# into (`read_file`'s `hold`): there the landing finds them, to check and insert, without
# their going through Arrow and being copied back.
HOLDING = "kepu_reading"


@cache
def _database() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _sheet_connection(hold: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """A connection of its own (its temporary tables and registered data private to it)
    to one in-memory database kept for the process: opening a database costs ~0.1 s,
    more than typing a small sheet; a connection to an open one costs milliseconds. With
    `hold`, a connection to `hold`'s database instead."""
    with _DATABASE_LOCK:
        return (hold if hold is not None else _database()).cursor()


def attach_holding(con: duckdb.DuckDBPyConnection) -> None:
    """The in-memory database `HOLDING` beside the loading connection's own."""
    con.execute(f"attach if not exists ':memory:' as {HOLDING}")


def parse_sheet(
    file: str,
    grid: Grid,
    spec: TableSpec,
    head: list[list[object]],
    header: Header,
    received_on: date | None = None,
    hold: duckdb.DuckDBPyConnection | None = None,
) -> SheetResult:
    """Type and check every cell of a sheet whose `header` (found in its first rows,
    `head`) matches `spec`; its rows held in `hold`'s database when given (`read_file`)."""
    sheet = grid.name
    header_index, found, positions = header
    declared, header_problems = _declared_columns(
        file, sheet, spec, head, header_index, found, positions
    )
    header_row = head[header_index]
    taken = {p for where in positions.values() for p in where}
    extra = (
        {
            p: str(cell).strip()
            for p, cell in enumerate(header_row)
            if p not in taken and not is_blank(cell)
        }
        if spec.extra_table
        else {}
    )
    wanted = sorted({d.position for d in declared} | set(extra))
    body = _body(grid, header_index + 1, wanted)
    grid.release()  # the reader's copy of the cells is no longer needed
    with _sheet_connection(hold) as con:  # closed on leaving: its temporary tables go
        return _typed_sheet(
            con,
            file,
            sheet,
            spec,
            body,
            declared,
            extra,
            header_index,
            header_problems,
            grid.flagged,
            received_on or date.today(),
            hold,
        )


def _typed_sheet(
    con: duckdb.DuckDBPyConnection,
    file: str,
    sheet: str,
    spec: TableSpec,
    body: pa.Table,
    declared: list[_Declared],
    extra: dict[int, str],
    header_index: int,
    header_problems: list[dict],
    flagged: dict[tuple[int, int], tuple[str, str]],
    received_on: date,
    hold: duckdb.DuckDBPyConnection | None = None,
) -> SheetResult:
    con.register("body", body)
    plain = plain_columns(body, [d.position for d in declared] + list(extra))
    plan = _Sheet(con, spec, declared, extra, received_on, plain)
    # Only `typed` is materialised (text and typed values side by side); the cleaned
    # text and the stored rows are views over it, computed column by column as needed.
    con.execute(f"create temp view cleaned as {plan.cleaned_sql()}")
    (rows_read,) = con.execute(f"create temp table typed as {plan.typed_sql(body)}").fetchone()
    con.unregister("body")  # the text is in `typed` now
    del body
    sql = plan.problems_sql()
    found = con.execute(sql, plan.params if "$received" in sql else None).fetchall()
    headers = {d.position: d.header for d in declared} | extra
    by_position = {d.position: d for d in declared}
    cell_problems = []
    for position, source_row, value, code, row_fields in found:
        if code == "required" and (source_row - 1, position) in flagged:
            continue  # the cell reads as empty because its formula or error has no value
        d = by_position[position]
        cell_problems.append(
            problem(
                file,
                code,
                _expected(d.column, code),
                sheet=sheet,
                row=source_row,
                cell=f"{column_letter(position)}{source_row}",
                column=d.header,
                value=value,
                **_fields(d.column, code, received_on),
                **json.loads(row_fields or "{}"),
            )
        )
    for (row, position), (code, shown) in sorted(flagged.items()):
        if row > header_index and position in headers:
            cell_problems.append(
                problem(
                    file,
                    code,
                    "cached_value" if code == "formula_no_value" else "no_error_value",
                    sheet=sheet,
                    row=row + 1,
                    cell=f"{column_letter(position)}{row + 1}",
                    column=headers[position],
                    value=shown,
                )
            )
    con.execute(f"create temp view stored as {plan.stored_sql()}")
    cell_problems += _duplicate_keys(con, file, sheet, spec)
    errors = problems.frame([*header_problems, *cell_problems])
    held = held_extra = stored = extra_rows = None
    if hold is None:
        stored = con.execute("select * from stored order by source_row").to_arrow_table()
        if extra:
            extra_rows = con.execute(*_extra_long(spec, extra)).to_arrow_table()
    else:
        held = f"{HOLDING}.rows_{uuid.uuid4().hex}"
        con.execute(f"create table {held} as select * from stored order by source_row")
        if extra:
            held_extra = f"{held}_extra"
            sql, params = _extra_long(spec, extra)
            con.execute(f"create table {held_extra} as {sql}", params)
    rejected = _rejected_cells(con, errors, plan)
    return SheetResult(
        spec,
        sheet,
        rows_read,
        stored,
        errors,
        extra_rows,
        rejected,
        tuple(extra.values()),
        held,
        held_extra,
        hold,
    )


def _expected(column: Column, code: str) -> str:
    return {
        "required": "value",
        "after_received": "not_after_received",
    }.get(code, column.expect)


def _fields(column: Column, code: str, received_on: date) -> dict[str, object]:
    if code == "after_received":
        return {"received_on": received_on.isoformat()}
    if code == "required":
        return {}
    return column.expected_fields


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection, file: str, sheet: str, spec: TableSpec
) -> list[dict]:
    key = list(spec.key)
    shown = ", ".join(f"coalesce(cast({k} as varchar), '')" for k in key)
    found = con.execute(
        f"select source_row, concat_ws(' | ', {shown}) from ("
        f"select *, count(*) over (partition by {', '.join(key)}) as n from stored "
        f"where {' and '.join(f'{k} is not null' for k in key)}) where n > 1 order by source_row"
    ).fetchall()
    names = " + ".join(spec.key)
    return [
        problem(
            file,
            "duplicate_key",
            "unique_key",
            sheet=sheet,
            row=row,
            column=names,
            value=value,
            key_columns=", ".join(spec.key),
        )
        for row, value in found
    ]


def _extra_long(spec: TableSpec, extra: dict[int, str]) -> tuple[str, dict[str, list[str]]]:
    """Undeclared columns (survey items, section scores) as one row per key × header, by
    row then header, blank cells left out: the SQL and its parameters. Each row's cells
    are unnested in header order from the rows in row order (a survey wave has millions
    of answers: no unpivot, join or sort of them)."""
    headers = list(extra.values())
    order = sorted(range(len(headers)), key=headers.__getitem__)  # a tie keeps column order
    positions = list(extra)
    answers = ", ".join(f"t{positions[j]}" for j in order)
    keys = ", ".join(spec.key)
    sql = (
        f"select {keys}, source_row, item_code, response from ("
        f"select {keys}, source_row, unnest($headers) as item_code, "
        f"unnest([{answers}]) as response from (select * from typed order by source_row)) "
        "where response is not null"
    )
    return sql, {"headers": [headers[j] for j in order]}


def _rejected_cells(
    con: duckdb.DuckDBPyConnection, errors: pd.DataFrame, plan: _Sheet
) -> pa.Table | None:
    rows = errors.loc[errors["code"].isin(problems.ROW_CODES), "row"].dropna().unique()
    if not len(rows):
        return None
    con.register("rejected_rows", pa.table({"source_row": pa.array(rows.astype("int64"))}))
    pairs = ", ".join(f"'{column_letter(p)}', t{p}" for p in plan._positions())
    return con.execute(
        f"select source_row, cast(json_object({pairs}) as varchar) as cells from typed "
        "where source_row in (select source_row from rejected_rows) order by source_row"
    ).to_arrow_table()


def _about_received_on(grid: list[list[object]]) -> date | None:
    """The '报送日期 / received on' date of the about sheet: the file's data vintage."""
    for row in grid:
        cells = [c for c in row if not is_blank(c)]
        if len(cells) >= 2 and ("报送日期" in str(cells[0]) or "received" in str(cells[0])):
            value = cells[1]
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            parsed = pd.to_datetime(str(value)[:10], errors="coerce", format="%Y-%m-%d")
            return None if pd.isna(parsed) else parsed.date()
    return None


def _about_is_synthetic(grid: list[list[object]]) -> bool:
    """True when the about sheet has a '数据性质 / data nature' row saying 合成 / synthetic."""
    for row in grid:
        cells = [normalise(c) for c in row if not is_blank(c)]
        if len(cells) >= 2 and ("数据性质" in cells[0] or "datanature" in cells[0]):
            return "合成" in cells[1] or "synthetic" in cells[1]
    return False


def _spec_for(sheet: str, grid: list[list[object]]) -> tuple[TableSpec | None, Header | None]:
    """The sheet's spec, by its name or else by the header that matches most columns, and
    its header row in `grid` (None where it has none)."""
    named = [s for s in ALL_SPECS if normalise(sheet) in {normalise(n) for n in s.sheet_names}]
    if named:
        return named[0], find_header(grid, named[0])
    matches = [(s, find_header(grid, s)) for s in ALL_SPECS]
    matches = [(s, h) for s, h in matches if h is not None]
    return max(matches, key=lambda m: len(m[1][1])) if matches else (None, None)


def _sheet_problem(name: str, grid: Grid, spec: TableSpec | None) -> dict:
    if spec is not None:
        required = [c.zh for c in spec.columns if c.required]
        return problem(
            name,
            "header_not_found",
            "header",
            sheet=grid.name,
            headers=required,
            kind={"zh": spec.zh, "en": spec.en},
        )
    return problem(
        name,
        "unknown_sheet",
        "known_sheet",
        sheet=grid.name,
        sheets=[{"zh": s.zh, "en": s.en} for s in ALL_SPECS],
    )


def read_file(
    path: Path,
    display_name: str | None = None,
    loaded_on: date | None = None,
    hold: duckdb.DuckDBPyConnection | None = None,
) -> FileResult:
    """Every sheet of a file, typed and checked; a file that cannot be read is refused
    with one located problem. `loaded_on` stands in for a missing received date. With
    `hold` (a connection whose database has HOLDING attached: `attach_holding`), each
    sheet's rows are held there, for a load on that connection, until released."""
    name = display_name or path.name
    result = FileResult(path=path, name=name)
    try:
        _read_sheets(path, name, result, loaded_on, hold)
    except Refusal as refusal:
        result.release()
        result.refused = True
        result.sheets = []
        result.errors = problems.frame([refusal.problem(name)])
        return result
    except BaseException:
        result.release()
        raise
    # a file of headers without a single row brings nothing: refused, not an empty load
    if not any(sheet.rows_read for sheet in result.sheets) and not len(result.errors):
        result.add_errors(problems.frame([problem(name, "no_data", "data")]))
    return result


def _read_sheets(
    path: Path,
    name: str,
    result: FileResult,
    loaded_on: date | None,
    hold: duckdb.DuckDBPyConnection | None = None,
) -> None:
    grids = open_grids(path, name)
    about = [g for g in grids if normalise(g.name) in ABOUT_SHEETS]
    for grid in about:
        result.take_about(list(grid.rows()))
        grid.release()
    found = []
    for grid in grids:
        if grid in about:
            continue
        if grid.is_empty():
            grid.release()
            continue
        head = grid.head(HEADER_SCAN_ROWS)
        spec, header = _spec_for(grid.name, head)
        if header is None:
            found.append(_sheet_problem(name, grid, spec))
        else:
            # a csv has no about sheet: its about rows, when it has them, are above the header
            result.take_about(head[: header[0]])
            received_on = result.received_on or loaded_on or date.today()
            parsed = parse_sheet(name, grid, spec, head, header, received_on, hold)
            result.sheets.append(parsed)
            result.add_errors(parsed.errors)
        grid.release()
    found += _same_table_sheets(name, result.sheets)
    if found:
        result.add_errors(problems.frame(found))


def _same_table_sheets(name: str, sheets: list[SheetResult]) -> list[dict]:
    """A sheet filling the same table as a sheet before it: a file's rows are checked
    against each other and the warehouse one table at a time, so the two sheets' rows
    could not be (the file is refused; one sheet, or a file each, is loaded whole)."""
    first: dict[str, str] = {}
    found = []
    for sheet in sheets:
        spec = sheet.spec
        if spec.table in first:
            found.append(
                problem(
                    name,
                    "duplicate_table",
                    "one_sheet_per_table",
                    sheet=sheet.sheet,
                    first=first[spec.table],
                    kind={"zh": spec.zh, "en": spec.en},
                )
            )
        first.setdefault(spec.table, sheet.sheet)
    return found


def peek_tables(path: Path, display_name: str) -> set[str]:
    """The raw tables a file brings, told from its sheet names and csv header alone (a
    hint for ordering a batch, not a verdict: reading the file is what judges it)."""
    found = set()
    for sheet, head in peek_sheets(path, display_name):
        spec, _ = _spec_for(sheet, head[:HEADER_SCAN_ROWS])
        if spec is not None:
            found.add(spec.table)
    return found


def split_list(values: pd.Series) -> pd.Series:
    """'区科协、区教育局' → one row per name ('区科协', '区教育局'), index kept."""
    names = values.dropna().str.split(LIST_SEPARATORS, regex=True).explode().str.strip()
    return names[names.fillna("") != ""]


def without_rows(table: pa.Table, dropped: set[int] | None) -> pa.Table:
    """`table` without the rows whose `source_row` is in `dropped` (rows left out with
    `--accept-valid-rows`): one Arrow filter, not a loop over every row."""
    if not dropped:
        return table
    left_out = pa.array(sorted(dropped), table.schema.field("source_row").type)
    return table.filter(pc.invert(pc.is_in(table["source_row"], value_set=left_out)))
