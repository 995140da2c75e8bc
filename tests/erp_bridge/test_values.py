"""Values in and out of every engine: Chinese text, Decimal quantities, datetimes.

What each engine guarantees, as these tests check it:

* Text: Simplified and Traditional Chinese, and 4-byte characters (emoji, CJK
  Extension B) round-trip and compare in WHERE on all three engines. MariaDB needs the
  dialect's UTF-8 encoding on the connection and utf8mb4 tables (ODBC.md).
* Decimal: PostgreSQL and MariaDB keep every digit of DECIMAL(p,s). SQLite has no decimal
  type: NUMERIC columns hold a double, so it keeps 15 significant digits
  (``Dialect.decimal_significant_digits``) — 999999999.999999 in an ERP quantity, or any
  plugin QUANTITY(18,4) up to 99,999,999,999.9999. Values always come back as Decimal.
* Datetimes: microseconds round-trip on all three. PostgreSQL has TIMESTAMP(6), MariaDB
  DATETIME(6) (the dialect sends ISO text because the driver drops microseconds from a
  datetime parameter), SQLite stores the dialect's ISO text, which also sorts and
  compares correctly because every value has the same shape. DATE columns come back as
  ``datetime.date``. Time-zone-aware datetimes are stored as their wall-clock time.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scm_plugin.erp_bridge.repos import inventory as inventory_repo

# --- Chinese text -----------------------------------------------------------------------

NAMES = [
    "东莞新世纪光盘复制有限公司",         # Simplified
    "香港環球影音製作股份有限公司",       # Traditional
    "𠀀𠀁𪚥 CJK 扩展B 客户",             # CJK Extension B: 4 bytes in UTF-8
    "光盘😀📀 客户《测试》「引号」，全角",   # emoji and full-width punctuation
]


def _add_customer(tx, code: str, name: str, short_name: str | None = None) -> None:
    tx.execute_sql("INSERT INTO {customer} ({customer.code}, {customer.name}, {customer.short_name}) "
                   "VALUES (?, ?, ?)", code, name, short_name)


@pytest.mark.parametrize("name", NAMES)
def test_chinese_text_round_trips_and_matches_in_where(erp_db, name):
    with erp_db.transaction() as tx:
        _add_customer(tx, "Z001", name, name[:4])

    row = erp_db.one("erp.customer_by_code", "Z001")
    assert row["name"] == name
    assert row["short_name"] == name[:4]
    # Equality and LIKE with Chinese parameters find exactly that row.
    by_name = erp_db.all_sql("SELECT {customer.code} AS code FROM {customer} WHERE {customer.name} = ?", name)
    assert by_name == [{"code": "Z001"}]
    like = erp_db.all_sql("SELECT {customer.code} AS code FROM {customer} WHERE {customer.name} LIKE ?",
                          f"%{name[1:3]}%")
    assert {"code": "Z001"} in like


def test_column_holds_its_length_in_four_byte_characters(erp_db):
    """customer.name is String(100): 100 characters, even when each takes 4 bytes — on
    SQL Server 100 UTF-16 code units, two for each of these (the dialect's fit_text)."""
    name = erp_db.dialect.fit_text(("𠀀" + "😀") * 50 + "客", 100)
    assert len(name) == (50 if erp_db.dialect.name == "mssql" else 100)
    with erp_db.transaction() as tx:
        _add_customer(tx, "Z002", name)
    assert erp_db.one("erp.customer_by_code", "Z002")["name"] == name


def test_chinese_text_is_updated_in_place(erp_db):
    with erp_db.transaction() as tx:
        changed = tx.execute_sql("UPDATE {customer} SET {customer.short_name} = ? WHERE {customer.name} = ?",
                                 "华音𠀀", "深圳华音文化传播有限公司")
    assert changed == 1
    assert erp_db.one("erp.customer_by_code", "C001")["short_name"] == "华音𠀀"


def test_long_chinese_text_in_plugin_text_columns(db):
    body = "客户投诉：光盘印刷颜色偏差😀，请尽快回复。" * 400  # ~9,600 characters
    with db.transaction() as tx:
        fid = tx.insert_sql("INSERT INTO scm_feedback (customer_code, fb_type, subject, body, status, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)", "C001", "complaint", "颜色偏差", body, "new",
                            dt.datetime(2026, 11, 1, 9, 0))
    row = db.one_sql("SELECT subject, body FROM scm_feedback WHERE id = ?", fid)
    assert row == {"subject": "颜色偏差", "body": body}


# --- Decimal quantities --------------------------------------------------------------------

def _add_stock(tx, inventory_code: str, quantity: Decimal, warehouse: str = "01") -> None:
    tx.execute_sql("INSERT INTO {stock} ({stock.warehouse_code}, {stock.inventory_code}, {stock.quantity}) "
                   "VALUES (?, ?, ?)", warehouse, inventory_code, quantity)


ERP_QUANTITIES = [
    Decimal("1234567.123456"),
    Decimal("-1234567.123456"),
    Decimal("0.000001"),
    Decimal("-0.000001"),
    Decimal("0"),
    Decimal("999999999.999999"),   # 15 significant digits: the most SQLite keeps
    Decimal("30000"),
]


def test_erp_quantities_come_back_equal_as_decimal(erp_db):
    with erp_db.transaction() as tx:
        for i, q in enumerate(ERP_QUANTITIES):
            _add_stock(tx, f"Q{i:03d}", q)
    rows = erp_db.all_sql("SELECT {stock.inventory_code} AS code, {stock.quantity} AS quantity FROM {stock} "
                          "WHERE {stock.inventory_code} LIKE ? ORDER BY {stock.inventory_code}", "Q%")
    got = [r["quantity"] for r in rows]
    assert all(type(q) is Decimal for q in got), [type(q) for q in got]
    assert got == ERP_QUANTITIES


def test_erp_quantity_at_full_column_precision(erp_db):
    """DECIMAL(20,6) at its limit: exact where the engine has decimals, else rounded to
    the dialect's stated significant digits — never garbage, never a float."""
    big = Decimal("99999999999999.999999")
    with erp_db.transaction() as tx:
        _add_stock(tx, "QBIG", big)
    got = erp_db.scalar_sql("SELECT {stock.quantity} AS q FROM {stock} WHERE {stock.inventory_code} = ?", "QBIG")
    assert type(got) is Decimal
    digits = erp_db.dialect.decimal_significant_digits
    if digits is None:
        assert got == big
    else:
        assert got == Decimal(format(float(big), f".{digits}g"))


def test_sums_and_comparisons_of_quantities_are_exact(erp_db):
    values = [Decimal("1234567.123456"), Decimal("7654321.654321"), Decimal("0.1"), Decimal("0.2"),
              Decimal("-0.000001")]
    with erp_db.transaction() as tx:
        for i, q in enumerate(values):
            _add_stock(tx, f"S{i:03d}", q)
    total = erp_db.scalar_sql("SELECT SUM({stock.quantity}) AS total FROM {stock} WHERE {stock.inventory_code} LIKE ?",
                              "S%")
    assert type(total) is Decimal
    assert total == Decimal("8888889.077776")
    small = erp_db.scalar_sql("SELECT SUM({stock.quantity}) AS total FROM {stock} WHERE {stock.inventory_code} IN (?, ?)",
                              "S002", "S003")
    assert small == Decimal("0.3")
    # Decimal parameters in WHERE: equality and order.
    eq = erp_db.all_sql("SELECT {stock.inventory_code} AS code FROM {stock} WHERE {stock.quantity} = ?",
                        Decimal("7654321.654321"))
    assert eq == [{"code": "S001"}]
    negative = erp_db.all_sql("SELECT {stock.inventory_code} AS code FROM {stock} WHERE {stock.quantity} < ?", Decimal(0))
    assert negative == [{"code": "S004"}]
    ordered = erp_db.all_sql("SELECT {stock.inventory_code} AS code FROM {stock} WHERE {stock.inventory_code} LIKE ? "
                             "ORDER BY {stock.quantity} DESC", "S%")
    assert [r["code"] for r in ordered] == ["S001", "S000", "S003", "S002", "S004"]


def test_arithmetic_on_a_quantity_in_sql(erp_db):
    """Stock moves are written as quantity = quantity + ?."""
    with erp_db.transaction() as tx:
        _add_stock(tx, "M001", Decimal("100.5"))
        tx.execute_sql("UPDATE {stock} SET {stock.quantity} = {stock.quantity} + ? WHERE {stock.inventory_code} = ?",
                       Decimal("-0.000001"), "M001")
    got = erp_db.scalar_sql("SELECT {stock.quantity} AS q FROM {stock} WHERE {stock.inventory_code} = ?", "M001")
    assert got == Decimal("100.499999")


PLUGIN_QUANTITIES = [Decimal("0.0001"), Decimal("-0.0001"), Decimal("12345678901.2345"),
                     Decimal("-99999999999.9999"), Decimal("1")]


def test_plugin_quantities_come_back_equal_as_decimal(db):
    with db.transaction() as tx:
        for i, q in enumerate(PLUGIN_QUANTITIES):
            tx.execute_sql("INSERT INTO scm_customer_stock (customer_code, inventory_code, quantity, updated_at) "
                           "VALUES (?, ?, ?, ?)", "C001", f"P{i:03d}", q, dt.datetime(2026, 11, 1))
    rows = db.all_sql("SELECT quantity FROM scm_customer_stock ORDER BY inventory_code")
    assert all(type(r["quantity"]) is Decimal for r in rows)
    assert [r["quantity"] for r in rows] == PLUGIN_QUANTITIES
    total = db.scalar_sql("SELECT SUM(quantity) AS t FROM scm_customer_stock WHERE quantity BETWEEN ? AND ?",
                          Decimal("-1"), Decimal("1"))
    assert total == Decimal("1.0000")


def test_seeded_quantities_read_as_decimal(erp_db):
    stock = erp_db.read(lambda tx: inventory_repo.own_stock(tx, ["2001001"]))
    assert [r["quantity"] for r in stock] == [Decimal("3250.5")]
    assert type(stock[0]["quantity"]) is Decimal


# --- datetimes --------------------------------------------------------------------------------

def _add_progress(tx, order_ref: str, at: dt.datetime, quantity: Decimal = Decimal(1)) -> int:
    return tx.insert_sql("INSERT INTO {progress} ({progress.order_ref}, {progress.process_code}, {progress.quantity}, "
                         "{progress.reported_at}) VALUES (?, ?, ?, ?)", order_ref, "REP", quantity, at,
                         id_column=tx.mapping.column("progress", "id"))


TIMES = [
    dt.datetime(2026, 11, 5, 9, 0, 0, 0),
    dt.datetime(2026, 11, 5, 9, 0, 0, 1),
    dt.datetime(2026, 11, 5, 9, 0, 0, 123456),
    dt.datetime(2026, 11, 5, 9, 0, 0, 999999),
    dt.datetime(2026, 12, 31, 23, 59, 59, 500000),
    dt.datetime(1999, 1, 1, 0, 0, 0),
]


def test_datetimes_keep_microseconds(erp_db):
    with erp_db.transaction() as tx:
        ids = [_add_progress(tx, "T-0001", t) for t in TIMES]
    rows = erp_db.all_sql("SELECT {progress.id} AS id, {progress.reported_at} AS at FROM {progress} "
                          "WHERE {progress.order_ref} = ?", "T-0001")
    got = {r["id"]: r["at"] for r in rows}
    assert all(type(v) is dt.datetime for v in got.values())
    assert [got[i] for i in ids] == TIMES


def test_datetime_parameters_compare_and_order_to_the_microsecond(erp_db):
    with erp_db.transaction() as tx:
        for t in TIMES:
            _add_progress(tx, "T-0002", t)
    q = ("SELECT {progress.reported_at} AS at FROM {progress} WHERE {progress.order_ref} = ? "
         "AND {progress.reported_at} {op} ? ORDER BY {progress.reported_at}")

    def at(op, value):
        return [r["at"] for r in erp_db.all_sql(q.replace("{op}", op), "T-0002", value)]

    assert at(">", TIMES[0]) == sorted(TIMES[1:5])
    assert at("=", TIMES[2]) == [TIMES[2]]
    assert at("<=", dt.datetime(2026, 11, 5, 9, 0, 0, 123455)) == [TIMES[5], TIMES[0], TIMES[1]]
    between = erp_db.all_sql("SELECT {progress.reported_at} AS at FROM {progress} WHERE {progress.reported_at} "
                             "BETWEEN ? AND ? ORDER BY {progress.reported_at} DESC",
                             dt.datetime(2026, 11, 5, 9, 0, 0, 1), dt.datetime(2026, 11, 5, 9, 0, 0, 999999))
    assert [r["at"] for r in between] == [TIMES[3], TIMES[2], TIMES[1]]


def test_plugin_datetimes_keep_microseconds(db):
    t = dt.datetime(2026, 11, 5, 9, 30, 15, 654321)
    with db.transaction() as tx:
        tx.execute_sql("INSERT INTO scm_lease (name, holder, expires_at) VALUES (?, ?, ?)", "alerts", "host-1", t)
    assert db.one_sql("SELECT expires_at FROM scm_lease WHERE name = ?", "alerts") == {"expires_at": t}
    # The lease pattern: "take it if it expired before now".
    taken = db.all_sql("SELECT name FROM scm_lease WHERE expires_at < ?", t + dt.timedelta(microseconds=1))
    not_yet = db.all_sql("SELECT name FROM scm_lease WHERE expires_at < ?", t)
    assert taken == [{"name": "alerts"}] and not_yet == []


def test_date_columns_round_trip_and_compare_as_dates(erp_db):
    seeded = erp_db.one_sql("SELECT {contract_review.delivery_date} AS d FROM {contract_review} "
                            "WHERE {contract_review.form_no} = ?", "HT202610280001")
    assert type(seeded["d"]) is dt.date and seeded["d"] == dt.date(2026, 11, 30)
    with erp_db.transaction() as tx:
        tx.execute_sql("UPDATE {contract_review} SET {contract_review.delivery_date} = ? "
                       "WHERE {contract_review.form_no} = ?", dt.date(2027, 2, 28), "HT202610280001")

    def due(op, day):
        return erp_db.all_sql("SELECT {contract_review.form_no} AS n FROM {contract_review} "
                              f"WHERE {{contract_review.delivery_date}} {op} ?", day)

    assert due("=", dt.date(2027, 2, 28)) == [{"n": "HT202610280001"}]
    assert due("<", dt.date(2027, 2, 28)) == []
    assert due(">", dt.date(2027, 2, 27)) == [{"n": "HT202610280001"}]


def test_plugin_date_column(db):
    with db.transaction() as tx:
        uid = tx.insert_sql("INSERT INTO scm_user (username, role, active, failed_logins, created_at) "
                            "VALUES (?, ?, 1, 0, ?)", "rep1", "rep", dt.datetime(2026, 1, 1))
        tx.execute_sql("INSERT INTO scm_grant (user_id, customer_code, valid_until, created_at) VALUES (?, ?, ?, ?)",
                       uid, "C001", dt.date(2026, 2, 1), dt.datetime(2026, 1, 1))
    row = db.one_sql("SELECT valid_until FROM scm_grant WHERE user_id = ? AND valid_until >= ?", uid, dt.date(2026, 2, 1))
    assert row is not None and type(row["valid_until"]) is dt.date and row["valid_until"] == dt.date(2026, 2, 1)
    assert db.one_sql("SELECT valid_until FROM scm_grant WHERE valid_until > ?", dt.date(2026, 2, 1)) is None
