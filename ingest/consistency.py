"""Checks of one file against itself and the warehouse, set-wise in SQL.

A value can be well formed and still wrong against other data: a region code not in the
region register, a target year outside its plan's period, a respondent outside the region
the wave covers, an answer-key item that no response column answers (it would add points
nobody can score and so move the literacy threshold). Each check is one query over the
file's typed rows (registered as `file_<table>`) and the warehouse's raw tables, and
returns located problems. Keys this file brings count as known (a register loaded with
the rows that refer to it); rows a file loses with --accept-valid-rows no longer count.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pyarrow as pa

from ingest.problems import problem
from ingest.read import FileResult, SheetResult, split_list, without_rows
from ingest.specs import SPECS_BY_TABLE

LIST_COLUMNS = ("lead_departments", "cooperating_departments", "responsible_units")
# (table, column) → (referenced table, referenced column): what a value must name.
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    **{
        (s.table, "region_code"): ("regions", "region_code")
        for s in SPECS_BY_TABLE.values()
        if "region_code" in s.stored_columns
    },
    ("regions", "parent_code"): ("regions", "region_code"),
    **{
        (s.table, "plan_id"): ("plans", "plan_id")
        for s in SPECS_BY_TABLE.values()
        if "plan_id" in s.stored_columns and s.table != "plans"
    },
    ("targets", "indicator_code"): ("indicators", "indicator_code"),
    **{
        (s.table, "wave_id"): ("survey_waves", "wave_id")
        for s in SPECS_BY_TABLE.values()
        if "wave_id" in s.stored_columns and s.table != "survey_waves"
    },
    ("survey_waves", "rule_id"): ("survey_rules", "rule_id"),
    ("survey_rule_minima", "rule_id"): ("survey_rules", "rule_id"),
    ("measurement_rules", "target_id"): ("targets", "target_id"),
    ("measure_reports", "measure_id"): ("measures", "measure_id"),
    ("measure_reports", "responsible_unit"): ("departments", "name_zh"),
    **{
        (s.table, "unit_code"): ("kp_units", "unit_code")
        for s in SPECS_BY_TABLE.values()
        if "unit_code" in s.stored_columns and s.table != "kp_units"
    },
    **{
        (s.table, c): ("departments", "name_zh")
        for s in SPECS_BY_TABLE.values()
        for c in LIST_COLUMNS
        if c in s.stored_columns
    },
}

# The names of a list column (`_references`), each tagged with its place.
CHECKED = pa.schema([("part", pa.int32()), ("source_row", pa.int64()), ("value", pa.string())])

# The warehouse tables the checks read (registers, plans, waves, answer keys): what a
# loader that checks away from the warehouse (on a server) must bring beside the file.
REFERENCE_TABLES = frozenset(
    {target for target, _ in REFERENCES.values()}
    | {"plans", "regions", "survey_items", "survey_waves"}
)


def _depth(table: str, seen: frozenset[str] = frozenset()) -> int:
    """0 for a table that refers to no other; else one more than the deepest it refers to."""
    targets = (
        {target for (source, _), (target, _) in REFERENCES.items() if source == table}
        - {table}
        - seen
    )
    return max((1 + _depth(t, seen | {table}) for t in targets), default=0)


# Registers before the rows that refer to them: the order a batch is landed in.
REFERENCE_DEPTH = {table: _depth(table) for table in SPECS_BY_TABLE}


class FileView:
    """This file's rows (those still counted) registered beside the warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, result: FileResult):
        self.con, self.result = con, result
        self.sheets = {s.spec.table: s for s in result.sheets}
        self.excluded: dict[str, set[int]] = {}
        self.registered: dict[str, str] = {}  # name → view or table

    def register(self) -> None:
        """The rows as `file_<table>`: a view of the DuckDB table holding them (the rows
        read for this load: `SheetResult.held`), else a temporary table they are copied
        into (a DuckDB table, unlike a view of Arrow data, takes every filter the planner
        pushes down), as are the rows still counted when some are left out."""
        self.unregister()
        for table, sheet in self.sheets.items():
            excluded = self.excluded.get(sheet.sheet)
            if sheet.held is not None and not excluded:
                self._view(f"file_{table}", sheet.held)
            else:
                self._copy(f"file_{table}", without_rows(sheet.table, excluded))
            if sheet.held_extra is not None and not excluded:
                self._view(f"file_{sheet.spec.extra_table}", sheet.held_extra)
            elif sheet.extra_headers:
                self._copy(f"file_{sheet.spec.extra_table}", sheet.extra_table)

    def _view(self, name: str, held: str) -> None:
        self.con.execute(f"create temp view {name} as select * from {held}")
        self.registered[name] = "view"

    def _copy(self, name: str, rows: pa.Table) -> None:
        self.con.register("file_rows", rows)
        try:
            self.con.execute(f"create temp table {name} as select * from file_rows")
        finally:
            self.con.unregister("file_rows")
        self.registered[name] = "table"

    def holding(self, sheet: SheetResult, extra: bool = False) -> str | None:
        """The view or temporary table holding exactly `sheet`'s rows (its long-form extra
        rows with `extra`) while registered, for the landing to insert from: DuckDB's own
        rows instead of the Arrow rows converted once more. None where they are not
        exactly those rows: rows left out of the sheet. (A workbook with two sheets of
        one table is refused by the reader: `duplicate_table`.)"""
        table = sheet.spec.extra_table if extra else sheet.spec.table
        name = f"file_{table}"
        held = (
            self.sheets.get(sheet.spec.table) is sheet
            and not self.excluded.get(sheet.sheet)
            and name in self.registered
        )
        return name if held else None

    def unregister(self) -> None:
        for name, kind in self.registered.items():
            self.con.execute(f"drop {kind} if exists {name}")
        self.registered.clear()

    def known(self, table: str, column: str) -> str:
        """SQL for the values of `table.column` in the warehouse or this file."""
        assert table in REFERENCE_TABLES, f"a check reads raw.{table}: add it to REFERENCE_TABLES"
        mine = f" union all select {column} from file_{table}" if table in self.sheets else ""
        return f"select {column} from raw.{table}{mine}"

    def latest(self, table: str, key: str, columns: str) -> str:
        """SQL for the current rows of `table`: this file's, else the latest load's. The
        warehouse's rows are those whose `key` the file does not hold: an anti join, since
        under `not in` one row of the file without its key (a problem of its own) left no
        row of the warehouse current."""
        assert table in REFERENCE_TABLES, f"a check reads raw.{table}: add it to REFERENCE_TABLES"
        warehouse = (
            f"select {columns} from raw.{table} "
            f"qualify load_id = max(load_id) over (partition by {key})"
        )
        if table not in self.sheets:
            return warehouse
        return (
            f"select {columns} from file_{table} union all "
            f"select * from ({warehouse}) "
            f"anti join (select {key} from file_{table}) using ({key})"
        )


