"""Dialects: one class per engine, chosen from the driver's ``SQL_DBMS_NAME``."""
from __future__ import annotations

from .. import errors
from .base import Dialect
from .mssql import MSSQLDialect
from .mysql import MySQLDialect
from .postgresql import PostgreSQLDialect
from .sqlite import SQLiteDialect

DIALECTS: dict[str, type[Dialect]] = {
    "sqlite": SQLiteDialect,
    "postgresql": PostgreSQLDialect,
    "mysql": MySQLDialect,
    "mssql": MSSQLDialect,
}

# Substrings of SQL_DBMS_NAME as each driver reports it.
_DBMS_NAMES = (
    ("sqlite", "sqlite"),
    ("postgres", "postgresql"),
    ("mariadb", "mysql"),
    ("mysql", "mysql"),
    ("sql server", "mssql"),
)


def get_dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name.lower()]()
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise errors.ConfigurationError(f"unknown SQL dialect {name!r}; use one of {known}") from None


def dialect_for_dbms(dbms_name: str) -> Dialect:
    low = (dbms_name or "").lower()
    for needle, name in _DBMS_NAMES:
        if needle in low:
            return get_dialect(name)
    raise errors.ConfigurationError(
        f"database {dbms_name!r} is not supported; set SCM_ERP_DIALECT to one of "
        + ", ".join(sorted(DIALECTS))
    )


__all__ = ["Dialect", "DIALECTS", "get_dialect", "dialect_for_dbms"]
