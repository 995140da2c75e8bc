"""What every engine has in common, and one method per thing that differs.

A dialect never holds a connection; it renders SQL fragments, adapts values in both
directions, classifies errors and runs the few engine-specific steps (after connect,
new-row id, write lock). No vendor ``if`` exists outside this package.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from .. import errors
from ..schema import Column, ColumnType, Index, Table

# SQLSTATE classes that mean "the connection is gone" on every engine.
_DISCONNECT_PREFIXES = ("08",)
_DISCONNECT_STATES = {"57P01", "57P02", "57P03"}
# Undefined table / column: ODBC's own states (MariaDB, SQL Server) and PostgreSQL's.
_MISSING_STATES = {"42S02", "42S22", "42P01", "42703"}


class Dialect:
    name = "base"
    # Feature flags (Django's ``features.py`` idea): callers test these, never the name.
    supports_row_locks = True
    supports_skip_locked = True
    supports_transactional_ddl = False
    max_identifier_length = 128
    # Significant digits a DECIMAL column keeps; None = all its declared precision.
    decimal_significant_digits: int | None = None

    # --- identifiers -------------------------------------------------------
    quote_open = '"'
    quote_close = '"'

    def quote(self, identifier: str) -> str:
        """Quote one identifier (table or column name) taken from the mapping."""
        if not identifier or "\x00" in identifier or self.quote_close in identifier:
            raise errors.MappingError(f"unusable identifier {identifier!r}")
        if len(identifier) > self.max_identifier_length:
            raise errors.MappingError(f"identifier too long: {identifier!r}")
        return f"{self.quote_open}{identifier}{self.quote_close}"

    def quote_dotted(self, name: str) -> str:
        """``schema.table`` → each part quoted."""
        return ".".join(self.quote(part) for part in name.split("."))

    # Whether a quoted table / column name must match the catalog's spelling exactly.
    case_sensitive_tables = True
    case_sensitive_columns = True

    def same_identifier(self, found: str, wanted: str, *, column: bool = False) -> bool:
        """Does the catalog's ``found`` name the object a quoted ``wanted`` refers to?"""
        sensitive = self.case_sensitive_columns if column else self.case_sensitive_tables
        return found == wanted if sensitive else found.casefold() == wanted.casefold()

    # --- connections -------------------------------------------------------
    def prepare_dsn(self, dsn: str, timeout_s: int) -> str:
        """Adjust the connection string before connecting (e.g. SQLite's lock wait)."""
        return dsn

    def on_connect(self, cnxn: Any, timeout_s: int) -> None:
        """Per-connection setup: encodings and the statement timeout."""
        cnxn.timeout = timeout_s

    # --- paging and locking -----------------------------------------------
    def paginate(self, sql: str, limit: int, offset: int) -> tuple[str, list[Any]]:
        """Append paging to a query that already has ORDER BY; returns sql and params."""
        return f"{sql}\nLIMIT ? OFFSET ?", [int(limit), int(offset)]

    def limit_one(self, sql: str) -> str:
        """First row only, for queries that want just one (already ordered)."""
        return f"{sql}\nLIMIT 1"

    def for_update(self, skip_locked: bool = False) -> str:
        """Trailing clause that locks the selected rows until commit."""
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"

    def lock_hint(self, skip_locked: bool = False) -> str:
        """Table hint placed after a table name (SQL Server's way of FOR UPDATE)."""
        return ""

    def row_claim(self, sql: str, params: list[Any]) -> str | None:
        """For a read that locks its rows (``{:lock}``/``{:for_update}``) on an engine
        whose lock hint may not block: the name of a lock ``take_claim`` takes first.
        None where the engine's row lock is enough."""
        return None

    def take_claim(self, cursor: Any, name: str, timeout_ms: int) -> None:
        raise NotImplementedError

    def begin_write(self, cursor: Any) -> None:
        """Called first in a transaction that will write; engines with row locks need nothing."""

    # --- new rows ----------------------------------------------------------
    def insert_returning_id(self, cursor: Any, sql: str, params: list[Any], id_column: str) -> int:
        raise NotImplementedError

    # --- values ------------------------------------------------------------
    def adapt_param(self, value: Any) -> Any:
        """Python value → what this driver stores faithfully."""
        if isinstance(value, bool):
            return 1 if value else 0
        return value

    def convert_value(self, value: Any, type_code: Any) -> Any:
        """Driver value → Python: Decimal for numbers with a fraction, datetime for times."""
        if value is None:
            return None
        if isinstance(value, float):
            # A float here is always a quantity: keep its shortest decimal repr.
            return decimal.Decimal(repr(value))
        if type_code is decimal.Decimal and isinstance(value, str):
            return decimal.Decimal(value)
        if isinstance(value, str) and type_code is dt.datetime:
            return parse_datetime(value)
        if isinstance(value, str) and type_code is dt.date:
            return dt.date.fromisoformat(value[:10])
        return value

    def fit_text(self, value: str, width: int) -> str:
        """The longest start of ``value`` a text column of ``width`` holds (characters)."""
        return value[:width]

    # --- errors ------------------------------------------------------------
    def classify(self, sqlstate: str, message: str) -> type[errors.BridgeError]:
        if sqlstate.startswith(_DISCONNECT_PREFIXES) or sqlstate in _DISCONNECT_STATES:
            return errors.ConnectionLost
        if sqlstate in ("40001", "40P01"):
            return errors.TransactionConflict
        if sqlstate in ("HYT00", "HYT01", "57014"):
            return errors.StatementTimeout
        if self.is_unique_violation(sqlstate, message):
            return errors.UniqueViolation
        if sqlstate.startswith("23"):
            return errors.IntegrityViolation
        if sqlstate.startswith("22"):
            return errors.DataRejected
        if sqlstate in _MISSING_STATES:
            return errors.MissingObject
        return errors.BridgeError

    def is_unique_violation(self, sqlstate: str, message: str) -> bool:
        return sqlstate == "23505"

    def transaction_survives_error(self, cursor: Any) -> bool:
        """After a statement failed inside a transaction: is the transaction still open
        with the work before the error? (PostgreSQL through psqlODBC's statement-level
        rollback, MariaDB and SQLite undo only the failed statement.)"""
        return True

    # --- the catalog beyond SQLColumns -------------------------------------
    def catalog_index_names(self, tx: Any, table: str) -> set[str]:
        """Index names of ``table`` (SQLStatistics)."""
        rows = tx._run(lambda: tx._cursor.statistics(table).fetchall())
        return {row.index_name for row in rows if row.index_name and self.same_identifier(row.table_name, table)}

    def catalog_column_names(self, tx: Any, table: str, rows: list[Any]) -> list[str]:
        """The names of the columns SQLColumns listed in ``rows`` (of ``table``)."""
        return [row.column_name for row in rows]

    def auto_id_sql(self, table: str) -> tuple[str, list[Any]]:
        """Catalog SQL naming the columns of ``table`` (the mapping's name, perhaps
        schema-qualified) that the engine numbers itself: identity, auto-increment,
        serial or a sequence default. Each row has ``table_name`` (as the catalog spells
        it), ``column_name`` and ``explicit_ok``: 1 when an INSERT may still give the
        column a value, 0 when the engine refuses one. ODBC's SQLColumns says none of
        this portably, so every dialect asks its own catalog (check-erp uses it)."""
        raise NotImplementedError

    @staticmethod
    def split_table(table: str) -> tuple[str | None, str]:
        """``schema.table`` → (schema, table); a bare name → (None, table)."""
        schema, _, name = table.rpartition(".")
        return (schema or None), name

    # --- DDL ---------------------------------------------------------------
    def column_type(self, t: ColumnType) -> str:
        k = t.kind
        if k == "string":
            return f"VARCHAR({t.length})"
        if k == "text":
            return "TEXT"
        if k == "int":
            return "INTEGER"
        if k == "bigint":
            return "BIGINT"
        if k == "decimal":
            return f"DECIMAL({t.precision},{t.scale})"
        if k == "datetime":
            return "TIMESTAMP"
        if k == "date":
            return "DATE"
        if k == "bool":
            return "SMALLINT"
        raise errors.MappingError(f"unknown column type {k}")

    def identity_column(self, column: Column) -> str:
        """An auto-numbered primary key column."""
        raise NotImplementedError

    def literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (int, decimal.Decimal)):
            return str(value)
        text = str(value).replace("'", "''")
        return f"'{text}'"

    def column_ddl(self, column: Column) -> str:
        if column.is_identity:
            return self.identity_column(column)
        parts = [self.quote(column.name), self.column_type(column.type)]
        if column.default is not None:
            parts.append(f"DEFAULT {self.literal(column.default)}")
        parts.append("NULL" if column.nullable else "NOT NULL")
        return " ".join(parts)

    def table_options(self) -> str:
        return ""

    def create_table(self, table: Table) -> list[str]:
        lines = [self.column_ddl(c) for c in table.columns]
        identity = any(c.is_identity for c in table.columns)
        if table.primary_key and not identity:
            cols = ", ".join(self.quote(c) for c in table.primary_key)
            lines.append(f"PRIMARY KEY ({cols})")
        for fk in table.foreign_keys:
            cols = ", ".join(self.quote(c) for c in fk.columns)
            refs = ", ".join(self.quote(c) for c in fk.ref_columns)
            lines.append(f"FOREIGN KEY ({cols}) REFERENCES {self.quote_dotted(fk.ref_table)} ({refs})")
        body = ",\n  ".join(lines)
        stmts = [f"CREATE TABLE {self.quote_dotted(table.name)} (\n  {body}\n){self.table_options()}"]
        stmts.extend(self.create_index(table.name, ix) for ix in table.indexes)
        return stmts

    def create_index(self, table_name: str, index: Index) -> str:
        unique = "UNIQUE " if index.unique else ""
        cols = ", ".join(self.quote(c) for c in index.columns)
        return f"CREATE {unique}INDEX {self.quote(index.name)} ON {self.quote_dotted(table_name)} ({cols})"

    def add_column(self, table_name: str, column: Column) -> str:
        return f"ALTER TABLE {self.quote_dotted(table_name)} ADD {self.column_ddl(column)}"

    def drop_table(self, table_name: str) -> str:
        return f"DROP TABLE {self.quote_dotted(table_name)}"


_DT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?")


def parse_datetime(text: str) -> dt.datetime:
    m = _DT_RE.match(text)
    if not m:
        return dt.datetime.fromisoformat(text)
    frac = (m.group(3) or ".0")[1:].ljust(6, "0")
    return dt.datetime.fromisoformat(f"{m.group(1)} {m.group(2)}").replace(microsecond=int(frac))


def iso_datetime(value: dt.datetime) -> str:
    """Naive ISO text with microseconds, which every engine parses back exactly."""
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
