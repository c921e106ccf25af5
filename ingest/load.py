"""Land files in the warehouse: archive, check against what is already there, write atomically.

One file is one load. A load lands whole, in one transaction with its audit rows, or not at
all; a rejected file leaves only its audit and error rows. A file whose bytes were already
accepted is skipped and changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest.home import KepuHome
from ingest.read import ERROR_COLUMNS, FileResult, SheetResult, read_file, split_list
from ingest.specs import ALL_SPECS, EXTRA_TABLES, LIST_JOINER

AUDIT_DDL = """
create schema if not exists raw;
create table if not exists raw.load_audit (
    load_id integer, file_name varchar, file_sha256 varchar, file_bytes bigint,
    archived_path varchar, sheet_name varchar, table_name varchar, rows_read integer,
    rows_accepted integer, rows_rejected integer, status varchar, is_synthetic boolean,
    loaded_at timestamptz, received_on date, message varchar
);
create table if not exists raw.load_errors (
    load_id integer, file_name varchar, sheet_name varchar, source_row integer,
    column_name varchar, value varchar, expected varchar
);
"""
LIST_COLUMNS = ("lead_departments", "cooperating_departments", "responsible_units")
# Files are landed in this order within one batch, so that a register loaded together
# with the rows that refer to it counts as known.
LOAD_ORDER = {s.table: i for i, s in enumerate(ALL_SPECS)}


@dataclass
class LoadOutcome:
    """What happened to one file."""

    file_name: str
    sha256: str
    status: str  # accepted | rejected | duplicate
    load_id: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    message: str = ""


def raw_table_ddl() -> str:
    """CREATE statements for every raw table: the spec's columns plus lineage columns."""
    statements = [AUDIT_DDL]
    tables = {spec.table: spec.stored_columns for spec in ALL_SPECS} | EXTRA_TABLES
    for table, stored in tables.items():
        columns = ", ".join(f"{name} {sql}" for name, sql in stored.items())
        statements.append(
            f"create table if not exists raw.{table} "
            f"(load_id integer, sheet_name varchar, source_row integer, {columns});"
        )
    return "\n".join(statements)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_file(path: Path, sha256: str, home: KepuHome) -> Path:
    """Keep the original bytes under their hash; written beside, then renamed into place."""
    target = home.archive / f"{sha256}{path.suffix.lower()}"
    if not target.exists():
        partial = target.with_suffix(target.suffix + ".partial")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    return target


def connect(home: KepuHome) -> duckdb.DuckDBPyConnection:
    home.ensure()
    con = duckdb.connect(str(home.warehouse))
    con.execute(raw_table_ddl())
    return con


def format_errors(errors: pd.DataFrame, limit: int = 20) -> str:
    """Errors as lines a statistician can act on, the first `limit` of them."""
    lines = [
        f"{e.file}, sheet '{e.sheet}', row {e.row}, column '{e.column}': "
        f"value '{e.value}' — expected {e.expected}"
        for e in errors.head(limit).itertuples()
    ]
    if len(errors) > limit:
        lines.append(f"… and {len(errors) - limit} more errors")
    return "\n".join(lines)


def _missing(con: duckdb.DuckDBPyConnection, values: pd.DataFrame, known_sql: str) -> pd.DataFrame:
    """Rows of `values` (columns source_row, value) whose value is not in `known_sql`."""
    con.register("checked_values", values)
    try:
        return con.execute(
            f"select source_row, value from checked_values "
            f"where value is not null and value not in ({known_sql}) order by source_row"
        ).df()
    finally:
        con.unregister("checked_values")


