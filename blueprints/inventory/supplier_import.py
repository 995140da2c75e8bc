"""Supplier stock import: a CSV or Excel (.xlsx) sheet of supplier figures, checked row
by row; imported only if every row is right (all rows in one transaction), otherwise
nothing is imported and the report says which row is wrong and why.

The sheet: the first row names the columns, in Chinese or English (供应商编码 /
supplier_code, 存货编码 / inventory_code, 库存数量 / quantity); other columns (names,
remarks…) are ignored. Rows are numbered as the spreadsheet numbers them (the header
is row 1). Fully empty rows are skipped. CSV files may be UTF-8 (with or without the
BOM Excel writes), GBK/GB18030 (Excel's "CSV" on Chinese Windows) or UTF-16 ("Unicode
text"), separated by commas, tabs or semicolons.

Each row sets the figure of one supplier and item (old → new kept as history with the
import); items a sheet does not mention keep their last figure and its date.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from openpyxl import load_workbook
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import inventory as repo

from scm_plugin import audit
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.items import complete_value
from scm_plugin.messages import Coded
from scm_plugin.quantities import STOCK, parse_quantity

from . import sheet_guard

log = logging.getLogger(__name__)

COLUMNS = ("supplier_code", "inventory_code", "quantity")
# Header spellings per column (compared without case, spaces, underscores or hyphens).
HEADERS = {
    "supplier_code": ("供应商编码", "供应商代码", "供应商编号", "供货商编码", "供應商編碼", "suppliercode",
                      "supplier", "vendorcode", "cvencode"),
    "inventory_code": ("存货编码", "存货代码", "存货编号", "存貨編碼", "inventorycode", "itemcode", "cinvcode"),
    "quantity": ("库存数量", "库存", "数量", "现存量", "庫存數量", "數量", "quantity", "qty", "stock"),
}
HEADER_TEXT = {"supplier_code": "供应商编码", "inventory_code": "存货编码", "quantity": "库存数量"}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RowProblem:
    column: str | None   # supplier_code | inventory_code | quantity | None (the whole row)
    code: str            # message code
    params: dict = field(default_factory=dict)


@dataclass
class ReportRow:
    row_no: int
    supplier_code: str
    inventory_code: str
    quantity_text: str
    quantity: Decimal | None = None
    supplier_name: str | None = None
    item_name: str | None = None
    old_quantity: Decimal | None = None
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    filename: str
    rows: list[ReportRow]
    file_problem: RowProblem | None = None
    imported: bool = False
    import_id: int | None = None

    @property
    def bad_rows(self) -> list[ReportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def ok(self) -> bool:
        return self.file_problem is None and bool(self.rows) and not self.bad_rows


def _norm_header(text) -> str:
    return "".join(ch for ch in str(text or "").strip().casefold() if ch not in " _-\u3000\t")


_HEADER_LOOKUP = {_norm_header(h): col for col, names in HEADERS.items() for h in (*names, col)}


def _cell_text(value) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores codes typed as numbers
    as floats), decimals as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def read_sheet(data: bytes) -> list[list[str]]:
    """The sheet's rows as text cells. Raises InvalidInput({"file": code})."""
    if data.startswith(_OLE):
        raise InvalidInput({"file": "import_xls_old"})
    if data.startswith(_ZIP):
        return _read_xlsx(data)
    return _read_csv(data)


def caps() -> sheet_guard.Caps:
    """The import's bounds: its row limit (plus the header and a blank line above it) and
    the guard's columns, characters per cell and shared strings."""
    return sheet_guard.Caps(rows=max_rows() + 2, row_limit=max_rows())


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput({"file": "import_file_unreadable"}) from None
    with zf:
        sheet_guard.check_xlsx(zf, caps())   # the bombs stop here, before openpyxl sees the file
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
            raise InvalidInput({"file": "import_file_unreadable"}) from None
        try:
            ws = wb.worksheets[0]
            # rows as they are in the file: the declared dimension would pad every row
            # to its width and add the missing rows
            ws.reset_dimensions()
            limit = max_rows() + 2
            rows = []
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                if i > limit:
                    break
                rows.append([_cell_text(v) for v in row])
            return rows
        except InvalidInput:
            raise
        except Exception:
            raise InvalidInput({"file": "import_file_unreadable"}) from None
        finally:
            wb.close()


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput({"file": "import_encoding"}) from None
    if b"\x00" in data[:4096]:
        raise InvalidInput({"file": "import_file_unreadable"})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput({"file": "import_encoding"})


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if any(d in first for d in ",\t;") else ","
    bounds = caps()
    sheet_guard.check_csv_text(text, delimiter, bounds)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = []
        for i, row in enumerate(reader):
            if i >= bounds.rows:
                raise InvalidInput({"file": Coded("import_too_many_rows", limit=bounds.row_limit)})
            sheet_guard.check_csv_row(row, bounds)
            rows.append(row)
        return rows
    except csv.Error:
        raise InvalidInput({"file": "import_file_unreadable"}) from None


