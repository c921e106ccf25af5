"""Open a file offered to the loader and hand back its sheets as grids, or refuse it.

Everything that can go wrong before a cell is typed is decided here, each as one located
`Refusal` (never a traceback): an empty file, a file that is not what its name says (a
PNG, a PDF, an HTML page, text named .xlsx), a password-protected workbook, a damaged
one, a CSV in an encoding we do not read, a file above the size limits. Limits are
checked before the reader allocates: a workbook's parts are decompressed as a stream and
counted, and each sheet's XML is scanned for the last row and column that hold a value,
so a decompression bomb or a stray cell in XFD1048576 is refused by name.

The same scan finds what the spreadsheet reader cannot tell from an empty cell: a
formula without a saved result, and an error value (#DIV/0!, #REF!). They are returned
as flagged cells, for the sheet reader to refuse where they fall inside a table.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from isal import isal_zlib
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

from ingest.problems import Refusal, column_letter
from ingest.settings import Limits, limits

WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
SUFFIXES = {**WORKBOOK_SUFFIXES, ".csv": "csv"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"BM", "BMP"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7Z"),
)
CHUNK = 8 << 20
MAX_ROW_BYTES = 64 << 20  # one <row> element larger than this is not a return
SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(rb'\br="([A-Z]{1,4})(\d{1,8})"')
# A cell that does not name its reference first: `<c>`, or `<c ` not followed by `r="`
# (one pass of the regular expression engine; a count of each form was two passes more).
UNREFERENCED_CELL = re.compile(rb'<c(?:>| (?!r="))')
ROW_REF = re.compile(rb'\br="(\d{1,8})"')


class Grid:
    """One sheet, read on demand: its first rows (row 0 is row 1, column 0 is column A)
    for finding the header, then every row as a stream, so the whole grid never exists
    as Python objects; and the cells whose value the reader could not give. A csv read
    column-wise holds its first rows as Python lists and the rest as Arrow text columns
    (`rows_from`), the whole file as rows a person counts, one per record."""

    def __init__(
        self,
        name: str,
        rows: list[list[object]] | None = None,
        flagged: dict[tuple[int, int], tuple[str, str]] | None = None,
        sheet: object | None = None,
        columns: pa.Table | None = None,
    ):
        self.name = name
        self.flagged = flagged or {}
        self._rows = rows
        self._sheet = sheet  # a python-calamine sheet: its cells held once, in Rust
        self._columns = columns  # the rows after `rows`, one text column per position

    def head(self, count: int) -> list[list[object]]:
        if self._rows is not None:
            if self._columns is None or count <= len(self._rows):
                return self._rows[:count]
            return self._rows + _table_rows(self._columns.slice(0, count - len(self._rows)))
        return self._sheet.to_python(skip_empty_area=False, nrows=count)

    def rows(self) -> Iterator[list[object]]:
        """Every row from row 1, each as long as the sheet's used width from column A."""
        if self._rows is not None:
            yield from self._rows
            if self._columns is not None:
                for batch in self._columns.to_batches():
                    yield from _table_rows(batch)
            return
        start = self._sheet.start
        if not start or not start[1]:
            yield from self._sheet.iter_rows()
            return
        offset = [None] * start[1]
        for row in self._sheet.iter_rows():
            yield offset + row

    def rows_from(self, start: int) -> tuple[Iterator[list[object]], pa.Table | None]:
        """The rows from `start` (0-based): those held as Python rows, then the rest as
        text columns (None when the grid holds none)."""
        if self._columns is None:
            return islice(self.rows(), start, None), None
        skipped = max(0, start - len(self._rows))
        return iter(self._rows[start:]), self._columns.slice(skipped)

    def is_empty(self) -> bool:
        if self._sheet is not None:
            if self._sheet.start is None:
                return True
            if self._sheet.height * self._sheet.width > 10_000:
                return False
        if self._columns is not None:
            if any(not is_blank(c) for row in self._rows for c in row):
                return False
            distinct = (pc.unique(column).to_pylist() for column in self._columns.columns)
            return all(is_blank(c) for cells in distinct for c in cells)
        return not any(not is_blank(c) for row in self.rows() for c in row)

    def release(self) -> None:
        self._rows, self._sheet, self._columns = None, None, None