class _Batch:
    """Keys that files earlier in the same batch (and this file) make known."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.pending: dict[str, list[pd.DataFrame]] = {}

    def add(self, result: FileResult) -> None:
        for sheet in result.sheets:
            self.pending.setdefault(sheet.spec.table, []).append(sheet.frame)

    def discard(self, result: FileResult) -> None:
        for sheet in result.sheets:
            frames = self.pending[sheet.spec.table]
            frames[:] = [f for f in frames if f is not sheet.frame]

    def known(self, table: str, column: str) -> str:
        """SQL for the values of `table.column` in the warehouse or this batch."""
        name = f"batch_{table}"
        frames = [f[[column]] for f in self.pending.get(table, [])]
        self.con.register(
            name, pd.concat(frames) if frames else pd.DataFrame({column: pd.Series(dtype=str)})
        )
        return f"select {column} from raw.{table} union all select {column} from {name}"


def _reference_checks(sheet: SheetResult) -> Iterable[tuple[str, str, str, str]]:
    """(column, referenced table, referenced column, expectation) for one sheet."""
    columns = set(sheet.frame.columns)
    if "region_code" in columns:
        yield "region_code", "regions", "region_code", "a region code in the region register"
    if sheet.spec.table == "regions":
        yield "parent_code", "regions", "region_code", "a region code in the region register"
    if "plan_id" in columns and sheet.spec.table != "plans":
        yield "plan_id", "plans", "plan_id", "a plan_id in the plans sheet"
    if sheet.spec.table == "targets":
        yield "indicator_code", "indicators", "indicator_code", "a code in the indicators sheet"
    if "wave_id" in columns and sheet.spec.table != "survey_waves":
        yield "wave_id", "survey_waves", "wave_id", "a wave_id in the waves sheet"
    if sheet.spec.table in ("survey_waves", "survey_rule_minima"):
        yield "rule_id", "survey_rules", "rule_id", "a rule_id in the rules sheet"
    if sheet.spec.table == "measurement_rules":
        yield "target_id", "targets", "target_id", "a target_id in the targets sheet"
    if sheet.spec.table == "measure_reports":
        yield "measure_id", "measures", "measure_id", "a measure_id in the measures sheet"
        yield "responsible_unit", "departments", "name_zh", "a name in the departments sheet"
    for column in LIST_COLUMNS:
        if column in columns:
            yield column, "departments", "name_zh", "a name in the departments sheet"


def _check_references(file_name: str, sheet: SheetResult, batch: _Batch) -> pd.DataFrame:
    found = []
    for column, table, ref_column, expected in _reference_checks(sheet):
        header = sheet.spec.column(column).zh
        values = sheet.frame[column]
        if column in LIST_COLUMNS:
            values = split_list(values)
        checked = pd.DataFrame(
            {
                "source_row": sheet.frame.loc[values.index, "source_row"].to_numpy(),
                "value": values.astype("string").to_numpy(),
            }
        )
        missing = _missing(batch.con, checked, batch.known(table, ref_column))
        if len(missing):
            found.append(
                pd.DataFrame(
                    {
                        "file": file_name,
                        "sheet": sheet.sheet,
                        "row": missing.source_row,
                        "column": f"{header} ({column})",
                        "value": missing.value,
                        "expected": expected,
                    }
                )
            )
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=ERROR_COLUMNS)


def _normalise_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Department lists stored as one canonical string, names joined by LIST_JOINER."""
    frame = frame.copy()
    for column in LIST_COLUMNS:
        if column in frame.columns:
            names = split_list(frame[column])
            frame[column] = names.groupby(level=0).agg(LIST_JOINER.join).reindex(frame.index)
    return frame


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    stored: Mapping[str, str],
    frame: pd.DataFrame,
    load_id: int,
    sheet: str,
) -> None:
    """Append `frame` to raw.`table`, cast to the stored types, stamped with its load."""
    con.register("incoming", frame[["source_row", *stored]])
    try:
        casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in stored.items())
        con.execute(
            f"insert into raw.{table} by name select ? as load_id, ? as sheet_name, "
            f"source_row, {casts} from incoming",
            [load_id, sheet],
        )
    finally:
        con.unregister("incoming")


def _write_rows(con: duckdb.DuckDBPyConnection, load_id: int, sheet: SheetResult) -> None:
    spec = sheet.spec
    _insert(
        con, spec.table, spec.stored_columns, _normalise_lists(sheet.frame), load_id, sheet.sheet
    )
    if sheet.extra is not None:
        table = spec.extra_table
        _insert(con, table, EXTRA_TABLES[table], sheet.extra, load_id, sheet.sheet)


