"""How the Excel report looks: cached formats, typed cells, widths from content, a frozen
header and a filter on each table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import xlsxwriter

HEADER_FILL = "D9E1F2"


class Formats:
    """xlsxwriter formats, created once per workbook for each set of properties."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, num_format: str | None = None, fill: str | None = None, **extra: Any) -> Any:
        key = (num_format, fill, tuple(sorted(extra.items())))
        if key not in self._cache:
            props: dict[str, Any] = {"valign": "top", **extra}
            if num_format:
                props["num_format"] = num_format
            if fill:
                props.update(bg_color=f"#{fill}", pattern=1)
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    @property
    def header(self) -> Any:
        return self.get(None, HEADER_FILL, bold=True, border=1, text_wrap=True)


class Sheet:
    """One table on one sheet: header row, typed cells, widths from content, frozen header."""

    def __init__(self, book: xlsxwriter.Workbook, formats: Formats, name: str) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.widths: dict[int, int] = {}
        self.row = 0
        self.header_row = 0

    def write(
        self,
        row: int,
        col: int,
        value: Any,
        num_format: str | None = None,
        fill: str | None = None,
        **extra: Any,
    ) -> None:
        fmt = self.formats.get(num_format, fill, **extra)
        if value is None:
            self.sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, value, fmt)
        elif isinstance(value, datetime | date):
            moment = datetime(value.year, value.month, value.day)
            self.sheet.write_datetime(row, col, moment, self.formats.get("yyyy-mm-dd", fill))
        else:
            self.sheet.write_string(row, col, str(value), fmt)
        shown = value.isoformat() if isinstance(value, date) else value
        self._measure(col, "" if shown is None else str(shown))

    def cells(self, cells: list[tuple[Any, str | None]]) -> None:
        """One row of (value, number format) from the first column."""
        for col, (value, num_format) in enumerate(cells):
            self.write(self.row, col, value, num_format)
        self.row += 1

    def header(self, labels: list[str]) -> None:
        self.header_row = self.row
        for col, label in enumerate(labels):
            self.sheet.write_string(self.row, col, label, self.formats.header)
            self._measure(col, label)
        self.row += 1

    def _measure(self, col: int, text: str) -> None:
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
        self.widths[col] = max(self.widths.get(col, 8), min(width, 50))

    def finish(self, columns: int) -> None:
        for col, width in sorted(self.widths.items()):
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(self.header_row + 1, 0)
        if self.row > self.header_row + 1:
            self.sheet.autofilter(self.header_row, 0, self.row - 1, columns - 1)