def max_rows() -> int:
    return int(current_app.config.get("SCM_SUPPLIER_IMPORT_MAX_ROWS", 5000))


def check(db: Database, filename: str, data: bytes) -> Report:
    """Read and check every row against the ERP; nothing is written."""
    report = Report(filename=filename, rows=[])
    try:
        rows = read_sheet(data)
    except InvalidInput as exc:
        code = exc.fields["file"]
        report.file_problem = RowProblem(None, code, dict(getattr(code, "variables", {})))
        return report
    skipped = 0
    while rows and not any(str(c).strip() for c in rows[0]):
        rows.pop(0)  # tolerate blank lines above the header
        skipped += 1
    if not rows:
        report.file_problem = RowProblem(None, "import_no_rows")
        return report
    header = [_HEADER_LOOKUP.get(_norm_header(h)) for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.file_problem = RowProblem(None, "import_columns_missing", {
            "columns": ", ".join(f"{HEADER_TEXT[c]} ({c})" for c in COLUMNS)})
        return report
    where = {c: header.index(c) for c in COLUMNS}
    body = rows[1:]
    if len(body) > max_rows():
        report.file_problem = RowProblem(None, "import_too_many_rows", {"limit": max_rows()})
        return report

    def cell(row, column):
        i = where[column]
        return row[i] if i < len(row) and row[i] is not None else ""

    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(body):
        if not any(str(c).strip() for c in row):
            continue
        r = ReportRow(row_no=skipped + offset + 2, supplier_code=cell(row, "supplier_code").strip(),
                      inventory_code=cell(row, "inventory_code").strip(), quantity_text=cell(row, "quantity").strip())
        for column in ("supplier_code", "inventory_code"):
            raw = getattr(r, column)
            if not raw:
                r.problems.append(RowProblem(column, "required"))
            elif complete_value(raw) is None:
                r.problems.append(RowProblem(column, "supplier_unknown" if column == "supplier_code"
                                             else "item_unknown"))
        try:
            r.quantity = parse_quantity(r.quantity_text, STOCK)
        except ValueError as exc:
            r.problems.append(RowProblem("quantity", str(exc)))
        pair = (r.supplier_code, r.inventory_code)
        if r.supplier_code and r.inventory_code:
            if pair in seen:
                r.problems.append(RowProblem(None, "import_duplicate_row", {"row": seen[pair]}))
            else:
                seen[pair] = r.row_no
        report.rows.append(r)
    if not report.rows:
        report.file_problem = RowProblem(None, "import_no_rows")
        return report

    def against_erp(tx):
        suppliers = repo.existing_suppliers(tx, [r.supplier_code for r in report.rows if r.supplier_code])
        items = repo.existing_items(tx, [r.inventory_code for r in report.rows if r.inventory_code])
        figures = repo.supplier_figures(tx, [(r.supplier_code, r.inventory_code) for r in report.rows])
        for r in report.rows:
            if r.supplier_code and not any(p.column == "supplier_code" for p in r.problems):
                if r.supplier_code in suppliers:
                    r.supplier_name = suppliers[r.supplier_code]
                else:
                    r.problems.append(RowProblem("supplier_code", "supplier_unknown"))
            if r.inventory_code and not any(p.column == "inventory_code" for p in r.problems):
                if r.inventory_code in items:
                    r.item_name = items[r.inventory_code]["name"]
                else:
                    r.problems.append(RowProblem("inventory_code", "item_unknown"))
            r.old_quantity = figures.get((r.supplier_code, r.inventory_code))
    db.read(against_erp)
    # problems in sheet order: the columns left to right, then whole-row ones
    order = {"supplier_code": 0, "inventory_code": 1, "quantity": 2, None: 3}
    for r in report.rows:
        r.problems.sort(key=lambda p: order[p.column])
    return report


def run(db: Database, user, filename: str, data: bytes, *, at: dt.datetime | None = None) -> Report:
    """Check the sheet; if every row is right, import all of it in one transaction."""
    report = check(db, filename, data)
    if not report.ok:
        return report
    at = at or utcnow()
    with db.transaction(write=True) as tx:
        import_id = repo.insert_import(tx, filename[:255], len(report.rows), user.id if user else None, at)
        for r in report.rows:
            r.old_quantity = repo.set_supplier_figure(tx, r.supplier_code, r.inventory_code, r.quantity,
                                                      import_id, user.id if user else None, at)
        audit.record(tx, "supplier_stock.import", "supplier_import", import_id,
                     detail=f"{filename[:200]}: {len(report.rows)} rows")
    report.imported = True
    report.import_id = import_id
    return report


def recent_imports(db: Database, limit: int = 20) -> list[dict]:
    return db.read(lambda tx: repo.recent_imports(tx, limit))


def import_detail(db: Database, import_id: int) -> dict:
    def read(tx):
        head = repo.import_by_id(tx, import_id)
        if head is None:
            raise NotFound("import")
        head["rows"] = repo.import_rows(tx, import_id)
        return head
    return db.read(read)