def is_blank(cell: object) -> bool:
    """An empty cell, or one of blanks only."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table_rows(table: pa.Table | pa.RecordBatch) -> list[list[object]]:
    return [list(row) for row in zip(*(c.to_pylist() for c in table.columns), strict=True)]


def file_kind(display_name: str) -> str | None:
    """'xlsx', 'xls' or 'csv' from the name's suffix; None for any other suffix."""
    return SUFFIXES.get(PurePosixPath(display_name.replace("\\", "/")).suffix.lower())


def open_grids(path: Path, display_name: str) -> list[Grid]:
    """The sheets of the file at `path` (offered as `display_name`), or a Refusal."""
    settings = limits()
    kind = file_kind(display_name)
    if kind is None:
        suffix = PurePosixPath(display_name).suffix or display_name
        raise Refusal("suffix_unsupported", "file_format", suffix=suffix)
    size = path.stat().st_size
    if size == 0:
        raise Refusal("file_empty", "file_format")
    if size > settings.file_bytes:
        raise Refusal(
            "file_too_large",
            "within_limit",
            size_mb=round(size / (1 << 20), 1),
            limit_mb=settings.file_mb,
            setting="KEPU_MAX_FILE_MB",
        )
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(ZIP_MAGIC):
        if kind == "csv":
            raise Refusal("file_type", "file_format", detected="XLSX/ZIP")
        return _xlsx_grids(path, settings)
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_package(path):
            raise Refusal("workbook_encrypted", "no_password")
        if kind == "csv":
            raise Refusal("file_type", "file_format", detected="XLS")
        return _calamine_grids(path, {})
    detected = _signature(head)
    if detected or kind != "csv":
        raise Refusal("file_type", "file_format", detected=detected or _text_or_binary(head))
    return [_csv_grid(path, display_name, settings)]


# What a peek reads at most: enough for a csv header or a workbook's sheet list.
PEEK_BYTES = 1 << 16


def peek_sheets(path: Path, display_name: str) -> list[tuple[str, list[list[object]]]]:
    """The sheet names of a file and, for csv, its first lines, read cheaply (no sheet is
    parsed): enough to tell which tables it brings. Empty when that cannot be told this
    way; reading the file is what judges it."""
    kind = file_kind(display_name)
    try:
        if kind == "xlsx" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("xl/workbook.xml")
                if info.file_size > PEEK_BYTES:
                    return []
                root = ElementTree.fromstring(archive.read(info))
            return [(e.get("name", ""), []) for e in root.iter() if e.tag.endswith("}sheet")]
        if kind == "csv":
            with path.open("rb") as handle:
                data = handle.read(PEEK_BYTES)
            text = decode_text(data[: data.rfind(b"\n") + 1] if len(data) == PEEK_BYTES else data)
            lines = list(csv.reader(io.StringIO(text, newline="")))
            return [(PurePosixPath(display_name).stem, lines[:-1] or lines)]
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError, Refusal, csv.Error):
        return []
    return []


def _signature(head: bytes) -> str | None:
    for magic, name in SIGNATURES:
        if head.startswith(magic):
            return name
    start = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return "HTML"
    if start.startswith(b"<?xml"):
        return "XML"
    return None


def _text_or_binary(head: bytes) -> str:
    return "binary" if b"\x00" in head.lstrip(codecs.BOM_UTF16_LE) else "text"


# Compound-file (OLE2) files: a legacy .xls, or an encrypted .xlsx, which Office stores as
# a compound file holding the streams EncryptionInfo and EncryptedPackage.
def _is_encrypted_package(path: Path) -> bool:
    names = _compound_file_names(path)
    return "EncryptedPackage" in names or "EncryptionInfo" in names


def _compound_file_names(path: Path) -> set[str]:
    """The names in a compound file's directory (reads the header, FAT and directory)."""
    data = path.read_bytes()
    try:
        sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
        directory_start = struct.unpack_from("<i", data, 48)[0]
        fat_sectors = [s for s in struct.unpack_from("<109i", data, 76) if s >= 0]
        fat: list[int] = []
        for sector in fat_sectors:
            offset = (sector + 1) * sector_size
            fat += struct.unpack_from(f"<{sector_size // 4}i", data, offset)
        names: set[str] = set()
        sector, seen = directory_start, set()
        while sector >= 0 and sector not in seen and sector < len(fat):
            seen.add(sector)
            offset = (sector + 1) * sector_size
            for entry in range(offset, offset + sector_size, 128):
                length = struct.unpack_from("<H", data, entry + 64)[0]
                if 2 <= length <= 64:
                    names.add(data[entry : entry + length - 2].decode("utf-16-le", "replace"))
            sector = fat[sector]
        return names
    except (struct.error, ValueError):
        return set()


