"""Limits on what a file offered to the loader may cost, read once from the environment.

The defaults are far above any return a district or a province sends (a national survey
wave of 300,000 respondents × 60 columns is 18 million cells and about 1 GB of sheet XML)
and far below what would exhaust the machine: a decompression bomb or a stray cell in
XFD1048576 is refused by name before any grid is allocated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Each limit with the environment variable that changes it."""

    file_mb: int = 256  # KEPU_MAX_FILE_MB: bytes of the file as offered
    unpacked_mb: int = 4096  # KEPU_MAX_UNPACKED_MB: a workbook's XML once decompressed
    sheet_cells: int = 40_000_000  # KEPU_MAX_SHEET_CELLS: rows × columns of a sheet's used range

    @property
    def file_bytes(self) -> int:
        return self.file_mb * MB

    @property
    def unpacked_bytes(self) -> int:
        return self.unpacked_mb * MB


SETTINGS = {
    "file_mb": "KEPU_MAX_FILE_MB",
    "unpacked_mb": "KEPU_MAX_UNPACKED_MB",
    "sheet_cells": "KEPU_MAX_SHEET_CELLS",
}


@cache
def limits() -> Limits:
    """The limits in force: each environment variable that is set (a positive whole
    number) replaces its default. A malformed value is a configuration error, raised."""
    given = {}
    for field, variable in SETTINGS.items():
        value = os.environ.get(variable)
        if value is None or not value.strip():
            continue
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number <= 0:
            raise ValueError(f"{variable} must be a positive whole number, not {value!r}")
        given[field] = number
    return Limits(**given)