def check(con: duckdb.DuckDBPyConnection, view: FileView) -> list[dict]:
    """Every cross-sheet and cross-file problem of the file."""
    found = []
    checkers = (_references, _unit_years, _plan_years, _coverage, _answer_key, _section_scores)
    for checker in checkers:
        found += list(checker(con, view))
    return found


def _references(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """Every value that names a register row no one has: one query per register column
    named (a 科普统计 workbook's five forms all name units: one query, not five), the
    checked values of every sheet and column that name it stacked, each tagged with its
    place (`part`) in the order sheet by sheet, reference by reference."""
    parts: list[tuple[SheetResult, str, str]] = []  # (sheet, column, target table)
    stacked: dict[tuple[str, str], list[str]] = {}  # each part's checked values, as SQL
    lists: list[pa.Table] = []
    for table, sheet in view.sheets.items():
        for (source, column), (target, target_column) in REFERENCES.items():
            if source != table or column not in sheet.column_names:
                continue
            part = len(parts)
            if column in LIST_COLUMNS:  # a plan's few rows: each name of a list its value
                values = sheet.frame[["source_row", column]]
                names = split_list(values[column])
                rows = values.loc[names.index, "source_row"]
                tag = np.full(len(names), part, dtype=np.int32)
                checked = {"part": tag, "source_row": rows.to_numpy(), "value": names.to_numpy()}
                lists.append(pa.table(checked).cast(CHECKED))
                checked_sql = f"select * from listed_values where part = {part}"
            else:
                checked_sql = (
                    f"select {part} as part, source_row, cast({column} as varchar) as value "
                    f"from file_{table}"
                )
            stacked.setdefault((target, target_column), []).append(checked_sql)
            parts.append((sheet, column, target))
    missing = []
    con.register("listed_values", pa.concat_tables(lists) if lists else CHECKED.empty_table())
    try:
        for (target, target_column), selects in stacked.items():
            known = view.known(target, target_column)
            # an anti join, not `not in`: a null among the known values (a register
            # row without its key, itself refused) hides no other row's problem
            missing += con.execute(
                f"select part, source_row, value from ({' union all '.join(selects)}) "
                f"anti join ({known}) as known(value) using (value) where value is not null"
            ).fetchall()
    finally:
        con.unregister("listed_values")
    name = view.result.name
    for part, row, value in sorted(missing, key=lambda found: found[:2]):
        sheet, column, target = parts[part]
        spec = SPECS_BY_TABLE[target]
        yield problem(
            name,
            "unknown_reference",
            "reference",
            sheet=sheet.sheet,
            row=row,
            column=_header(sheet, column),
            value=value,
            register={"zh": spec.zh, "en": spec.en},
        )


def _unit_years(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """A 科普统计 form of a unit whose 单位信息 row is of other years only: the form would
    count nowhere (a unit no year registers is `unknown_reference`'s). One query for all
    the file's forms, stacked, each tagged with its place (`part`)."""
    forms = [
        (table, sheet)
        for table, sheet in view.sheets.items()
        if table != "kp_units" and {"unit_code", "year"} <= set(sheet.column_names)
    ]
    if not forms:
        return
    stacked = " union all ".join(
        f"select {part} as part, source_row, unit_code, year from file_{table}"
        for part, (table, _) in enumerate(forms)
    )
    missing = con.execute(
        "with units as ("
        + view.known("kp_units", "unit_code, year")
        + f"), checked_values as ({stacked}) select c.part, c.source_row, c.unit_code, c.year, "
        "list(distinct u.year order by u.year) as years "
        "from checked_values c join units u on u.unit_code = c.unit_code "
        "group by all having not list_contains(list(u.year), c.year) "
        "order by c.part, c.source_row"
    ).fetchall()
    for part, row, unit, year, years in missing:
        _, sheet = forms[part]
        yield problem(
            view.result.name,
            "unit_other_year",
            "unit_of_year",
            sheet=sheet.sheet,
            row=row,
            column=_header(sheet, "unit_code"),
            value=unit,
            year=year,
            years="、".join(map(str, years)),
        )


def _header(sheet: SheetResult, column: str) -> str:
    column_spec = sheet.spec.column(column)
    return f"{column_spec.zh} ({column})"


def _plan_years(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """A target's year inside its plan's period."""
    if "targets" not in view.sheets:
        return
    sheet = view.sheets["targets"]
    plans = view.latest("plans", "plan_id", "plan_id, period_start, period_end")
    found = con.execute(
        f"select t.source_row, t.target_year, p.plan_id, p.period_start, p.period_end "
        f"from file_targets t join ({plans}) p using (plan_id) "
        "where t.target_year < p.period_start or t.target_year > p.period_end "
        "order by t.source_row"
    ).fetchall()
    for row, year, plan_id, start, end in found:
        yield problem(
            view.result.name,
            "outside_plan",
            "within_plan",
            sheet=sheet.sheet,
            row=row,
            column=_header(sheet, "target_year"),
            value=year,
            plan_id=plan_id,
            start=start,
            end=end if end is not None else "",
        )


def _coverage(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """A respondent's region is the wave's coverage region or lies below it."""
    if "survey_respondents" not in view.sheets:
        return
    sheet = view.sheets["survey_respondents"]
    waves = view.latest("survey_waves", "wave_id", "wave_id, region_code")
    regions = view.latest("regions", "region_code", "region_code, parent_code")
    found = con.execute(
        f"""
        with recursive
        waves as materialized ({waves}),
        regions as materialized ({regions}),
        asked as (
            select distinct r.region_code, w.region_code as coverage
            from file_survey_respondents r join waves w using (wave_id)
        ),
        ancestors(region_code, ancestor, depth) as (
            select region_code, region_code, 0 from (select distinct region_code from asked)
            union all
            select a.region_code, g.parent_code, a.depth + 1
            from ancestors a join regions g on g.region_code = a.ancestor
            where g.parent_code is not null and a.depth < 8
        ),
        outside as (
            select region_code, coverage from asked
            where not exists (
                select 1 from ancestors a
                where a.region_code = asked.region_code and a.ancestor = asked.coverage
            )
        )
        select r.source_row, r.region_code, r.wave_id, o.coverage
        from file_survey_respondents r
        join waves w using (wave_id)
        join outside o on o.region_code = r.region_code and o.coverage = w.region_code
        order by r.source_row
        """
    ).fetchall()
    for row, region, wave_id, coverage in found:
        yield problem(
            view.result.name,
            "outside_coverage",
            "inside_coverage",
            sheet=sheet.sheet,
            row=row,
            column=_header(sheet, "region_code"),
            value=region,
            wave_id=wave_id,
            coverage=coverage,
        )


def _answer_key(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """Every item of an item-scored wave's answer key has a response column."""
    if "survey_respondents" not in view.sheets:
        return
    respondents = view.sheets["survey_respondents"]
    con.register("response_columns", pa.table({"item_code": list(respondents.extra_headers)}))
    waves = view.latest("survey_waves", "wave_id", "wave_id, scoring")
    items = view.latest("survey_items", "wave_id", "wave_id, item_code")
    located = (
        "select wave_id, item_code, source_row from file_survey_items"
        if "survey_items" in view.sheets
        else "select null as wave_id, null as item_code, null as source_row where false"
    )
    try:
        found = con.execute(
            f"""
            with waves as ({waves}),
            items as ({items}),
            located as ({located})
            select i.wave_id, i.item_code, l.source_row
            from items i
            join waves w using (wave_id)
            left join located l using (wave_id, item_code)
            where w.scoring = 'items'
              and i.wave_id in (select wave_id from file_survey_respondents)
              and i.item_code not in (select item_code from response_columns)
            order by l.source_row, i.item_code
            """
        ).fetchall()
    finally:
        con.unregister("response_columns")
    for wave_id, item, row in found:
        sheet = view.sheets["survey_items"] if row is not None else respondents
        yield problem(
            view.result.name,
            "item_without_column",
            "item_column",
            sheet=sheet.sheet,
            row=row if row is not None else None,
            column=_header(sheet, "item_code") if row is not None else None,
            value=item,
            wave_id=wave_id,
            respondents=respondents.sheet,
        )


def _section_scores(con: duckdb.DuckDBPyConnection, view: FileView) -> Iterator[dict]:
    """The section scores of a section-scored wave are numbers ≥ 0."""
    respondents = view.sheets.get("survey_respondents")
    if respondents is None or not respondents.extra_headers:
        return
    waves = view.latest("survey_waves", "wave_id", "wave_id, scoring")
    found = con.execute(
        f"""
        select r.source_row, r.item_code, r.response
        from file_survey_responses r join ({waves}) w using (wave_id)
        where w.scoring = 'sections' and not coalesce(
            isfinite(try_cast(r.response as double)) and try_cast(r.response as double) >= 0,
            false
        )
        order by r.source_row, r.item_code
        """
    ).fetchall()
    for row, item, value in found:
        yield problem(
            view.result.name,
            "not_number",
            "score",
            sheet=respondents.sheet,
            row=row,
            column=item,
            value=value,
            minimum=0,
        )
