"""Columns as the ODBC catalog (SQLColumns) describes them, read the same on every engine:
what check-erp and the input widths judge an ERP's columns by."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyodbc

_TEXT_TYPES = {pyodbc.SQL_CHAR, pyodbc.SQL_VARCHAR, pyodbc.SQL_LONGVARCHAR,
               pyodbc.SQL_WCHAR, pyodbc.SQL_WVARCHAR, pyodbc.SQL_WLONGVARCHAR}
_LONG_TEXT_TYPES = {pyodbc.SQL_LONGVARCHAR, pyodbc.SQL_WLONGVARCHAR}  # TEXT, NTEXT, CLOB


@dataclass(frozen=True)
class CatalogColumn:
    """A column as the ODBC catalog (SQLColumns) describes it."""
    name: str
    type_name: str           # the engine's name: varchar, nvarchar, int identity, TEXT …
    data_type: int           # the ODBC SQL type code
    size: int | None         # characters for text, digits for numbers
    scale: int | None
    nullable: bool
    default: str | None      # the column default as the engine prints it

    @property
    def text_width(self) -> int | None:
        """Characters a bounded text column holds; None for other types and long text."""
        if self.data_type not in _TEXT_TYPES or self.data_type in _LONG_TEXT_TYPES:
            return None
        return int(self.size) if self.size and 0 < self.size < 1_000_000 else None


_DECLARED_DECIMAL = re.compile(r"^\s*(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", re.I)


def catalog_column(row: Any, name: str | None = None) -> CatalogColumn:
    """One row of SQLColumns as a CatalogColumn (``name``: the column's name where the
    driver's spelling of it was lossy)."""
    def get(attr: str) -> Any:
        return getattr(row, attr, None)
    type_name = str(get("type_name") or "")
    data_type, size, scale = int(get("data_type") or 0), get("column_size"), get("decimal_digits")
    declared = _DECLARED_DECIMAL.match(type_name)
    if declared and data_type in (pyodbc.SQL_VARCHAR, pyodbc.SQL_WVARCHAR, pyodbc.SQL_CHAR):
        # SQLite's driver calls a DECIMAL(p,s) column VARCHAR, its size the scale: the
        # declaration says what the ERP meant.
        data_type, size, scale = pyodbc.SQL_DECIMAL, int(declared.group(1)), int(declared.group(2) or 0)
    return CatalogColumn(
        name=name or row.column_name, type_name=type_name, data_type=data_type,
        size=size, scale=scale,
        nullable=get("nullable") != 0, default=_default(get("column_def")))


def _default(text: Any) -> str | None:
    """A column default as the catalog prints it; "no default" is None (SQLite's and
    MariaDB's drivers print that as the word NULL, PostgreSQL as NULL::type)."""
    if text is None:
        return None
    text = str(text).strip()
    return None if not text or text.upper() == "NULL" or text.upper().startswith("NULL::") else text