def _audit_rows(
    outcome: LoadOutcome, result: FileResult, archived: Path, loaded_at: datetime, size: int
) -> pd.DataFrame:
    rejected_rows = outcome.errors.groupby("sheet")["row"].nunique().to_dict()
    sheets = [(s.sheet, s.spec.table, s.rows_read) for s in result.sheets]
    sheets += [(name, None, 0) for name in rejected_rows if name not in {s[0] for s in sheets}]
    accepted = outcome.status == "accepted"
    return pd.DataFrame(
        [
            {
                "load_id": outcome.load_id,
                "file_name": outcome.file_name,
                "file_sha256": outcome.sha256,
                "file_bytes": size,
                "archived_path": str(archived),
                "sheet_name": name,
                "table_name": table,
                "rows_read": read,
                "rows_accepted": read if accepted else 0,
                "rows_rejected": 0 if accepted else rejected_rows.get(name, 0),
                "status": outcome.status,
                "is_synthetic": result.is_synthetic,
                "loaded_at": loaded_at,
                "received_on": result.received_on or loaded_at.date(),
                "message": outcome.message,
            }
            for name, table, read in sheets
        ]
    )


def _land(
    con: duckdb.DuckDBPyConnection,
    outcome: LoadOutcome,
    result: FileResult,
    archived: Path,
    loaded_at: datetime,
) -> None:
    """Write one file's rows (if accepted), audit and errors in a single transaction."""
    con.execute("begin transaction")
    try:
        outcome.load_id = con.execute(
            "select coalesce(max(load_id), 0) + 1 from raw.load_audit"
        ).fetchone()[0]
        if outcome.status == "accepted":
            for sheet in result.sheets:
                _write_rows(con, outcome.load_id, sheet)
        audit = _audit_rows(outcome, result, archived, loaded_at, archived.stat().st_size)
        con.register("audit_rows", audit)
        con.execute("insert into raw.load_audit by name select * from audit_rows")
        errors = outcome.errors.rename(
            columns={
                "file": "file_name",
                "sheet": "sheet_name",
                "row": "source_row",
                "column": "column_name",
            }
        ).assign(load_id=outcome.load_id)
        con.register("error_rows", errors)
        con.execute("insert into raw.load_errors by name select * from error_rows")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _already_accepted(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    row = con.execute(
        "select min(load_id) from raw.load_audit where file_sha256 = ? and status = 'accepted'",
        [sha256],
    ).fetchone()
    return row[0] if row else None


def load_files(
    paths: Sequence[Path], home: KepuHome, loaded_at: datetime | None = None
) -> list[LoadOutcome]:
    """Load each file as its own all-or-nothing load. Registers go first within a batch."""
    loaded_at = loaded_at or datetime.now(UTC)
    con = connect(home)
    try:
        results = [(Path(p), read_file(Path(p))) for p in paths]
        results.sort(
            key=lambda pr: min(
                (LOAD_ORDER[s.spec.table] for s in pr[1].sheets), default=len(LOAD_ORDER)
            )
        )
        batch = _Batch(con)
        return [_load_one(con, batch, path, result, home, loaded_at) for path, result in results]
    finally:
        con.close()


def _load_one(
    con: duckdb.DuckDBPyConnection,
    batch: _Batch,
    path: Path,
    result: FileResult,
    home: KepuHome,
    loaded_at: datetime,
) -> LoadOutcome:
    sha256 = sha256_of(path)
    archived = archive_file(path, sha256, home)
    outcome = LoadOutcome(file_name=path.name, sha256=sha256, status="accepted")
    earlier = _already_accepted(con, sha256)
    if earlier is not None:
        outcome.status, outcome.load_id = "duplicate", earlier
        outcome.message = f"already loaded as load {earlier}; nothing changed"
        return outcome
    batch.add(result)
    for sheet in result.sheets:
        result.add_errors(_check_references(path.name, sheet, batch))
    outcome.errors = result.errors.drop_duplicates().reset_index(drop=True)
    if len(outcome.errors):
        outcome.status = "rejected"
        outcome.message = f"rejected: {len(outcome.errors)} errors; nothing of this file loaded"
        batch.discard(result)
    else:
        outcome.rows = {s.spec.table: len(s.frame) for s in result.sheets}
        outcome.rows |= {
            s.spec.extra_table: len(s.extra) for s in result.sheets if s.extra is not None
        }
        outcome.message = "accepted: " + ", ".join(f"{t} {n}" for t, n in outcome.rows.items())
    _land(con, outcome, result, archived, loaded_at)
    return outcome
