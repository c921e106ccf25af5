"""Turn one spreadsheet file into typed frames, one per recognised sheet, and a list of errors.

Nothing here knows about the warehouse: the checks that need it (is this region code
registered?) live in `ingest.load`. Every check is vectorised over a whole column.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from ingest.specs import ALL_SPECS, LIST_SEPARATORS, Column, TableSpec
from ingest.synonyms import MARKS, normalise

HEADER_SCAN_ROWS = 15
ABOUT_SHEETS = {"about", "说明", "关于", "readme"}
TRUE_WORDS = {"是", "yes", "y", "true", "1", "1.0", "√", "✓", "合成", "synthetic"}
FALSE_WORDS = {"否", "no", "n", "false", "0", "0.0", "", "nan", "none", "<na>"}
UNIT_CELL = re.compile(r"^(?:计量)?单位|^units?\b", re.IGNORECASE)
ERROR_COLUMNS = ["file", "sheet", "row", "column", "value", "expected"]


@dataclass(frozen=True)
class SheetResult:
    """The accepted rows of one sheet (canonical columns + `source_row`) and its errors."""

    spec: TableSpec
    sheet: str
    rows_read: int
    frame: pd.DataFrame
    errors: pd.DataFrame
    extra: pd.DataFrame | None = None


@dataclass
class FileResult:
    path: Path
    sheets: list[SheetResult] = field(default_factory=list)
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    is_synthetic: bool = False
    received_on: date | None = None

    def add_errors(self, errors: pd.DataFrame) -> None:
        if len(errors):
            self.errors = pd.concat([self.errors, errors], ignore_index=True)


def header_parts(cell: object) -> list[tuple[str, str | None]]:
    """'金额(万元) / amount (10k yuan)' → [('金额', '万元'), ('amount', '10kyuan')]."""
    parts = re.split(r"\s+/\s+|\||\n", str(cell))
    out = []
    for part in parts:
        unit = re.search(r"[(（]([^)）]*)[)）]", part)
        name = re.sub(r"[(（][^)）]*[)）]", "", part)
        out.append((normalise(name), normalise(unit.group(1)) if unit else None))
    return out


def read_grids(path: Path) -> list[tuple[str, list[list[object]]]]:
    """All sheets of an .xlsx/.xls/.ods workbook, or a .csv file as one sheet, as row lists."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [(path.stem, list(csv.reader(handle)))]
    if suffix not in {".xlsx", ".xlsm", ".xls", ".ods"}:
        raise ValueError(f"{path.name}: unsupported file type {suffix!r}; expected .xlsx or .csv")
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return [
            (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    finally:
        workbook.close()


def _match_header(row: list[object], spec: TableSpec) -> dict[int, tuple[Column, str | None]]:
    """Column positions in `row` that carry one of the spec's headers, with any unit given."""
    wanted = {normalise(h): c for c in spec.columns for h in c.headers}
    found: dict[int, tuple[Column, str | None]] = {}
    taken: set[str] = set()
    for position, cell in enumerate(row):
        if cell is None or str(cell).strip() == "":
            continue
        for name, unit in header_parts(cell):
            column = wanted.get(name)
            if column is not None and column.name not in taken:
                found[position] = (column, unit)
                taken.add(column.name)
                break
    return found


def find_header(
    grid: list[list[object]], spec: TableSpec
) -> tuple[int, dict[int, tuple[Column, str | None]]] | None:
    """The first row (within the first rows) that holds every required header of the spec."""
    required = {c.name for c in spec.columns if c.required}
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = _match_header(row, spec)
        names = {c.name for c, _ in found.values()}
        if required <= names and (not spec.one_of or names & set(spec.one_of)):
            return index, found
    return None


def _unit_cell(grid: list[list[object]], header_index: int) -> str | None:
    """A '单位：万元' / 'Unit: yuan' cell above the header row, if any."""
    for row in grid[:header_index]:
        for cell in row:
            text = str(cell or "").strip()
            if UNIT_CELL.match(text):
                return normalise(re.split(r"[:：]", text, maxsplit=1)[-1])
    return None


def _errors(
    file: str, sheet: str, rows: pd.Series, header: str, values: pd.Series, expected: str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": file,
            "sheet": sheet,
            "row": rows.to_numpy(),
            "column": header,
            "value": _as_text(values).fillna("").to_numpy(),
            "expected": expected,
        }
    )


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed text; whole numbers typed into Excel (330304.0) lose their '.0'."""
    text = values.astype("string").str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return text.mask(text.isin(["", "nan", "None", "<NA>"]))


def _coerce(column: Column, raw: pd.Series, factor: float) -> tuple[pd.Series, pd.Series]:
    """(typed values, mask of cells that do not fit the column) for one column."""
    text = _as_text(raw)
    present = text.notna()
    if column.kind in ("text", "code"):
        if column.pattern is None:
            return text, pd.Series(False, index=text.index)
        return text, (present & ~text.str.fullmatch(column.pattern)).fillna(False)
    if column.kind in ("int", "number"):
        cleaned = text.str.replace(r"[,，\s]", "", regex=True)
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = present & numbers.isna()
        if column.kind == "int":
            bad |= numbers.notna() & (numbers % 1 != 0)
        if column.minimum is not None:
            bad |= numbers < column.minimum
        if column.maximum is not None:
            bad |= numbers > column.maximum
        typed = numbers.astype("Int64") if column.kind == "int" else numbers * factor
        return typed, bad.fillna(False)
    if column.kind == "choice":
        typed = text.str.normalize("NFKC").str.strip().str.lower()
        mapped = typed.str.replace(MARKS, "", regex=True).map(column.choices)
        return mapped, (present & mapped.isna()).fillna(False)
    if column.kind == "bool":
        words = text.fillna("").str.lower()
        typed = words.isin(TRUE_WORDS)
        return typed, ~(typed | words.isin(FALSE_WORDS))
    if column.kind == "date":
        cleaned = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "")
        typed = pd.to_datetime(cleaned.str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
        return typed.dt.date, (present & typed.isna()).fillna(False)
    raise AssertionError(f"unhandled column kind {column.kind}")


def _column_errors(
    file: str,
    sheet: str,
    raw: pd.DataFrame,
    position: int,
    header: str,
    column: Column,
    unit: str | None,
    unit_cell: str | None,
    header_row: int,
) -> tuple[pd.Series | None, list[pd.DataFrame]]:
    """(typed values or None, errors) for one declared column of a sheet."""
    factor = 1.0
    if column.units:
        declared = unit or (unit_cell if unit_cell in column.units else None)
        if declared not in column.units:
            expected = (
                "a unit in the header, e.g. '金额(万元)', or a '单位：万元' cell above it;"
                f" accepted units: {', '.join(column.units)}"
            )
            given = pd.Series([unit or unit_cell or ""])
            return None, [_errors(file, sheet, pd.Series([header_row]), header, given, expected)]
        factor = column.units[declared]
    typed, bad = _coerce(column, raw[position], factor)
    missing = typed.isna() & column.required & (column.kind != "bool") & ~bad
    errors = [
        _errors(file, sheet, raw["source_row"][mask], header, raw[position][mask], expected)
        for mask, expected in (
            (bad, column.expected or f"a {column.kind}"),
            (missing, "a value (required)"),
        )
        if mask.any()
    ]
    return typed, errors


def _extra_long(
    grid: list[list[object]],
    header_index: int,
    raw: pd.DataFrame,
    frame: pd.DataFrame,
    spec: TableSpec,
    positions: list[int],
) -> pd.DataFrame:
    """Undeclared columns (survey items, section scores) as one row per key × header."""
    headers = {p: str(grid[header_index][p]).strip() for p in positions}
    wide = pd.DataFrame({headers[p]: _as_text(raw[p]) for p in positions}, index=raw.index)
    ids = [*spec.key, "source_row"]
    wide[ids] = frame[ids]
    long = wide.melt(id_vars=ids, var_name="item_code", value_name="response")
    return long[long["response"].notna()].reset_index(drop=True)


def parse_sheet(file: str, sheet: str, grid: list[list[object]], spec: TableSpec) -> SheetResult:
    """Type and check every cell of a sheet whose header row matches `spec`."""
    header = find_header(grid, spec)
    assert header is not None, "parse_sheet is only called for a sheet whose header matched"
    header_index, found = header
    header_row = grid[header_index]
    extra = [p for p, cell in enumerate(header_row) if p not in found and str(cell or "").strip()]
    extra = extra if spec.extra_table else []
    width = max([*found, *extra]) + 1
    body = [list(r[:width]) + [None] * (width - len(r[:width])) for r in grid[header_index + 1 :]]
    raw = pd.DataFrame(body, columns=range(width), dtype=object)
    raw["source_row"] = range(header_index + 2, header_index + 2 + len(raw))
    filled = pd.concat([_as_text(raw[p]).notna() for p in [*found, *extra]], axis=1).any(axis=1)
    raw = raw[filled]
    unit_cell = _unit_cell(grid, header_index)
    errors: list[pd.DataFrame] = []
    frame = pd.DataFrame({"source_row": raw["source_row"].to_numpy()}, index=raw.index)
    for position, (column, unit) in found.items():
        typed, column_errors = _column_errors(
            file,
            sheet,
            raw,
            position,
            str(header_row[position]).strip(),
            column,
            unit,
            unit_cell,
            header_index + 1,
        )
        errors += column_errors
        if typed is not None:
            frame[column.name] = typed
    for column in spec.columns:
        if column.name not in frame.columns:
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype=object)
    long = _extra_long(grid, header_index, raw, frame, spec, extra) if extra else None
    frame = spec.reshape(frame) if spec.reshape else frame
    duplicated = frame.duplicated(subset=list(spec.key), keep=False)
    if duplicated.any():
        keys = frame.loc[duplicated, list(spec.key)].astype("string").agg(" | ".join, axis=1)
        errors.append(
            _errors(
                file,
                sheet,
                frame.loc[duplicated, "source_row"],
                " + ".join(spec.key),
                keys,
                f"each ({', '.join(spec.key)}) only once in a sheet",
            )
        )
    no_errors = _errors(file, sheet, pd.Series([], dtype=int), "", pd.Series([], dtype=str), "")
    all_errors = pd.concat(errors, ignore_index=True) if errors else no_errors
    return SheetResult(spec, sheet, len(raw), frame.reset_index(drop=True), all_errors, long)


def _about_received_on(grid: list[list[object]]) -> date | None:
    """The '报送日期 / received on' date of the about sheet: the file's data vintage."""
    for row in grid:
        cells = [c for c in row if c is not None and str(c).strip()]
        if len(cells) >= 2 and ("报送日期" in str(cells[0]) or "received" in str(cells[0])):
            parsed = pd.to_datetime(str(cells[1])[:10], errors="coerce", format="%Y-%m-%d")
            return None if pd.isna(parsed) else parsed.date()
    return None


def _about_is_synthetic(grid: list[list[object]]) -> bool:
    """True when the about sheet has a '数据性质 / data nature' row saying 合成 / synthetic."""
    for row in grid:
        cells = [normalise(c) for c in row if c is not None and str(c).strip()]
        if len(cells) >= 2 and ("数据性质" in cells[0] or "datanature" in cells[0]):
            return "合成" in cells[1] or "synthetic" in cells[1]
    return False


def _spec_for(sheet: str, grid: list[list[object]]) -> TableSpec | None:
    named = [s for s in ALL_SPECS if normalise(sheet) in {normalise(n) for n in s.sheet_names}]
    if named:
        return named[0]
    matches = [s for s in ALL_SPECS if find_header(grid, s) is not None]
    return max(matches, key=lambda s: len(find_header(grid, s)[1])) if matches else None


def read_file(path: Path, display_name: str | None = None) -> FileResult:
    """Every sheet of a file, typed and checked. Unknown non-empty sheets are errors."""
    name = display_name or path.name
    result = FileResult(path=path)
    for sheet, grid in read_grids(path):
        if not any(str(c or "").strip() for row in grid for c in row):
            continue
        if normalise(sheet) in ABOUT_SHEETS:
            result.is_synthetic = _about_is_synthetic(grid)
            result.received_on = _about_received_on(grid)
            continue
        spec = _spec_for(sheet, grid)
        if spec is None or find_header(grid, spec) is None:
            wanted = spec or None
            expected = (
                f"a header row with {', '.join(c.zh for c in wanted.columns if c.required)}"
                if wanted
                else "a sheet of a known kind: " + ", ".join(f"{s.zh} ({s.en})" for s in ALL_SPECS)
            )
            result.add_errors(_errors(name, sheet, pd.Series([1]), "", pd.Series([""]), expected))
            continue
        parsed = parse_sheet(name, sheet, grid, spec)
        result.sheets.append(parsed)
        result.add_errors(parsed.errors)
    if not result.sheets and not len(result.errors):
        result.add_errors(
            _errors(name, "", pd.Series([1]), "", pd.Series([""]), "at least one sheet with data")
        )
    return result


def split_list(values: pd.Series) -> pd.Series:
    """'区科协、区教育局' → one row per name ('区科协', '区教育局'), index kept."""
    names = values.dropna().str.split(LIST_SEPARATORS, regex=True).explode().str.strip()
    return names[names.fillna("") != ""]
