"""SQLite through the SQLite3 ODBC driver (the embedded default).

SQLite has no row locks. Its lock is per database: a transaction that will write takes
the database's write lock up front with a no-op UPDATE (``begin_write``), so a
read-check-write sequence ("is this order still pending? then approve it") is
serialised against every other writer, which is what ``FOR UPDATE`` gives elsewhere.
Readers are not blocked because connections run in WAL mode. Waiting writers retry
for about the statement timeout (``Timeout=`` in the DSN, see ``prepare_dsn``) before
"database is locked", which the bridge raises as ``StatementTimeout``.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from .. import errors
from ..schema import Column, ColumnType
from .base import Dialect, iso_datetime

# The plugin's schema-version table always exists once init-db has run; an UPDATE that
# matches no row still takes SQLite's RESERVED (write) lock.
_WRITE_LOCK_SQL = "UPDATE scm_schema_version SET version = version WHERE 1 = 0"


class SQLiteDialect(Dialect):
    name = "sqlite"
    supports_row_locks = False
    supports_skip_locked = False
    supports_transactional_ddl = True
    # NUMERIC affinity stores a double; the driver hands it back as %.15g text.
    decimal_significant_digits = 15
    case_sensitive_tables = False
    case_sensitive_columns = False

    def prepare_dsn(self, dsn: str, timeout_s: int) -> str:
        if re.search(r"(^|;)\s*timeout\s*=", dsn, re.I):
            return dsn
        # Measured with the SQLite3 ODBC driver 0.9998: a blocked writer gives up after
        # about twice Timeout= (2.04 s for 1000, 1.04 s for 500, 0.44 s for 200), so half
        # the statement timeout is asked for to wait about the statement timeout.
        return f"{dsn.rstrip(';')};Timeout={max(100, int(timeout_s * 500))}"

    def on_connect(self, cnxn: Any, timeout_s: int) -> None:
        # WAL keeps readers from blocking the writer; the pragma is refused inside a
        # transaction, so it runs in autocommit mode. It persists in the file.
        cnxn.autocommit = True
        try:
            cnxn.cursor().execute("PRAGMA journal_mode=WAL").fetchall()
        finally:
            cnxn.autocommit = False

    def for_update(self, skip_locked: bool = False) -> str:
        return ""

    def begin_write(self, cursor: Any) -> None:
        import pyodbc

        try:
            cursor.execute(_WRITE_LOCK_SQL)
        except pyodbc.Error as exc:
            # Before init-db there is no version table: only schema creation runs then,
            # and it takes the lock with its first CREATE.
            if "no such table" not in str(exc).lower():
                raise

    def insert_returning_id(self, cursor: Any, sql: str, params: list[Any], id_column: str) -> int:
        cursor.execute(sql, params)
        # A RETURNING result is thrown away by this driver; last_insert_rowid() is per connection.
        return int(cursor.execute("SELECT last_insert_rowid()").fetchone()[0])

    def adapt_param(self, value: Any) -> Any:
        # The driver keeps milliseconds only when sent a datetime; ISO text keeps all six
        # digits and sorts correctly because every timestamp has the same shape.
        if isinstance(value, dt.datetime):
            return iso_datetime(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return str(value)
        return super().adapt_param(value)

    def classify(self, sqlstate: str, message: str) -> type[errors.BridgeError]:
        low = message.lower()
        if "database is locked" in low or "database table is locked" in low:
            return errors.StatementTimeout
        if "unable to open database" in low:
            return errors.ConnectionLost
        if "constraint failed" in low and not self.is_unique_violation(sqlstate, message):
            return errors.IntegrityViolation
        if "no such table" in low or "no such column" in low:
            return errors.MissingObject
        return super().classify(sqlstate, message)

    def is_unique_violation(self, sqlstate: str, message: str) -> bool:
        # The driver reports every constraint as a plain HY000; only the text tells.
        low = message.lower()
        return "unique constraint failed" in low or "is not unique" in low or "must be unique" in low

    def column_type(self, t: ColumnType) -> str:
        if t.kind == "decimal":
            # NUMERIC affinity: exact for integers, 15 significant digits otherwise;
            # values come back as float and are turned into Decimal by convert_value.
            return f"NUMERIC({t.precision},{t.scale})"
        if t.kind in ("int", "bigint", "bool"):
            return "INTEGER"
        return super().column_type(t)

    def auto_id_sql(self, table: str) -> tuple[str, list[Any]]:
        # The rowid alias: the one primary-key column, declared exactly INTEGER, of a
        # table with rowids (AUTOINCREMENT or not). The driver's SQLColumns reports it
        # as a plain INTEGER, so the table's own pragma is read. Names resolve as
        # SQLite resolves them, without regard to case.
        _, name = self.split_table(table)
        sql = ("SELECT m.name AS table_name, p.name AS column_name, 1 AS explicit_ok "
               "FROM sqlite_master m, pragma_table_info(m.name) p "
               "WHERE m.type = 'table' AND lower(m.name) = lower(?) "
               "AND p.pk = 1 AND upper(p.type) = 'INTEGER' "
               "AND (SELECT COUNT(*) FROM pragma_table_info(m.name) k WHERE k.pk > 0) = 1 "
               "AND upper(m.sql) NOT LIKE '%WITHOUT%ROWID%'")
        return sql, [name]

    def identity_column(self, column: Column) -> str:
        return f"{self.quote(column.name)} INTEGER PRIMARY KEY AUTOINCREMENT"
