"""Constraint failures become the bridge's own exceptions, and transactions are all or nothing.

SQLSTATEs measured for a unique violation: PostgreSQL 23505, MariaDB 23000 (native 1062),
SQLite HY000 (the driver reports every constraint that way; the dialect reads the text).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest


from scm_plugin.erp_bridge import (BridgeError, IntegrityViolation, MissingObject, TransactionAborted,
                                  UniqueViolation)

NOW = dt.datetime(2026, 11, 5, 9, 0)


def assert_safe_to_show(exc: BridgeError, *leaks: str) -> None:
    """The exception keeps the SQLSTATE and the driver's text for the log, and shows none of it."""
    text = str(exc)
    assert exc.sqlstate, "the SQLSTATE is kept"
    assert exc.detail and exc.detail not in text
    for leak in ("SQLExecDirect", "[", "ERROR", exc.sqlstate, *leaks):
        assert leak not in text, f"{leak!r} leaks into {text!r}"


def _add_customer(tx, code, name="测试客户"):
    tx.execute_sql("INSERT INTO {customer} ({customer.code}, {customer.name}) VALUES (?, ?)", code, name)


def _add_review(tx, form_no, source_order_no):
    return tx.insert_sql(
        "INSERT INTO {contract_review} ({contract_review.form_no}, {contract_review.customer_code}, "
        "{contract_review.form_date}, {contract_review.delivery_date}, {contract_review.source_order_no}, "
        "{contract_review.status}) VALUES (?, ?, ?, ?, ?, ?)",
        form_no, "C001", NOW, dt.date(2026, 12, 1), source_order_no, "0",
        id_column=tx.mapping.column("contract_review", "id"))


# --- unique violations ----------------------------------------------------------------------

def test_duplicate_primary_key_raises_unique_violation(erp_db):
    with pytest.raises(UniqueViolation) as caught:
        with erp_db.transaction() as tx:
            _add_customer(tx, "C001")
    assert_safe_to_show(caught.value, "C001", erp_db.mapping.table("customer"))
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {customer} WHERE {customer.code} = ?", "C001") == 1


def test_duplicate_web_order_number_is_refused_by_the_form_table(erp_db):
    """The exactly-once guard of approval: one ERP form per web order number."""
    with erp_db.transaction() as tx:
        _add_review(tx, "HT-T-1", "WEB-0001")
    with pytest.raises(UniqueViolation) as caught:
        with erp_db.transaction() as tx:
            _add_review(tx, "HT-T-2", "WEB-0001")
    assert_safe_to_show(caught.value, "WEB-0001")
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                             "WEB-0001") == 1


def test_composite_key_in_the_erp(erp_db):
    """Current stock is keyed by (warehouse, item): the same item in another warehouse is fine."""
    with erp_db.transaction() as tx:
        tx.execute_sql("INSERT INTO {stock} ({stock.warehouse_code}, {stock.inventory_code}, {stock.quantity}) "
                       "VALUES (?, ?, ?)", "03", "1001001", Decimal(5))
    with pytest.raises(UniqueViolation) as caught:
        with erp_db.transaction() as tx:
            tx.execute_sql("INSERT INTO {stock} ({stock.warehouse_code}, {stock.inventory_code}, {stock.quantity}) "
                           "VALUES (?, ?, ?)", "03", "1001001", Decimal(6))
    assert_safe_to_show(caught.value, "1001001")


def test_composite_unique_index_in_plugin_tables(db):
    with db.transaction() as tx:
        doc = tx.insert_sql("INSERT INTO scm_document (subject, created_at) VALUES (?, ?)", "光盘印刷规范", NOW)
        tx.execute_sql("INSERT INTO scm_document_target (document_id, customer_code, download_count) VALUES (?, ?, 0)",
                       doc, "C001")
        tx.execute_sql("INSERT INTO scm_document_target (document_id, customer_code, download_count) VALUES (?, ?, 0)",
                       doc, "C002")
    with pytest.raises(UniqueViolation) as caught:
        with db.transaction() as tx:
            tx.execute_sql("INSERT INTO scm_document_target (document_id, customer_code, download_count) "
                           "VALUES (?, ?, 0)", doc, "C001")
    assert_safe_to_show(caught.value, "scm_document_target", "C001")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document_target WHERE document_id = ?", doc) == 2


def test_update_onto_an_existing_key_raises_unique_violation(erp_db):
    with pytest.raises(UniqueViolation):
        with erp_db.transaction() as tx:
            tx.execute_sql("UPDATE {customer} SET {customer.code} = ? WHERE {customer.code} = ?", "C002", "C001")


def test_work_continues_after_a_caught_unique_violation(erp_db):
    """Inside one transaction, a refused insert does not spoil what came before or after."""
    with erp_db.transaction() as tx:
        _add_customer(tx, "Z101")
        with pytest.raises(UniqueViolation):
            _add_customer(tx, "C001")
        _add_customer(tx, "Z102")
    codes = erp_db.all_sql("SELECT {customer.code} AS code FROM {customer} WHERE {customer.code} LIKE ? "
                           "ORDER BY {customer.code}", "Z1%")
    assert codes == [{"code": "Z101"}, {"code": "Z102"}]


# --- other constraints ----------------------------------------------------------------------

def test_missing_required_value_raises_integrity_violation(erp_db):
    with pytest.raises(IntegrityViolation) as caught:
        with erp_db.transaction() as tx:
            _add_customer(tx, "Z201", None)
    assert not isinstance(caught.value, UniqueViolation)
    assert_safe_to_show(caught.value, erp_db.mapping.column("customer", "name"))


