"""Microsoft SQL Server (2012+) through FreeTDS or Microsoft's ODBC driver.

Executed by the ``mssql`` test engine on any T-SQL server given by SCM_TEST_MSSQL_DSN
(measured on Babelfish for PostgreSQL 4.2 through FreeTDS); every statement is also
parsed as T-SQL in CI (tests/erp_bridge/test_mssql_sql.py). docs/sql-server.md says what
each choice here rests on.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from .. import errors
from ..schema import Column, ColumnType, Index
from .base import Dialect

_LOCKED_TABLE = re.compile(r"\bFROM\s+(\S+)\s+WITH \(UPDLOCK, ROWLOCK\)", re.I)
_APPLOCK_SQL = ("DECLARE @scm_r INT; EXEC @scm_r = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', "
                "@LockOwner = 'Transaction', @LockTimeout = ?; SELECT @scm_r AS r")
_BABELFISH_INDEX = re.compile(r"^(.+)[0-9a-f]{32}$")
_BABELFISH_INDEX_BASE = 31  # PostgreSQL's 63 characters less the md5


def _declared_index_name(stored: str, table: str) -> str:
    """The name an index was created with. Babelfish stores it as (name + table) cut to
    31 characters + md5, PostgreSQL's index names being per schema (measured:
    ux_scm_grant_user_customer on scm_grant → ux_scm_grant_user_customerscm_g3f3f…);
    SQL Server's names, which do not end that way, come back as they are."""
    m = _BABELFISH_INDEX.match(stored)
    if not m:
        return stored
    base = m.group(1)
    for k in range(min(len(table), len(base) - 1), -1, -1):  # how much of the table fitted
        if base.endswith(table[:k]) and (k == len(table) or len(base) == _BABELFISH_INDEX_BASE):
            return base[:len(base) - k]
    return stored


