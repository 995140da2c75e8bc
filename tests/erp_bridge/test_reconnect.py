"""A dropped connection: the server ends our session, or restarts.

What the bridge promises (connection.py): a read, or a transaction whose first statement
finds the connection dead, is retried once on a fresh connection, so the user sees
nothing; a transaction that already ran a statement raises ``ConnectionLost`` and
nothing of it is committed.

SQLSTATEs measured here (psqlODBC 13 / PostgreSQL 15, MariaDB Connector/ODBC 3.1 /
MariaDB 10.11):

* PostgreSQL, session terminated or server restarted: 57P01 on the next statement,
  08S01 after that; psqlODBC reports a statement with parameters as HY000 "The
  connection has been lost", and a statement inside a transaction as HY000 "internal
  SAVEPOINT failed"; a commit on the dead connection gives 57P01. Server down: 08001.
* MariaDB, ``KILL CONNECTION`` or restart: 08S01 (native 2013 "Lost connection", 2006
  "Server has gone away", also at commit), then 08003 "Connection not open" from
  SQLAllocHandle. Server down: HY000 (2002 "Can't connect").

SQLite has no server session to lose; these tests are skipped there.
"""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from scm_plugin.erp_bridge import ConnectionLost

NOW = dt.datetime(2026, 11, 5, 9, 0)


def _pooled_session(db, server) -> int:
    """Run a read so a connection sits in the pool; return its server session id."""
    with db.transaction() as tx:
        return server.session_id(tx)


def _add_audit(tx, action: str) -> None:
    tx.execute_sql("INSERT INTO scm_audit (at, actor, action) VALUES (?, ?, ?)", NOW, "rep1", action)


def _audits(db, action: str) -> int:
    return db.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit WHERE action = ?", action)


# --- the server ends our session --------------------------------------------------------------

def test_read_on_a_killed_pooled_connection_is_retried(db, server, caplog):
    session = _pooled_session(db, server)
    server.end_session(session)
    with caplog.at_level(logging.WARNING, logger="scm_plugin.erp_bridge"):
        row = db.one("erp.customer_by_code", "C001")  # a statement with a parameter
    assert row["name"] == "深圳华音文化传播有限公司"
    assert "connection lost" in caplog.text  # it did meet the dead connection
    with db.transaction() as tx:
        assert server.session_id(tx) != session


def test_read_without_parameters_on_a_killed_connection_is_retried(db, server):
    server.end_session(_pooled_session(db, server))
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {customer}") == 5


@pytest.mark.parametrize("write", [False, True], ids=["tx", "write-tx"])
def test_transaction_whose_first_statement_meets_the_dead_connection_succeeds(db, server, write):
    server.end_session(_pooled_session(db, server))
    with db.transaction(write=write) as tx:
        _add_audit(tx, "first-statement")
        _add_audit(tx, "first-statement")
    assert _audits(db, "first-statement") == 2


def test_transaction_losing_its_connection_midway_raises_and_commits_nothing(db, server):
    with pytest.raises(ConnectionLost) as caught:
        with db.transaction() as tx:
            _add_audit(tx, "midway")
            server.end_session(server.session_id(tx))
            _add_audit(tx, "midway")
    assert caught.value.sqlstate
    assert caught.value.detail not in str(caught.value)
    assert _audits(db, "midway") == 0
    # The dead connection is not handed out again: the next transactions just work.
    for _ in range(3):
        with db.transaction() as tx:
            _add_audit(tx, "after")
    assert _audits(db, "after") == 3


def test_connection_lost_before_commit_raises_and_commits_nothing(db, server):
    with pytest.raises(ConnectionLost):
        with db.transaction() as tx:
            _add_audit(tx, "at-commit")
            server.end_session(server.session_id(tx))
    assert _audits(db, "at-commit") == 0


def test_caught_connection_lost_does_not_commit_a_dead_transaction(db, server):
    """Catching the error inside the block must not turn into a silent 'commit'."""
    with pytest.raises(ConnectionLost):
        with db.transaction() as tx:
            _add_audit(tx, "swallowed")
            server.end_session(server.session_id(tx))
            try:
                _add_audit(tx, "swallowed")
            except ConnectionLost:
                pass
    assert _audits(db, "swallowed") == 0


# --- the real server restarts ----------------------------------------------------------------------

@pytest.mark.slow
def test_reads_and_writes_work_after_a_server_restart(db, server):
    server.require_control()
    # Several pooled connections, all of which the restart kills.
    txs = [db.transaction() for _ in range(3)]
    sessions = [server.session_id(cm.__enter__()) for cm in txs]
    for cm in txs:
        cm.__exit__(None, None, None)
    assert len(set(sessions)) == 3
    try:
        server.restart()
    finally:
        server.start()  # running again even if the restart failed half-way
    # No user-visible error for reads, however many dead connections the pool holds.
    for _ in range(4):
        assert db.one("erp.customer_by_code", "C002")["short_name"] == "星光唱片"
        assert len(db.all("erp.customers_all")) == 5
    with db.transaction(write=True) as tx:
        _add_audit(tx, "after-restart")
    assert _audits(db, "after-restart") == 1


@pytest.mark.slow
def test_server_down_raises_connection_lost_and_recovers_when_it_is_back(db, server):
    server.require_control()
    _pooled_session(db, server)
    try:
        server.stop()
        with pytest.raises(ConnectionLost) as caught:
            db.all("erp.customers_all")
        assert caught.value.sqlstate
        assert "127.0.0.1" not in str(caught.value)
        with pytest.raises(ConnectionLost):
            with db.transaction() as tx:
                _add_audit(tx, "while-down")
    finally:
        server.start()
    assert len(db.all("erp.customers_all")) == 5
    assert _audits(db, "while-down") == 0
