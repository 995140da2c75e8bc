"""Bounds on an imported sheet, checked before anything is parsed for real (issue 20,
item 2). A spreadsheet is a zip of XML: a few KB can declare a sheet of 17 billion
cells, one row of three million cells, or 240 MB of shared strings — each of which
openpyxl would build in memory. So, in this order, stopping at the first bound crossed
with a message that names it:

1. the zip's directory (nothing decompressed): number of parts, each part's and the
   total unpacked size, the compression ratio of the larger parts;
2. one streaming pass over every SpreadsheetML part (expat, nothing kept): declared
   dimension, rows, columns, characters per cell, number of shared strings; no DTD;
3. only then openpyxl, read-only (see supplier_import).

A CSV is checked the same way: rows, columns and characters per cell, and no line so
long that the csv module would build a huge row before we could count it.

The zip module itself never unpacks more than a part declares (a part that lies about
its size fails its CRC check), so the declared sizes are the real bounds.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from scm_plugin.errors import InvalidInput
from scm_plugin.messages import Coded

MAX_PARTS = 100                      # Excel writes 10–30
MAX_UNPACKED_MB = 30                 # all parts together
MAX_OTHER_PART_MB = 10               # a part outside xl/worksheets/ (shared strings, styles …)
MAX_RATIO = 100                      # for parts above RATIO_FLOOR_BYTES; Excel's sheets are 5–20
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_COLUMNS = 100
MAX_CELL_CHARS = 1000
MAX_SHARED_STRINGS = 100_000
_CHUNK = 64 * 1024
_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


@dataclass(frozen=True)
class Caps:
    rows: int                        # rows a sheet may have, header and blank lines included
    row_limit: int                   # the import's row limit, as the message names it
    columns: int = MAX_COLUMNS
    cell_chars: int = MAX_CELL_CHARS
    shared_strings: int = MAX_SHARED_STRINGS


def refuse(code: str, **variables):
    raise InvalidInput({"file": Coded(code, **variables)})


# --- xlsx --------------------------------------------------------------------------------
def check_zip(zf: zipfile.ZipFile) -> None:
    """Step 1: what the zip's directory says, before anything is unpacked."""
    parts = zf.infolist()
    if len(parts) > MAX_PARTS:
        refuse("import_zip_parts", limit=MAX_PARTS)
    total = 0
    for info in parts:
        total += info.file_size
        if total > MAX_UNPACKED_MB * 1024 * 1024:
            refuse("import_zip_size", limit=MAX_UNPACKED_MB)
        if not info.filename.startswith("xl/worksheets/") and info.file_size > MAX_OTHER_PART_MB * 1024 * 1024:
            refuse("import_zip_part_size", part=info.filename[:100], limit=MAX_OTHER_PART_MB)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            refuse("import_zip_ratio", part=info.filename[:100], limit=MAX_RATIO)


def check_xlsx(zf: zipfile.ZipFile, caps: Caps) -> None:
    """Steps 1 and 2. Raises InvalidInput({"file": code}) at the first bound crossed."""
    check_zip(zf)
    for info in zf.infolist():
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size:
            _scan_part(zf, info, caps)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Scan:
    """The counters of one streaming pass over a part."""

    def __init__(self, caps: Caps):
        self.caps = caps
        self.rows = 0
        self.row_no = 0
        self.cells = 0
        self.strings = 0
        self.chars = 0
        self.in_text = False

    def start(self, name: str, attrs: dict) -> None:
        ns, _, tag = name.rpartition(" ")
        if ns not in _MAIN_NS:
            return
        caps = self.caps
        if tag == "dimension":
            refs = _REF.findall(attrs.get("ref", ""))
            if refs:
                letters, row = refs[-1]
                if int(row) > caps.rows:
                    refuse("import_too_many_rows", limit=caps.row_limit)
                if _column_number(letters) > caps.columns:
                    refuse("import_too_many_columns", limit=caps.columns)
        elif tag == "row":
            self.rows += 1
            r = attrs.get("r", "")
            self.row_no = int(r) if r.isdigit() and len(r) < 9 else self.row_no + 1
            if self.rows > caps.rows or self.row_no > caps.rows:
                refuse("import_too_many_rows", limit=caps.row_limit)
            self.cells = 0
        elif tag == "c":
            self.cells += 1
            m = _REF.fullmatch(attrs.get("r", ""))
            column = _column_number(m.group(1)) if m else self.cells
            if self.cells > caps.columns or column > caps.columns:
                refuse("import_too_many_columns", limit=caps.columns)
        elif tag == "si":
            self.strings += 1
            self.chars = 0
            if self.strings > caps.shared_strings:
                refuse("import_too_many_strings", limit=caps.shared_strings)
        elif tag in ("v", "t", "f"):
            self.in_text = True
            if tag != "t":   # the runs of one shared string (<si><r><t>…) add up
                self.chars = 0

    def end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if tag in ("v", "t", "f"):
            self.in_text = False
        elif tag == "c":
            self.chars = 0

    def text(self, data: str) -> None:
        if self.in_text:
            self.chars += len(data)
            if self.chars > self.caps.cell_chars:
                refuse("import_cell_too_long", limit=self.caps.cell_chars)


def _no_dtd(*_args):
    # A sheet has no DTD; one is only ever there for entity tricks.
    refuse("import_file_unreadable")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, caps: Caps) -> None:
    scan = _Scan(caps)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    try:
        with zf.open(info) as part:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        refuse("import_file_unreadable")


# --- csv ---------------------------------------------------------------------------------
def check_csv_text(text: str, delimiter: str, caps: Caps) -> None:
    """No physical line longer than a full row of full cells: the csv module builds a
    whole row before we could count it (a line of 3,000,000 commas is 3,000,000 cells)."""
    longest = caps.columns * (caps.cell_chars + 3)
    m = re.search(r"[^\r\n]{%d}" % (longest + 1), text)
    if m is None:
        return
    end = text.find("\n", m.start())
    line = text[m.start(): end if end >= 0 else len(text)]
    if line.count(delimiter) >= caps.columns:
        refuse("import_too_many_columns", limit=caps.columns)
    refuse("import_cell_too_long", limit=caps.cell_chars)


def check_csv_row(row: list[str], caps: Caps) -> None:
    if len(row) > caps.columns:
        refuse("import_too_many_columns", limit=caps.columns)
    for cell in row:
        if len(cell) > caps.cell_chars:
            refuse("import_cell_too_long", limit=caps.cell_chars)
