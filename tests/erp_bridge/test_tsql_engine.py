"""What only a T-SQL engine shows (the ``mssql`` engine, docs/sql-server.md)."""
from __future__ import annotations

import pytest


@pytest.fixture
def tsql_db(engine, make_database):
    if engine != "mssql":
        pytest.skip("T-SQL triggers: the mssql engine only")
    return make_database()


def test_a_new_row_id_is_the_rows_own_when_a_trigger_inserts_elsewhere(tsql_db):
    """ERP tables often carry triggers that write a log table with an identity of its own:
    the id returned is still the inserted row's (SCOPE_IDENTITY, not @@IDENTITY)."""
    with tsql_db.transaction() as tx:
        tx.ddl("CREATE TABLE [ErpLog] ([LogID] INT IDENTITY(500,1) PRIMARY KEY, [cNote] NVARCHAR(40))")
        tx.ddl("CREATE TABLE [ErpForm] ([ID] INT IDENTITY(1,1) PRIMARY KEY, [cCode] NVARCHAR(20))")
    with tsql_db.transaction() as tx:
        tx.ddl("CREATE TRIGGER [trg_ErpForm_log] ON [ErpForm] AFTER INSERT AS "
               "INSERT INTO [ErpLog] ([cNote]) SELECT N'新单 ' + [cCode] FROM inserted")
    with tsql_db.transaction() as tx:
        first = tx.insert_sql("INSERT INTO [ErpForm] ([cCode]) VALUES (?)", "HT001", id_column="ID")
        second = tx.insert_sql("INSERT INTO [ErpForm] ([cCode]) VALUES (?)", "HT002", id_column="ID")
    assert (first, second) == (1, 2)
    assert tsql_db.all_sql("SELECT [cNote] AS note FROM [ErpLog] ORDER BY [LogID]") == [
        {"note": "新单 HT001"}, {"note": "新单 HT002"}]