class MSSQLDialect(Dialect):
    name = "mssql"
    quote_open = "["
    quote_close = "]"
    supports_transactional_ddl = True
    # The usual (and default) collations are case-insensitive for names.
    case_sensitive_tables = False
    case_sensitive_columns = False

    def on_connect(self, cnxn: Any, timeout_s: int) -> None:
        cnxn.timeout = int(timeout_s)
        cur = cnxn.cursor()
        # Set, not assumed: a server may change the defaults ('user options'), and a SET
        # lasts for the session. NOCOUNT OFF: row counts say whether a guarded UPDATE took
        # its row (with it on FreeTDS reports 0). XACT_ABORT OFF: a refused statement (a
        # duplicate key, a value too long) is undone alone, as on the other engines; an
        # error that still ends the transaction is caught by transaction_survives_error.
        # Lock waits end like statement timeouts.
        cur.execute("SET NOCOUNT OFF")
        cur.execute("SET XACT_ABORT OFF")
        cur.execute(f"SET LOCK_TIMEOUT {int(timeout_s * 1000)}")
        cur.close()
        cnxn.commit()

    def paginate(self, sql: str, limit: int, offset: int) -> tuple[str, list[Any]]:
        return f"{sql}\nOFFSET ? ROWS FETCH NEXT ? ROWS ONLY", [int(offset), int(limit)]

    def limit_one(self, sql: str) -> str:
        return f"{sql}\nOFFSET 0 ROWS FETCH NEXT 1 ROWS ONLY"

    def for_update(self, skip_locked: bool = False) -> str:
        return ""

    def lock_hint(self, skip_locked: bool = False) -> str:
        return " WITH (UPDLOCK, ROWLOCK, READPAST)" if skip_locked else " WITH (UPDLOCK, ROWLOCK)"

    def row_claim(self, sql: str, params: list[Any]) -> str | None:
        # SQL Server blocks a second UPDLOCK read of the row; Babelfish does not (measured),
        # and reads never wait there. An application lock named after the table and the
        # read's key does block on both, and ends with the transaction like the row lock.
        # READPAST reads (the outbox relay) are left alone: their UPDATE re-checks.
        m = _LOCKED_TABLE.search(sql)
        if m is None:
            return None
        key = "|".join(repr(p) for p in params)
        if len(key) > 160:
            key = hashlib.sha1(key.encode("utf-8")).hexdigest()
        return f"scm:{m.group(1)}:{key}"

    def take_claim(self, cursor: Any, name: str, timeout_ms: int) -> None:
        cursor.execute(_APPLOCK_SQL, [name, int(timeout_ms)])
        while cursor.description is None and cursor.nextset():
            pass
        result = int(cursor.fetchone()[0])
        if result == -1:
            raise errors.StatementTimeout(sqlstate="HYT00", detail=f"sp_getapplock {name}: timed out")
        if result == -3:
            raise errors.TransactionConflict(sqlstate="40001", detail=f"sp_getapplock {name}: deadlock victim")
        if result < 0:
            raise errors.BridgeError(detail=f"sp_getapplock {name}: {result}")

    def insert_returning_id(self, cursor: Any, sql: str, params: list[Any], id_column: str) -> int:
        cursor.execute(self.insert_returning_sql(sql, id_column), params)
        # Skip the INSERT's row count to reach the SELECT.
        while cursor.description is None and cursor.nextset():
            pass
        row = cursor.fetchone()
        if row is None or row[0] is None:
            raise errors.BridgeError(detail="SCOPE_IDENTITY() is NULL: the table has no identity column "
                                            "or an INSTEAD OF trigger inserted the row")
        return int(row[0])

    def insert_returning_sql(self, sql: str, id_column: str) -> str:
        """SCOPE_IDENTITY() in the INSERT's own batch: the id this statement made, not one
        a trigger made (plain OUTPUT fails on tables with triggers, and ERP tables often
        have them). Not OUTPUT … INTO a table variable: on Babelfish the session's first
        table variable breaks every foreign key check cached before it (measured)."""
        return f"{sql}; SELECT CAST(SCOPE_IDENTITY() AS BIGINT) AS id"

    def fit_text(self, value: str, width: int) -> str:
        # NVARCHAR(n) holds n UTF-16 code units: a character beyond the BMP (𠀀, 😀)
        # takes two; never cut one in half.
        units = 0
        for n, char in enumerate(value):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > width:
                return value[:n]
        return value

    def transaction_survives_error(self, cursor: Any) -> bool:
        # Deadlocks, conversion errors and (on Babelfish) most errors roll the whole
        # transaction back; @@TRANCOUNT then reads 0.
        try:
            return int(cursor.execute("SELECT @@TRANCOUNT").fetchone()[0]) > 0
        except Exception:  # noqa: BLE001 - cannot tell: treat as ended
            return False

    def classify(self, sqlstate: str, message: str) -> type[errors.BridgeError]:
        low = message.lower()
        # Measured on FreeTDS: the first statement on a session the server killed is
        # HY000 "Unknown error (0)", later ones 08S01; 20004/20006/20017 are FreeTDS's
        # read / write failed / unexpected EOF.
        if (sqlstate == "HY000" and "unknown error (0)" in low) \
                or any(code in low for code in ("(20004)", "(20006)", "(20017)")):
            return errors.ConnectionLost
        # SQL Server: 208 / 207 / 2812 (42S02 / 42S22 / 42000); Babelfish reports every
        # one as 42000 with its catch-all native code 33557097 and PostgreSQL's wording.
        if re.search(r"\((208|207|2812)\)", low) \
                or ("(33557097)" in low and re.search(r"(relation|column|procedure) .* does not exist", low)):
            return errors.MissingObject
        if "(33557097)" in low and "value too long" in low:
            return errors.DataRejected  # Babelfish: characters beyond the BMP, counted in UTF-16
        if "(1222)" in low or "lock request time out" in low:
            return errors.StatementTimeout
        if "(1205)" in low:
            return errors.TransactionConflict
        return super().classify(sqlstate, message)

    def is_unique_violation(self, sqlstate: str, message: str) -> bool:
        low = message.lower()
        return sqlstate == "23000" and ("(2627)" in low or "(2601)" in low or "duplicate key" in low)

    def column_type(self, t: ColumnType) -> str:
        k = t.kind
        if k == "string":
            return f"NVARCHAR({t.length})"
        if k == "text":
            return "NVARCHAR(MAX)"
        if k == "datetime":
            return "DATETIME2(6)"
        if k == "bool":
            return "BIT"
        return super().column_type(t)

    def catalog_index_names(self, tx: Any, table: str) -> set[str]:
        # sys.indexes, not SQLStatistics, whose names Babelfish cuts short.
        rows = tx.all_sql("SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name IS NOT NULL",
                          self.quote_dotted(table))
        return {_declared_index_name(r["name"], table.lower()) for r in rows}

    def catalog_column_names(self, tx: Any, table: str, rows: list[Any]) -> list[str]:
        names = super().catalog_column_names(tx, table, rows)
        if not any("?" in n for n in names):
            return names
        # Babelfish's sp_columns gives names as VARCHAR: 汇报人 arrives as ???.
        # INFORMATION_SCHEMA has them as NVARCHAR; both count positions alike.
        by_position = {int(r["ordinal_position"]): r["column_name"] for r in tx.all_sql(
            "SELECT ORDINAL_POSITION AS ordinal_position, COLUMN_NAME AS column_name "
            "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = ?", table)}
        return [by_position.get(int(row.ordinal_position), n) for row, n in zip(rows, names)]

    def auto_id_sql(self, table: str) -> tuple[str, list[Any]]:
        # IDENTITY columns refuse a given value (unless IDENTITY_INSERT, which the bridge
        # never sets); a NEXT VALUE FOR default takes one.
        sql = ("SELECT OBJECT_NAME(c.object_id) AS table_name, c.name AS column_name, "
               "CASE WHEN c.is_identity = 1 THEN 0 ELSE 1 END AS explicit_ok "
               "FROM sys.columns c LEFT JOIN sys.default_constraints d "
               "ON d.parent_object_id = c.object_id AND d.parent_column_id = c.column_id "
               "WHERE c.object_id = OBJECT_ID(?) "
               "AND (c.is_identity = 1 OR d.definition LIKE '%NEXT VALUE FOR%')")
        return sql, [self.quote_dotted(table)]

    def create_index(self, table_name: str, index: Index) -> str:
        sql = super().create_index(table_name, index)
        if not index.unique:
            return sql
        # SQL Server's unique index holds one NULL at most; everywhere else (and in the
        # plugin's tables, where NULL means "not given") NULLs never collide.
        return sql + " WHERE " + " AND ".join(f"{self.quote(c)} IS NOT NULL" for c in index.columns)

    def identity_column(self, column: Column) -> str:
        return f"{self.quote(column.name)} BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY"