def _xlsx_grids(path: Path, settings: Limits) -> list[Grid]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Refusal("workbook_corrupt", "file_format", reason="zip") from error
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if "EncryptedPackage" in members:
            raise Refusal("workbook_encrypted", "no_password")
        if "xl/workbook.xml" not in members:
            raise Refusal("file_type", "file_format", detected="ZIP")
        declared = sum(info.file_size for info in members.values())
        if declared > settings.unpacked_bytes:
            raise _unpacked_too_large(settings, "")
        scans, names = _scan_parts(archive, members, settings)
    flagged: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    for member, scan in scans.items():
        sheet = names.get(member, member)
        cells = scan.rows * scan.columns
        if cells > settings.sheet_cells:
            raise Refusal(
                "sheet_too_large",
                "within_limit",
                sheet=sheet,
                range=f"A1:{column_letter(scan.columns - 1)}{scan.rows}",
                rows=scan.rows,
                columns=scan.columns,
                cells=cells,
                limit=settings.sheet_cells,
                setting="KEPU_MAX_SHEET_CELLS",
            )
        flagged[sheet] = scan.flagged
    return _calamine_grids(path, flagged)


def _unpacked_too_large(settings: Limits, member: str) -> Refusal:
    return Refusal(
        "unpacked_too_large",
        "within_limit",
        member=member,
        limit_mb=settings.unpacked_mb,
        setting="KEPU_MAX_UNPACKED_MB",
    )


# The compression methods zipfile decompresses; a part packed otherwise cannot be read.
READABLE_COMPRESSION = frozenset(
    (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
)


def _scan_parts(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], settings: Limits
) -> tuple[dict[str, SheetScan], dict[str, str]]:
    """Decompress every XML part as a stream, counting bytes against the limit (the sizes
    a zip declares can lie) and scanning the worksheets; then map parts to sheet names."""
    total = 0
    scans: dict[str, SheetScan] = {}
    small: dict[str, bytes] = {}
    for name, info in members.items():
        if not name.endswith((".xml", ".rels")) or info.is_dir():
            continue
        if info.compress_type not in READABLE_COMPRESSION:  # e.g. Deflate64: zipfile cannot
            raise Refusal("workbook_corrupt", "file_format", reason="crc")
        scan = SheetScan() if name.startswith("xl/worksheets/") else None
        kept = bytearray()
        try:
            for chunk in _chunks(_member(archive, info), scan):
                total += len(chunk)
                if total > settings.unpacked_bytes:
                    raise _unpacked_too_large(settings, name)
                if scan is None and len(kept) < (1 << 20):
                    kept += chunk
        except (zipfile.BadZipFile, zlib.error, isal_zlib.error, EOFError, OSError) as error:
            raise Refusal("workbook_corrupt", "file_format", reason="crc") from error
        except RuntimeError as error:  # zipfile: a member encrypted with a zip password
            raise Refusal("workbook_encrypted", "no_password") from error
        if scan is not None:
            scans[name] = scan
        else:
            small[name] = bytes(kept)
    return scans, _sheet_parts(small)


def _chunks(chunks: Iterator[bytes], scan: SheetScan | None) -> Iterator[bytes]:
    if scan is None:
        yield from chunks
        return
    for chunk in chunks:
        scan.feed(chunk)
        yield chunk
    scan.finish()


