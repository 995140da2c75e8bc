"""MariaDB / MySQL through MariaDB Connector/ODBC (``{MariaDB Unicode}``).

Chinese text survives only with UTF-8 set on the pyodbc connection for both
directions and utf8mb4 tables. Tables use the binary collation so that codes and
names compare exactly as they do on PostgreSQL and SQLite.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import errors
from ..schema import Column, ColumnType
from .base import Dialect, iso_datetime

# Native error codes that mean the server is gone or unreachable. Measured (Connector/ODBC
# 3.1, MariaDB 10.11): a killed session or restarted server gives 08S01 (2013 "Lost
# connection to server during query"; 2006 "Server has gone away" at prepare or commit),
# then 08003 "Connection not open" from SQLAllocHandle; connecting while the server is
# down gives HY000 (2002 "Can't connect"). max_statement_time gives HY018 (1969), also
# for SLEEP() and for a lock wait it outlasts; a unique violation 23000 (1062).
_GONE = ("(2002)", "(2003)", "(2006)", "(2013)", "(2055)", "server has gone away",
         "lost connection", "can't connect")


class MySQLDialect(Dialect):
    name = "mysql"
    quote_open = "`"
    quote_close = "`"
    max_identifier_length = 64
    # Table names are file names: case-sensitive on Linux (lower_case_table_names=0,
    # measured: `mixedcase` is 42S02 for a table created as `MixedCase`, although the
    # ODBC catalog lists it for either spelling). Column names never are.
    case_sensitive_tables = True
    case_sensitive_columns = False

    def prepare_dsn(self, dsn: str, timeout_s: int) -> str:
        # The connector refuses SET NAMES; the character set is a connection option.
        if re.search(r"(^|;)\s*charset\s*=", dsn, re.I):
            return dsn
        return f"{dsn.rstrip(';')};CHARSET=utf8mb4"

    def on_connect(self, cnxn: Any, timeout_s: int) -> None:
        import pyodbc  # only the bridge imports pyodbc

        cnxn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        cnxn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
        cnxn.setencoding(encoding="utf-8")
        cur = cnxn.cursor()
        cur.execute(f"SET SESSION max_statement_time = {int(timeout_s)}")
        cur.execute(f"SET SESSION innodb_lock_wait_timeout = {max(1, int(timeout_s))}")
        # The same isolation as PostgreSQL and SQL Server: fewer gap locks on inserts.
        cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cur.close()
        cnxn.commit()

    def insert_returning_id(self, cursor: Any, sql: str, params: list[Any], id_column: str) -> int:
        cursor.execute(sql, params)
        return int(cursor.execute("SELECT LAST_INSERT_ID()").fetchone()[0])

    def adapt_param(self, value: Any) -> Any:
        # Sent as a datetime the driver drops microseconds; ISO text keeps them.
        if isinstance(value, dt.datetime):
            return iso_datetime(value)
        return super().adapt_param(value)

    def classify(self, sqlstate: str, message: str) -> type[errors.BridgeError]:
        low = message.lower()
        if any(code in low for code in _GONE):
            return errors.ConnectionLost
        if sqlstate in ("HY018", "70100") or "max_statement_time" in low or "(1205)" in low \
                or "lock wait timeout" in low:
            return errors.StatementTimeout
        if "(1213)" in low or "deadlock" in low:
            return errors.TransactionConflict
        # Strict mode reports these as HY000: a NOT NULL column left out of an INSERT, a
        # value of the wrong type.
        if "(1364)" in low or "doesn't have a default value" in low:
            return errors.IntegrityViolation
        if "(1366)" in low or "(1292)" in low or "incorrect integer value" in low:
            return errors.DataRejected
        return super().classify(sqlstate, message)

    def is_unique_violation(self, sqlstate: str, message: str) -> bool:
        low = message.lower()
        return sqlstate == "23000" and ("duplicate entry" in low or "(1062)" in low)

    def column_type(self, t: ColumnType) -> str:
        if t.kind == "datetime":
            return "DATETIME(6)"
        if t.kind == "text":
            return "MEDIUMTEXT"
        if t.kind == "bool":
            return "TINYINT"
        return super().column_type(t)

    def auto_id_sql(self, table: str) -> tuple[str, list[Any]]:
        # AUTO_INCREMENT (MariaDB/MySQL accept a given value) and MariaDB's sequence
        # defaults; the connector's SQLColumns reports neither.
        schema, name = self.split_table(table)
        sql = ("SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, 1 AS explicit_ok "
               "FROM information_schema.COLUMNS "
               f"WHERE TABLE_SCHEMA = {'?' if schema else 'DATABASE()'} AND TABLE_NAME = ? "
               "AND (EXTRA LIKE '%auto_increment%' OR COLUMN_DEFAULT LIKE 'nextval(%')")
        return sql, ([schema] if schema else []) + [name]

    def identity_column(self, column: Column) -> str:
        return f"{self.quote(column.name)} BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"

    def table_options(self) -> str:
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
