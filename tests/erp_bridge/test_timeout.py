"""The statement timeout (``Database(statement_timeout=…)``) on every engine.

Measured:

* PostgreSQL: ``SET statement_timeout`` (and ``lock_timeout``): 57014 "canceling
  statement due to statement timeout", for a long statement and for a lock wait alike.
* MariaDB: ``SET max_statement_time``: HY018 (native 1969) "Query execution was
  interrupted (max_statement_time exceeded)" — also for ``SLEEP()``, which does not
  quietly return early under max_statement_time, and for a lock wait that outlasts it.
* SQL Server: the ODBC query timeout (``cnxn.timeout``) ends it with HYT00 "Query
  timeout expired"; a lock wait ends at ``SET LOCK_TIMEOUT`` (1222). Measured on
  Babelfish through FreeTDS.
* SQLite: the driver has no query timeout (a 10 s query runs to the end whatever
  SQL_ATTR_QUERY_TIMEOUT says); the only wait is for another connection's write lock,
  bounded by ``Timeout=`` in the DSN and ending in "database is locked" (HY000). The
  driver waits about twice ``Timeout=``, so the dialect asks for half.

In every case the bridge raises ``StatementTimeout`` and the connection stays usable.
"""
from __future__ import annotations

import time

import pytest

from scm_plugin.erp_bridge import Database, StatementTimeout

LONG_STATEMENT = {
    "postgresql": "SELECT pg_sleep(3) AS slept",
    "mariadb": "SELECT SLEEP(3) AS slept",
    # Babelfish has no WAITFOR: a join long enough to outlast the timeout.
    "mssql": "SELECT COUNT_BIG(*) AS slept FROM sys.all_columns a CROSS JOIN sys.all_columns b CROSS JOIN sys.all_columns c",
}


def test_long_statement_raises_statement_timeout(engine, db, engine_db):
    if engine not in LONG_STATEMENT:
        pytest.skip("SQLite's ODBC driver cannot interrupt a running statement (see module docstring)")
    fast = Database(engine_db.dsn, db.mapping, statement_timeout=1)
    try:
        started = time.monotonic()
        with pytest.raises(StatementTimeout) as caught:
            fast.scalar_sql(LONG_STATEMENT[engine])
        elapsed = time.monotonic() - started
        assert 0.8 < elapsed < 2.5, elapsed
        assert caught.value.sqlstate == {"postgresql": "57014", "mariadb": "HY018", "mssql": "HYT00"}[engine]
        assert fast.scalar_sql("SELECT COUNT(*) AS n FROM {customer}") == 5  # still usable
    finally:
        fast.dispose()


def test_writer_blocked_by_another_writer_times_out(erp_db, other_handle):
    """Another connection holds the lock on the row (SQLite: the database's write lock)
    longer than our timeout: we get StatementTimeout within about that timeout."""
    fast = other_handle(erp_db, statement_timeout=1)
    with erp_db.transaction(write=True) as holder:
        holder.scalar_sql("SELECT {customer.name} AS name FROM {customer}{:lock} WHERE {customer.code} = ?{:for_update}",
                          "C001")
        holder.execute_sql("UPDATE {customer} SET {customer.short_name} = ? WHERE {customer.code} = ?", "持有者", "C001")
        started = time.monotonic()
        with pytest.raises(StatementTimeout) as caught:
            with fast.transaction(write=True) as tx:
                tx.execute_sql("UPDATE {customer} SET {customer.short_name} = ? WHERE {customer.code} = ?",
                               "等待者", "C001")
        elapsed = time.monotonic() - started
    assert caught.value.sqlstate
    assert 0.4 < elapsed < 1.8, elapsed
    assert erp_db.one("erp.customer_by_code", "C001")["short_name"] == "持有者"
    # Once the lock is gone the same handle writes normally.
    with fast.transaction(write=True) as tx:
        tx.execute_sql("UPDATE {customer} SET {customer.short_name} = ? WHERE {customer.code} = ?", "等待者", "C001")
    assert erp_db.one("erp.customer_by_code", "C001")["short_name"] == "等待者"


def test_reader_is_not_blocked_by_a_writer(erp_db, other_handle):
    """Readers never wait for writers (SQLite: WAL mode), so pages stay responsive."""
    fast = other_handle(erp_db, statement_timeout=1)
    with erp_db.transaction(write=True) as holder:
        holder.execute_sql("UPDATE {customer} SET {customer.short_name} = ? WHERE {customer.code} = ?", "未提交", "C001")
        started = time.monotonic()
        row = fast.one("erp.customer_by_code", "C001")
        assert time.monotonic() - started < 0.5
    assert row["short_name"] == "华音文化"  # the committed value, not the pending one