# A zip member's local header: signature, versions, flags, method, time, date, CRC-32,
# sizes, then the lengths of its name and extra field, which the data follows.
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
ENCRYPTED = 0x1  # general purpose flag bit 0: the member is encrypted


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks of at most CHUNK, its CRC-32 checked at the end (a
    mismatch, a cut stream or bad data raise what zipfile raises). A deflated member is
    inflated by ISA-L, five times zlib's speed: a 200,000-row sheet's 103 MB read,
    inflated and checked in 0.10 s against zipfile's 0.33 s. Other methods by zipfile."""
    if info.flag_bits & ENCRYPTED:
        raise RuntimeError(f"{info.filename} is encrypted")  # as zipfile says it
    if info.compress_type != zipfile.ZIP_DEFLATED:
        with archive.open(info) as stream:
            yield from iter(lambda: stream.read(CHUNK), b"")
        return
    with open(archive.filename, "rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(LOCAL_HEADER.size)
        if len(header) < LOCAL_HEADER.size or not header.startswith(ZIP_MAGIC[0]):
            raise zipfile.BadZipFile(f"{info.filename}: no local header")
        *_, name_length, extra_length = LOCAL_HEADER.unpack(header)
        handle.seek(name_length + extra_length, os.SEEK_CUR)
        inflater = isal_zlib.decompressobj(-15)  # raw deflate, as zip stores it
        left, crc = info.compress_size, 0
        while not inflater.eof:
            data = inflater.unconsumed_tail
            if not data:
                data = handle.read(min(CHUNK, left))
                if not data:
                    raise EOFError(f"{info.filename}: compressed data ends early")
                left -= len(data)
            chunk = inflater.decompress(data, CHUNK)  # at most CHUNK bytes out: no bomb
            crc = isal_zlib.crc32(chunk, crc)
            if chunk:
                yield chunk
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _sheet_parts(small: dict[str, bytes]) -> dict[str, str]:
    """Worksheet part → sheet name, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(small.get("xl/workbook.xml", b""))
        rels = ElementTree.fromstring(small.get("xl/_rels/workbook.xml.rels", b"<r/>"))
    except ElementTree.ParseError as error:
        raise Refusal("workbook_corrupt", "file_format", reason="xml") from error
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PACKAGE_RELS_NS}Relationship")
    }
    parts = {}
    for sheet in book.iter(f"{SPREADSHEET_NS}sheet"):
        target = targets.get(sheet.get(f"{RELATIONSHIP_NS}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[str(PurePosixPath(member))] = sheet.get("name", "")
    return parts


class SheetScan:
    """The used range of a worksheet's XML, fed in chunks: the last row and column that
    hold a cell with content (an empty, only formatted cell does not count, as it does
    not for the reader), and the cells whose value the reader cannot give."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.flagged: dict[tuple[int, int], tuple[str, str]] = {}
        self._carry = b""
        self._last_row = 0

    def feed(self, chunk: bytes) -> None:
        """Scan the chunk's whole rows (the part before its first row end joined to the
        rows carried from the chunk before); carry the rest. The chunk itself is scanned
        in place, not copied: two copies of every chunk cost a third of the scan."""
        cut = chunk.rfind(b"</row>")
        if cut < 0:
            self._carry += chunk
            if len(self._carry) > MAX_ROW_BYTES:  # a row this big is refused as too many cells
                self.rows, self.columns = 1 << 20, 1 << 14
                self._carry = b""
            return
        cut += len(b"</row>")
        start = 0
        if self._carry:
            start = chunk.find(b"</row>") + len(b"</row>")
            self._scan(self._carry + chunk[:start])
        if start < cut:
            self._scan(chunk, start, cut)
        self._carry = chunk[cut:]

    def finish(self) -> None:
        end = self._carry.find(b"</sheetData>")
        if end >= 0:
            self._scan(self._carry[:end])
        self._carry = b""

    def _scan(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Scan data[start:end], whole rows."""
        end = len(data) if end is None else end
        if not _has_rare_cell(memoryview(data)[start:end], self.columns):
            self._last_rows(data, start, end)  # the common block: nothing else can change
            return
        block = data[start:end] if start or end < len(data) else data
        if UNREFERENCED_CELL.search(block) is None:
            self._scan_referenced(block)
        else:
            self._scan_rows(block)
        if b"<f" in block:
            self._formulas(block)
        if b't="e"' in block:
            self._errors(block)

    def _scan_referenced(self, block: bytes) -> None:
        """`_scan_rows` where every cell names its reference first (as Excel, openpyxl
        and xlsxwriter write them), in a few passes of the regular expression engine over
        the block instead of a Python loop over its rows: columns beyond the widest so far
        are looked for until there are none."""
        self._last_rows(block)
        while found := _content_cell_beyond(self.columns).search(block):
            self.columns = _letters_to_index(found.group(1))

    def _last_rows(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """The last row of data[start:end], and its last row with content, where every cell
        names its reference first: rows ascend in a worksheet, so the last cell with
        content (the last one not self-closed, `</c>`) is in the last row with content."""
        end = len(data) if end is None else end
        row = data.rfind(b"<row", start, end)
        found = ROW_REF.search(data, row, data.find(b">", row, end)) if row >= 0 else None
        if found:
            self._last_row = int(found.group(1))
        close = data.rfind(b"</c>", start, end)
        if close < 0:
            return
        found = CELL_REF.search(data, data.rfind(b'<c r="', start, close), end)
        self.rows = max(self.rows, int(found.group(2)))

    def _scan_rows(self, block: bytes) -> None:
        position = 0
        while True:
            end = block.find(b"</row>", position)
            if end < 0:
                break
            start = block.rfind(b"<row", position, end)
            start = position if start < 0 else start
            tag_end = block.find(b">", start)
            found = ROW_REF.search(block, start, tag_end)
            row = int(found.group(1)) if found else self._last_row + 1
            self._last_row = row
            column = _last_value_column(block, start, end)
            if column:
                self.rows = max(self.rows, row)
                self.columns = max(self.columns, column)
            position = end + len(b"</row>")

    def _formulas(self, block: bytes) -> None:
        hit = block.find(b"<f")
        while hit >= 0:
            if block[hit + 2 : hit + 3] in (b">", b" ", b"/"):
                cell = _enclosing_cell(block, hit)
                close = block.find(b"</c>", hit)
                content = block[hit : close if close >= 0 else len(block)]
                value = content.find(b"<v>")
                missing = value < 0 or content[value + 3 : value + 7] == b"</v>"
                if missing and cell is not None:
                    self.flagged.setdefault(cell, ("formula_no_value", ""))
            hit = block.find(b"<f", hit + 2)

    def _errors(self, block: bytes) -> None:
        hit = block.find(b't="e"')
        while hit >= 0:
            cell = _enclosing_cell(block, hit)
            start = block.find(b"<v>", hit)
            stop = block.find(b"</v>", start)
            shown = block[start + 3 : stop].decode("utf-8", "replace") if start >= 0 else ""
            if cell is not None:
                self.flagged[cell] = ("cell_error", shown)
            hit = block.find(b't="e"', hit + 5)


def _has_rare_cell(block: memoryview, columns: int) -> bool:
    """Whether the block holds a cell the common block lacks: one not naming its reference
    first, a formula, an error value, or a cell with content beyond the `columns`-th. One
    pass of RE2 (through Arrow, over the block in place) finds any of them, where Python's
    engine made four (0.15 s against 0.41 s for a 200,000-row sheet's 103 MB); the block
    that holds one is then scanned as before."""
    offsets = pa.py_buffer(struct.pack("<2q", 0, len(block)))
    text = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(block)])
    return pc.match_substring_regex(text, _rare_cell(columns))[0].as_py()


@lru_cache(maxsize=256)
def _rare_cell(columns: int) -> str:
    """`_has_rare_cell`'s expression: UNREFERENCED_CELL, a formula's start tag (`_formulas`),
    `t="e"` (`_errors`) and `_content_cell_beyond`, in RE2's syntax (no look-arounds)."""
    letters = _greater_letters(column_letter(columns - 1)) if columns else "[A-Z]{1,4}"
    return "|".join((
        '<c>|<c (?:[^r]|r[^=]|r=[^"])',
        "<f[ >/]",
        't="e"',
        rf'<c r="(?:{letters})\d{{1,8}}"(?:[^>]*[^>/])?>',
    ))  # fmt: skip


def _letters_to_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index


def _greater_letters(letters: str) -> str:
    """A regular expression matching the column letters after `letters` (A < Z < AA)."""
    longer = f"[A-Z]{{{len(letters) + 1},4}}"
    same = [
        f"{letters[:at]}[{chr(ord(letter) + 1)}-Z][A-Z]{{{len(letters) - at - 1}}}"
        for at, letter in enumerate(letters)
        if letter != "Z"
    ]
    return "|".join([*same, longer])


@lru_cache(maxsize=256)
def _content_cell_beyond(columns: int) -> re.Pattern[bytes]:
    """A cell with content (its start tag not self-closed) whose column is after the
    `columns`-th, its reference first."""
    letters = _greater_letters(column_letter(columns - 1)) if columns else "[A-Z]{1,4}"
    return re.compile(rf'<c r="({letters})\d{{1,8}}"[^>]*(?<!/)>'.encode())


def _enclosing_cell(block: bytes, position: int) -> tuple[int, int] | None:
    """(row, column), 0-based, of the <c> element around `position`."""
    start = block.rfind(b"<c ", 0, position)
    if start < 0:
        return None
    found = CELL_REF.search(block, start, block.find(b">", start))
    if not found:
        return None
    return int(found.group(2)) - 1, _letters_to_index(found.group(1)) - 1


def _last_value_column(block: bytes, start: int, end: int) -> int:
    """The 1-based column of the last cell with content in the row block[start:end]."""
    stop = end
    while True:
        cell = block.rfind(b"<c ", start, stop)
        if cell < 0:
            cell = block.rfind(b"<c>", start, stop)
            if cell < 0:
                return 0
        tag_end = block.find(b">", cell)
        if block[tag_end - 1 : tag_end] == b"/":
            stop = cell
            continue
        found = CELL_REF.search(block, cell, tag_end)
        if found:
            return _letters_to_index(found.group(1))
        return block.count(b"<c ", start, cell) + block.count(b"<c>", start, cell) + 1


def _calamine_grids(path: Path, flagged: dict[str, dict]) -> list[Grid]:
    """Every worksheet of the workbook through python-calamine, parsed sheet by sheet."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [s.name for s in book.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
    except PasswordError as error:
        raise Refusal("workbook_encrypted", "no_password") from error
    except BaseException as error:  # a Rust panic in the reader arrives as BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        raise Refusal("workbook_corrupt", "file_format", reason="reader") from error
    grids = []
    for name in sheets:
        try:
            sheet = book.get_sheet_by_name(name)
        except PasswordError as error:
            raise Refusal("workbook_encrypted", "no_password") from error
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            raise Refusal("workbook_corrupt", "file_format", sheet=name, reason="reader") from error
        grids.append(Grid(name, flagged=flagged.get(name, {}), sheet=sheet))
    book.close()
    return grids


# CSV: what Excel and WPS write on a Chinese Windows (GBK, i.e. GB18030), UTF-8 with or
# without a byte-order mark, and UTF-16 ("Unicode text", tab-separated).
def decode_text(data: bytes) -> str:
    """The text of a CSV file in one of the encodings we read, or a Refusal."""
    return _decoded(data)[0]


def _decoded(data: bytes) -> tuple[str, str, int]:
    """`decode_text`, with the encoding found and the length of the byte-order mark."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding), encoding, len(bom)
    if b"\x00" in data:
        sample = data[:4096]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return _decode(data, "utf-16-le"), "utf-16-le", 0
        if even > len(sample) // 4 and odd == 0:
            return _decode(data, "utf-16-be"), "utf-16-be", 0
        raise Refusal("file_type", "file_format", detected="binary")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding, 0
        except UnicodeDecodeError:
            continue
    raise Refusal("csv_encoding", "csv_encoding")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise Refusal("csv_encoding", "csv_encoding", encoding=encoding) from error


# Records of a csv read by csv.reader as Python rows before the rest is read column-wise:
# more than the header search looks at (HEADER_SCAN_ROWS in ingest.read), so the about
# rows above the header and the header itself may have any width.
CSV_HEAD_ROWS = 32
# A line break first or right after another is a blank line: csv.reader reads it as an
# empty record, Arrow as a row of empty fields; such a file is read by csv.reader alone.
BLANK_LINES = ("\n\n", "\n\r", "\r\r")


def _csv_grid(path: Path, display_name: str, settings: Limits) -> Grid:
    """The csv's records: the first by csv.reader, the rest by Arrow's csv reader into
    text columns when they are all as wide as the first of them and no line is blank
    (the two readers give the same text then: no trimming, no nulls, quotes and doubled
    quotes and line breaks in quoted fields alike); otherwise all by csv.reader."""
    data = path.read_bytes()
    text, encoding, bom = _decoded(data)
    if "\x00" in text:
        raise Refusal("file_type", "file_format", detected="binary")
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    sheet = PurePosixPath(display_name).stem
    cells = _CellCount(sheet, settings)
    csv.field_size_limit(settings.file_bytes)
    lines = _Lines(text)
    rows = _csv_records(lines, delimiter, cells, CSV_HEAD_ROWS)
    body = text[lines.end :]
    columns = None
    if body:
        # the body's bytes: the file's own where it is UTF-8 (as Arrow reads), not encoded anew
        start = bom + len(text[: lines.end].encode("utf-8")) if encoding == "utf-8" else None
        encoded = memoryview(data)[start:] if start is not None else body.encode("utf-8")
        columns = _csv_columns(body, encoded, delimiter, cells)
    if columns is None and body:
        rows = _csv_records(io.StringIO(text, newline=""), delimiter, _CellCount(sheet, settings))
    return Grid(sheet, rows=rows, columns=columns)


class _Lines:
    """The lines of a text as csv.reader reads them (each ending in \\r\\n, \\n or \\r),
    counting how far it has read: csv.reader asks for a line only when a record needs it."""

    LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

    def __init__(self, text: str):
        self.text, self.end = text, 0

    def __iter__(self) -> Iterator[str]:
        for line in self.LINE.finditer(self.text):
            self.end = line.end()
            yield line.group()


class _CellCount:
    """Rows × widest row so far, refused (sheet_too_large) as soon as it passes the limit."""

    def __init__(self, sheet: str, settings: Limits):
        self.sheet, self.limit, self.rows, self.width = sheet, settings.sheet_cells, 0, 0

    def add(self, count: int, width: int) -> None:
        """`count` more rows, the widest `width` cells wide."""
        self.width = max(self.width, width)
        if self.width * (self.rows + count) > self.limit:
            self.rows = max(self.rows + 1, self.limit // self.width + 1)
            raise Refusal(
                "sheet_too_large",
                "within_limit",
                sheet=self.sheet,
                range=f"A1:{column_letter(self.width - 1)}{self.rows}+",
                rows=self.rows,
                columns=self.width,
                cells=self.width * self.rows,
                limit=self.limit,
                setting="KEPU_MAX_SHEET_CELLS",
            )
        self.rows += count


def _csv_records(
    lines: Iterable[str], delimiter: str, cells: _CellCount, count: int | None = None
) -> list[list[object]]:
    """The first `count` records (all when None) of the lines, by csv.reader."""
    rows: list[list[object]] = []
    try:
        for row in islice(csv.reader(lines, delimiter=delimiter), count):
            cells.add(1, len(row))
            rows.append(row)
    except csv.Error as error:
        raise Refusal(
            "workbook_corrupt", "file_format", reason="csv", line=len(rows) + 1
        ) from error
    return rows


def _csv_columns(
    body: str, encoded: bytes | memoryview, delimiter: str, cells: _CellCount
) -> pa.Table | None:
    """The records of `body` (`encoded` its UTF-8 bytes) as text columns f0, f1, …, or
    None when they are not all as wide as the first or a line is blank (or Arrow cannot
    read them): csv.reader's work."""
    if body.startswith(("\r", "\n")):
        return None
    try:
        first = next(csv.reader(_Lines(body), delimiter=delimiter))
        names = [f"f{i}" for i in range(len(first))]
        reader = pa_csv.open_csv(
            pa.py_buffer(encoded),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
        batches = []
        for batch in reader:
            cells.add(batch.num_rows, len(names))
            batches.append(batch)
    except (pa.ArrowInvalid, csv.Error):
        return None
    table = pa.Table.from_batches(batches, reader.schema)
    # Arrow reads a blank line as a row of empty fields, as it reads a line of delimiters
    # only; the text says which it is, looked at only when there is such a row (looking
    # for a blank line in every file took 0.2 s of each 50 MB)
    if _has_empty_row(table) and any(blank in body for blank in BLANK_LINES):
        return None
    return table


def _has_empty_row(table: pa.Table) -> bool:
    """Whether some row of the text columns is empty in every column."""
    empty = None
    for column in table.columns:
        here = pc.equal(pc.binary_length(column), 0)
        empty = here if empty is None else pc.and_(empty, here)
    return empty is not None and pc.any(empty).as_py() is True