def test_line_without_its_header_raises_integrity_violation(erp_db):
    with pytest.raises(IntegrityViolation) as caught:
        with erp_db.transaction() as tx:
            tx.execute_sql("INSERT INTO {contract_review_line} ({contract_review_line.header_id}, "
                           "{contract_review_line.row_no}, {contract_review_line.inventory_code}, "
                           "{contract_review_line.quantity}) VALUES (?, ?, ?, ?)", 987654, 1, "1001001", Decimal(1))
    assert not isinstance(caught.value, UniqueViolation)
    assert_safe_to_show(caught.value, erp_db.mapping.table("contract_review_line"))


def test_deleting_a_referenced_header_raises_integrity_violation(erp_db):
    with pytest.raises(IntegrityViolation) as caught:
        with erp_db.transaction() as tx:
            tx.execute_sql("DELETE FROM {contract_review}")
    assert not isinstance(caught.value, UniqueViolation)
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review}") == 1


# --- commit and rollback ----------------------------------------------------------------------

class Boom(Exception):
    pass


def test_exception_inside_transaction_leaves_nothing(erp_db):
    boom = Boom("the approval failed half-way")
    with pytest.raises(Boom) as caught:
        with erp_db.transaction() as tx:
            form_id = _add_review(tx, "HT-R-1", "WEB-R-1")
            tx.execute_sql("INSERT INTO {contract_review_line} ({contract_review_line.header_id}, "
                           "{contract_review_line.row_no}, {contract_review_line.inventory_code}, "
                           "{contract_review_line.quantity}) VALUES (?, ?, ?, ?)", form_id, 1, "1001001", Decimal(10))
            tx.execute_sql("UPDATE {customer} SET {customer.name} = ? WHERE {customer.code} = ?", "改名", "C001")
            tx.execute_sql("INSERT INTO scm_audit (at, actor, action) VALUES (?, ?, ?)", NOW, "rep1", "approve")
            raise boom
    assert caught.value is boom  # the caller's exception, untouched
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.form_no} = ?",
                             "HT-R-1") == 0
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review_line}") == 2  # the seed's
    assert erp_db.one("erp.customer_by_code", "C001")["name"] == "深圳华音文化传播有限公司"
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit") == 0


def test_interrupt_inside_transaction_rolls_back(erp_db):
    """KeyboardInterrupt / SystemExit (a worker being stopped) roll back too."""
    with pytest.raises(KeyboardInterrupt):
        with erp_db.transaction() as tx:
            _add_customer(tx, "Z301")
            raise KeyboardInterrupt
    assert erp_db.one("erp.customer_by_code", "Z301") is None


def test_failed_statement_rolls_back_the_whole_transaction(erp_db):
    with pytest.raises(UniqueViolation):
        with erp_db.transaction() as tx:
            _add_customer(tx, "Z401")
            _add_customer(tx, "C001")
    assert erp_db.one("erp.customer_by_code", "Z401") is None


def test_success_commits_and_another_connection_sees_it(erp_db, other_handle):
    with erp_db.transaction(write=True) as tx:
        _add_customer(tx, "Z501", "新客户")
        tx.execute_sql("INSERT INTO scm_audit (at, actor, action) VALUES (?, ?, ?)", NOW, "admin", "add customer")
    other = other_handle(erp_db)
    assert other.one("erp.customer_by_code", "Z501")["name"] == "新客户"
    assert other.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit WHERE action = ?", "add customer") == 1


def test_uncommitted_work_is_invisible_to_others(erp_db, other_handle):
    other = other_handle(erp_db)
    with erp_db.transaction() as tx:
        _add_customer(tx, "Z601")
        assert other.one("erp.customer_by_code", "Z601") is None
    assert other.one("erp.customer_by_code", "Z601") is not None


def test_foreign_keys_are_checked_alike_before_and_after_a_new_row_id(erp_db):
    """Measured on Babelfish 4.2: a table variable first declared in a session after it
    checked a foreign key broke every later check of that key ('relation "<db>_<db>_dbo.…"
    does not exist') — the way the dialect once read new ids. One session throughout."""
    erp_db.dispose()
    header = erp_db.scalar_sql("SELECT MIN({contract_review.id}) AS id FROM {contract_review}")
    for n in (1, 2):
        with erp_db.transaction() as tx:
            tx.execute_sql("INSERT INTO {contract_review_line} ({contract_review_line.header_id}, "
                           "{contract_review_line.row_no}, {contract_review_line.inventory_code}, "
                           "{contract_review_line.quantity}) VALUES (?, ?, ?, ?)", header, 90 + n, "1001001", Decimal(n))
            tx.insert_sql("INSERT INTO scm_audit (at, actor, action) VALUES (?, ?, ?)", dt.datetime(2026, 12, 3),
                          "rep1", f"new-id-{n}")
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review_line} WHERE {contract_review_line.row_no} > ?",
                             90) == 2


def test_after_a_caught_error_the_transaction_commits_whole_or_not_at_all(erp_db):
    """PostgreSQL, MariaDB and SQLite undo the failed statement alone; SQL Server may end
    the whole transaction (Babelfish does for a missing table): then what follows is
    refused with TransactionAborted — never committed without what came before."""
    try:
        with erp_db.transaction() as tx:
            _add_customer(tx, "Z301")
            with pytest.raises(MissingObject):
                tx.execute_sql("UPDATE scm_no_such_table SET x = 1")
            _add_customer(tx, "Z302")
    except TransactionAborted:
        pass
    codes = [r["code"] for r in erp_db.all_sql("SELECT {customer.code} AS code FROM {customer} "
                                               "WHERE {customer.code} LIKE ? ORDER BY {customer.code}", "Z30%")]
    assert codes in ([], ["Z301", "Z302"])
    assert erp_db.scalar_sql("SELECT COUNT(*) AS n FROM {customer}") >= 5  # the handle still works
