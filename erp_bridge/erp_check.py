"""check-erp: will this ERP database take what the plugin writes?

Beyond "every mapped table and column exists", every table the plugin writes — the
review forms and their lines, and the id allocator tables of the mapping — is checked
against its catalog for every failure approving an order would meet:

* every NOT NULL column without a default is filled: by a field approve writes, an
  ``insert_defaults`` or ``from_customer`` column, or the id (the engine's own numbering
  for ``id_source = "identity"``, else the id the plugin allocates); a NOT NULL column
  that approve may write as NULL (an optional field, a customer column that may be
  empty) is a problem too;
* text columns are wide enough for what is written (form numbers at the pattern's
  width, the ERP's own code and name columns, the web order's texts);
* each column's type takes its value (ODBC type codes, not engine type names);
* the id source exists: an identity column, an allocator row named by exactly one
  ``where``, a numeric column for ``max_plus_one``.

Each problem names the table, the column and the mapping key that fixes it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyodbc

from . import dynamic
from .catalog import CatalogColumn
from .connection import Database
from .errors import BridgeError
from .mapping import FORM_HEADERS, FORM_LINES, EntityMapping, Mapping
from .model import ENTITIES


@dataclass(frozen=True)
class Problem:
    """One thing approve would trip over, with the mapping key (or ERP change) that fixes it."""
    table: str
    column: str | None
    problem: str
    fix: str
    # missing_table | missing_column | not_null | may_be_empty | written_twice | width | type
    # | id_source | allocator | from_customer
    check: str

    @property
    def line(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{where}: {self.problem} — {self.fix}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    missing_tables: list[str]
    missing_columns: list[str]  # "Table.Column"
    # Every problem, the missing tables and columns included (as ``check`` says).
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing_tables and not self.missing_columns and not self.problems


# --- ODBC type codes → what a column holds ------------------------------------------------
_TEXT = {pyodbc.SQL_CHAR, pyodbc.SQL_VARCHAR, pyodbc.SQL_LONGVARCHAR,
         pyodbc.SQL_WCHAR, pyodbc.SQL_WVARCHAR, pyodbc.SQL_WLONGVARCHAR}
_WHOLE = {pyodbc.SQL_TINYINT, pyodbc.SQL_SMALLINT, pyodbc.SQL_INTEGER, pyodbc.SQL_BIGINT}
_FRACTION = {pyodbc.SQL_DECIMAL, pyodbc.SQL_NUMERIC, pyodbc.SQL_REAL, pyodbc.SQL_FLOAT, pyodbc.SQL_DOUBLE}
_SQL_DATE, _SQL_TIMESTAMP, _SQL_SS_TIMESTAMPOFFSET = 9, 11, -155  # ODBC 2 codes; SQL Server's datetimeoffset
_DATE = {pyodbc.SQL_TYPE_DATE, _SQL_DATE}
_DATETIME = {pyodbc.SQL_TYPE_TIMESTAMP, _SQL_TIMESTAMP, _SQL_SS_TIMESTAMPOFFSET}
# Types that hold none of the values the plugin writes (binary, GUID, bit, time of day, …).
_UNFIT = {pyodbc.SQL_BINARY, pyodbc.SQL_VARBINARY, pyodbc.SQL_LONGVARBINARY, pyodbc.SQL_GUID,
          pyodbc.SQL_BIT, pyodbc.SQL_TYPE_TIME, 10, -154, -150, -152}


def _holds(col: CatalogColumn) -> str | None:
    """text | whole | fraction | date | datetime | unfit; None for a type code not known here."""
    code = col.data_type
    for kind, codes in (("text", _TEXT), ("whole", _WHOLE), ("fraction", _FRACTION), ("date", _DATE),
                        ("datetime", _DATETIME), ("unfit", _UNFIT)):
        if code in codes:
            return kind
    return None


def _has_default(col: CatalogColumn) -> bool:
    return col.default is not None  # "no default" is None whatever the driver printed (catalog.py)


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'"


# --- what approve writes -------------------------------------------------------------------
# field → (value kind, may be empty at approve, what it is in a message). contract_no is
# not written: the ERP's own flow assigns it after approval.
_HEADER_WRITES: dict[str, tuple[str, bool, str]] = {
    "id": ("whole", False, "the form's id"),
    "form_no": ("text", False, "form numbers"),
    "customer_code": ("text", False, "customer codes"),
    "form_date": ("datetime", False, "the form date"),
    "delivery_date": ("date", True, "the delivery date"),
    "source_order_no": ("text", False, "web order numbers"),
    "customer_order_no": ("text", True, "the customer's order numbers"),
    "status": ("text", False, "the initial status"),
    "remarks": ("text", True, "remarks"),
    "maker": ("text", False, "the approver's name"),
}
_LINE_WRITES: dict[str, tuple[str, bool, str]] = {
    "id": ("whole", False, "the line's id"),
    "header_id": ("whole", False, "the form's id"),
    "row_no": ("whole", False, "row numbers"),
    "inventory_code": ("text", False, "inventory codes"),
    "customer_part_no": ("text", True, "customer part numbers"),
    "item_name": ("text", False, "item names"),
    "spec": ("text", True, "item specifications"),
    "master_disc_no": ("text", True, "master disc numbers"),
    "quantity": ("fraction", False, "quantities"),
    "unit": ("text", True, "units"),
    "delivery_date": ("date", True, "the delivery date"),
    "remarks": ("text", True, "remarks"),
}
_NOT_WRITTEN = {"contract_no"}
# Widths of what the plugin itself writes (the web order's columns). The maker and the
# remarks are cut to the ERP column's width at approve.
_FIXED_WIDTHS = {"customer_order_no": 40, "customer_part_no": 40}
# Text copied from the ERP's own master data: field → (entity, field) it comes from.
_MASTER_SOURCES = {
    "customer_code": [("customer", "code")],
    "inventory_code": [("item", "code")],
    "item_name": [("item", "name")],
    "spec": [("item", "spec")],
    "master_disc_no": [("item", "master_disc_no")],
    "unit": [("item", "unit"), ("unit", "code"), ("unit", "name")],
}


class _Catalog:
    """Catalog reads of one check, each table read once, names matched as the engine does."""

    def __init__(self, db: Database):
        self.db = db
        self._tables: dict[str, dict[str, CatalogColumn] | None] = {}

    def table(self, name: str) -> dict[str, CatalogColumn] | None:
        if name not in self._tables:
            self._tables[name] = self.db.catalog_details(name)
        return self._tables[name]

    def column(self, table: str, column: str) -> CatalogColumn | None:
        found = self.table(table) or {}
        same = self.db.dialect.same_identifier
        return next((c for name, c in found.items() if same(name, column, column=True)), None)

    def auto_ids(self, table: str) -> dict[str, bool]:
        """Columns the engine numbers itself → whether an INSERT may give them a value."""
        sql, params = self.db.dialect.auto_id_sql(table)
        _, bare = self.db.dialect.split_table(table)
        same = self.db.dialect.same_identifier
        rows = self.db.all_sql(sql, *params)
        return {r["column_name"]: bool(r["explicit_ok"]) for r in rows if same(r["table_name"], bare)}


def check_erp(db: Database) -> CheckResult:
    """Every mapped table and column through the ODBC catalog, then every table the
    plugin writes against what approving an order writes into it."""
    mapping = db.mapping
    catalog = _Catalog(db)
    result = CheckResult([], [])
    for name in (n for n in ENTITIES if mapping.has(n)):
        em = mapping.entities[name]
        if catalog.table(em.table) is None:
            result.missing_tables.append(em.table)
            result.problems.append(Problem(em.table, None, "table does not exist",
                                           f"create it in the ERP, or correct [{name}] table", "missing_table"))
            continue
        wanted = [(col, f"[{name}] {fld}") for fld, col in em.columns.items()]
        wanted += [(col, f"[{name}.insert_defaults] {col}") for col in em.insert_defaults]
        wanted += [(col, f"[{name}.from_customer] {col}") for col in em.from_customer]
        seen: set[str] = set()
        for column, key in wanted:
            # Matched the way the engine resolves a quoted name, so "ok" means the
            # bridge's queries will find it (PostgreSQL tells "KHBM" from "khbm").
            if column in seen or catalog.column(em.table, column) is not None:
                continue
            seen.add(column)
            result.missing_columns.append(f"{em.table}.{column}")
            result.problems.append(Problem(em.table, column, "column does not exist",
                                           f"correct {key}", "missing_column"))
    for name in FORM_HEADERS + FORM_LINES:
        if mapping.has(name) and catalog.table(mapping.table(name)) is not None:
            result.problems += _FormCheck(catalog, mapping, mapping.entities[name]).run()
    for name in FORM_HEADERS + FORM_LINES:
        em = mapping.entities.get(name)
        if em is not None and em.id_source == "allocator" and em.id_allocator is not None:
            result.problems += _allocator_problems(catalog, em)
    return result


class _FormCheck:
    """The problems of one form header or line table."""

    def __init__(self, catalog: _Catalog, mapping: Mapping, em: EntityMapping):
        self.catalog, self.mapping, self.em = catalog, mapping, em
        self.name, self.table = em.entity, em.table
        self.writes = _HEADER_WRITES if em.entity in FORM_HEADERS else _LINE_WRITES
        self.problems: list[Problem] = []
        self.auto = catalog.auto_ids(em.table)

    def add(self, column: str | None, problem: str, fix: str, check: str) -> None:
        self.problems.append(Problem(self.table, column, problem, fix, check))

    def col(self, column: str) -> CatalogColumn | None:
        return self.catalog.column(self.table, column)

    def auto_of(self, col: CatalogColumn) -> bool | None:
        """None: the engine does not number it; else whether a given value is taken."""
        same = self.catalog.db.dialect.same_identifier
        return next((ok for name, ok in self.auto.items() if same(name, col.name, column=True)), None)

    # -------------------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        self.id_source()
        for fld, (kind, _, what) in self.writes.items():
            column = self.em.columns.get(fld)
            col = self.col(column) if column else None
            if col is None or (fld == "id" and self.em.id_source == "identity"):
                continue
            self.refused_value(col, f"[{self.name}] {fld}", what,
                               f'set [{self.name}] id_source = "identity"' if fld == "id"
                               else f"map [{self.name}] {fld} to another column")
            if self.type_fits(col, fld, kind, what):
                self.wide_enough(col, fld, what)
        self.from_customer()
        self.insert_defaults()
        self.written_twice()
        self.not_null()
        return self.problems

    def id_source(self) -> None:
        column = self.em.columns.get("id")
        col = self.col(column) if column else None
        if col is None or self.em.id_source != "identity":
            return
        if self.auto_of(col) is None:
            self.add(col.name, 'id_source = "identity", but the database does not number this column '
                               "(no identity, auto-increment, serial or sequence default)",
                     f'set [{self.name}] id_source = "allocator" with [{self.name}.id_allocator], '
                     'or id_source = "max_plus_one"', "id_source")

    def refused_value(self, col: CatalogColumn, key: str, what: str, fix: str) -> None:
        if self.auto_of(col) is False:
            self.add(col.name, f"the database numbers this column itself and refuses a value given by an "
                               f"INSERT, but approve writes {what} into it ({key})", fix, "id_source")

    def type_fits(self, col: CatalogColumn, fld: str, kind: str, what: str) -> bool:
        holds = _holds(col)
        key = f"[{self.name}] {fld}"
        if fld == "form_date" and self.em.form_date_kind == "date":
            kind = "date"
        if holds is None or holds == kind:
            return True
        if kind == "text":
            value = self.mapping.value(self.name, "initial_status") if fld == "status" else None
            if holds in ("whole", "fraction") and value is not None and _is_number(value):
                return False  # a numeric status code: fits, and no width to measure
            self.add(col.name, f"a {col.type_name} column, but approve writes {what} into it as text",
                     f"map {key} to a text column", "type")
            return False
        if kind in ("date", "datetime"):
            if kind == "datetime" and holds == "date":
                self.add(col.name, 'holds dates only, but form_date_kind = "datetime" writes a time too',
                         f'set [{self.name}] form_date_kind = "date"', "type")
                return False
            if kind == "date" and holds == "datetime":
                return True
            self.add(col.name, f"a {col.type_name} column, but approve writes {what} into it as a date"
                               f"{' and time' if kind == 'datetime' else ''}",
                     f"map {key} to a date column", "type")
            return False
        # numbers: ids, row numbers, quantities
        if holds in ("whole", "fraction"):
            if kind == "fraction" and holds == "whole":
                self.add(col.name, f"a {col.type_name} column holds whole numbers only, but {what} may have "
                                   "a fraction", f"map {key} to a decimal column", "type")
            return False
        self.add(col.name, f"a {col.type_name} column, but approve writes {what} into it as numbers",
                 f"map {key} to a numeric column", "type")
        return False

    def wide_enough(self, col: CatalogColumn, fld: str, what: str) -> None:
        width = col.text_width
        if width is None or _holds(col) != "text":
            return
        key = f"[{self.name}] {fld}"
        need: list[tuple[int, str]] = []
        if fld == "form_no":
            pattern = self.mapping.form_no_pattern(self.name)
            need.append((pattern.width(), f"form numbers of {pattern.text} take up to {pattern.width()}"))
            fix = f"widen the column in the ERP, or shorten [{self.name}] form_no_pattern"
        elif fld == "status":
            value = self.mapping.value(self.name, "initial_status") or ""
            need.append((len(value), f"the initial status {value!r} takes {len(value)}"))
            fix = f"widen the column in the ERP, or correct [{self.name}.values] initial_status"
        else:
            fix = f"widen the column in the ERP, or map {key} to a wider column"
            if fld in _FIXED_WIDTHS:
                need.append((_FIXED_WIDTHS[fld], f"{what} take up to {_FIXED_WIDTHS[fld]}"))
            for entity, source in _MASTER_SOURCES.get(fld, []):
                physical = self.mapping.column(entity, source) if self.mapping.has(entity) else None
                src = self.catalog.column(self.mapping.table(entity), physical) if physical else None
                if src is not None and _holds(src) == "text" and src.text_width is not None:
                    need.append((src.text_width, f"{self.mapping.table(entity)}.{src.name} holds "
                                              f"{src.text_width}"))
        if not need:
            return
        longest, why = max(need, key=lambda n: n[0])
        if longest > width:
            self.add(col.name, f"holds {width} characters, but {why}", fix, "width")

    def from_customer(self) -> None:
        customer = self.mapping.table("customer")
        if self.catalog.table(customer) is None:
            return
        for column, source in self.em.from_customer.items():
            key = f"[{self.name}.from_customer] {column}"
            src = self.catalog.column(customer, source)
            if src is None:
                self.problems.append(Problem(customer, source, f"no such column in the customer table, named by {key}",
                                             f"correct {key}", "from_customer"))
                continue
            col = self.col(column)
            if col is None:
                continue
            self.refused_value(col, key, f"{customer}.{src.name}", f"copy into another column with {key}")
            holds, src_holds = _holds(col), _holds(src)
            if src_holds == "text" and holds in ("whole", "fraction", "date", "datetime", "unfit"):
                self.add(col.name, f"a {col.type_name} column, but the text of {customer}.{src.name} is copied into it",
                         f"correct {key}", "type")
            elif holds == "text" and src_holds == "text" and col.text_width is not None \
                    and (src.text_width is None or src.text_width > col.text_width):
                self.add(col.name, f"holds {col.text_width} characters, but {customer}.{src.name} copied into it holds "
                                   f"{src.text_width or 'longer text'}",
                         f"widen the column in the ERP, or correct {key}", "width")

    def insert_defaults(self) -> None:
        for column, literal in self.em.insert_defaults.items():
            col = self.col(column)
            if col is None:
                continue
            key = f"[{self.name}.insert_defaults] {column}"
            self.refused_value(col, key, _literal(literal), f"remove {column} from [{self.name}.insert_defaults]")
            holds = _holds(col)
            if holds in ("whole", "fraction") and not _is_number(literal):
                self.add(col.name, f"a {col.type_name} column, but {key} writes the text {_literal(literal)}",
                         f"give {key} a number", "type")
            elif holds == "text" and col.text_width is not None and len(str(literal)) > col.text_width:
                self.add(col.name, f"holds {col.text_width} characters, but {key} writes {_literal(literal)} "
                                   f"({len(str(literal))} characters)",
                         f"shorten {key}, or widen the column in the ERP", "width")

    def written_twice(self) -> None:
        same = self.catalog.db.dialect.same_identifier
        fields = {col: fld for fld, col in self.em.columns.items() if fld not in _NOT_WRITTEN}
        for column in self.em.insert_defaults:
            fld = next((f for c, f in fields.items() if same(c, column, column=True)), None)
            if fld is not None and not (fld == "id" and self.em.id_source == "identity"):
                self.add(column, f"written twice: by [{self.name}] {fld} and by [{self.name}.insert_defaults]",
                         f"remove {column} from [{self.name}.insert_defaults]", "written_twice")
            copied = next((c for c in self.em.from_customer if same(c, column, column=True)), None)
            if copied is not None:
                self.add(column, f"written twice: by [{self.name}.from_customer] and by [{self.name}.insert_defaults]",
                         f"remove {column} from one of them", "written_twice")

    def not_null(self) -> None:
        same = self.catalog.db.dialect.same_identifier

        def match(names) -> str | None:
            return next((n for n in names if same(n, col.name, column=True)), None)

        by_column = {col: fld for fld, col in self.em.columns.items()}
        for col in (self.catalog.table(self.table) or {}).values():
            if col.nullable:
                continue
            mapped = match(by_column)
            fld = by_column[mapped] if mapped else None
            if match(self.em.insert_defaults):
                continue
            if fld is not None and fld not in _NOT_WRITTEN:
                if fld == "id" and self.em.id_source == "identity":
                    continue  # numbered by the engine, or already reported by id_source()
                kind, may_be_empty, what = self.writes[fld]
                if may_be_empty:
                    leave = ("the column's default then applies" if _has_default(col)
                             else f"and fill the column with [{self.name}.insert_defaults]")
                    self.add(col.name, f"NOT NULL, but {fld} ({what}) may be empty at approve and is then "
                                       "written as NULL",
                             f"map [{self.name}] {fld} to a column that takes NULL, or leave {fld} out of "
                             f"[{self.name}] ({leave})", "may_be_empty")
                continue
            if match(self.em.from_customer) is not None:
                # A card without the value is one customer's gap, not the mapping's: approve
                # refuses that customer by name and the pre-flight shows it beforehand.
                continue
            if self.auto_of(col) is not None or _has_default(col):
                continue
            if fld in _NOT_WRITTEN:
                self.add(col.name, f"NOT NULL without a default, but {fld} is not written at approve "
                                   "(the ERP assigns it later)",
                         f"give the column a default in the ERP, or add it to [{self.name}.insert_defaults]",
                         "not_null")
                continue
            where = (f"[{self.name}.from_customer] or [{self.name}.insert_defaults]"
                     if self.name in FORM_HEADERS else f"[{self.name}.insert_defaults]")
            self.add(col.name, "NOT NULL without a default and not filled by the mapping",
                     f"add it to {where}", "not_null")


def _allocator_problems(catalog: _Catalog, em: EntityMapping) -> list[Problem]:
    alloc = em.id_allocator
    key = f"[{em.entity}.id_allocator]"
    problems: list[Problem] = []

    def add(column, problem, fix, check="allocator"):
        problems.append(Problem(alloc.table, column, problem, fix, check))

    if catalog.table(alloc.table) is None:
        add(None, f"the id allocator table of [{em.entity}] does not exist", f"correct {key} table")
        return problems
    value = catalog.column(alloc.table, alloc.value)
    if value is None:
        add(alloc.value, f"no such column, named by {key} value", f"correct {key} value")
    elif _holds(value) not in ("whole", "fraction", None):
        add(value.name, f"a {value.type_name} column, but {key} value counts ids in it",
            f"correct {key} value", "type")
    readable = True
    for column, literal in alloc.where.items():
        col = catalog.column(alloc.table, column)
        if col is None:
            add(column, f"no such column, named by {key} where", f"correct {key} where")
            readable = False
        elif _holds(col) in ("whole", "fraction") and not _is_number(literal):
            add(col.name, f"a {col.type_name} column, but {key} where compares it with the text {_literal(literal)}",
                f"correct {key} where", "type")
            readable = False
    if not readable or value is None:
        return problems
    described = " AND ".join(f"{c} = {_literal(v)}" for c, v in alloc.where.items()) or "(no condition)"
    db = catalog.db
    sql, params = dynamic.allocator_rows(db.dialect, alloc.table, alloc.where)
    try:
        rows = db.scalar_sql(sql, *params)
    except BridgeError as exc:
        add(None, f"the row {key} names could not be read ({exc.detail or exc})", f"correct {key}")
        return problems
    if rows == 0:
        add(None, f"{key} where {described} matches no row; the ERP must hold exactly one",
            f"add that row to the ERP, or correct {key} where")
    elif rows > 1:
        add(None, f"{key} where {described} matches {rows} rows",
            f"correct {key} where so that it names exactly one row")
    return problems
