"""Web orders: sales and sample orders are one table with a ``kind``."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from .. import dynamic
from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

KINDS = ("sales", "sample")
STATUSES = ("pending", "approved", "rejected")

# Sortable columns of the order lists (an allow-list, in dynamic.py).
SORTS = dynamic.ORDER_SORTS


def insert_order(tx: Transaction, *, kind: str, customer_code: str, customer_order_no: str | None,
                 requested_date: dt.date | None, remarks: str | None, placed_by: int | None,
                 number_prefix: str, local_day: dt.date, copied_from: int | None = None) -> tuple[int, str]:
    """Insert the header; the order number is the prefix, the local day and the row id,
    so it is unique without a counter to race on."""
    temp = uuid.uuid4().hex[:30]
    order_id = tx.insert("orders.insert", temp, kind, customer_code, customer_order_no, requested_date,
                         remarks, placed_by, utcnow(), copied_from)
    order_no = f"{number_prefix}{local_day:%y%m%d}{order_id:06d}"
    tx.execute("orders.set_number", order_no, order_id)
    return order_id, order_no


def insert_line(tx: Transaction, order_id: int, line_no: int, line: dict[str, Any]) -> None:
    tx.execute("orders.insert_line", order_id, line_no, line["inventory_code"], line.get("customer_part_no"),
               line.get("item_name"), line.get("master_disc_no"), line["quantity"], line.get("unit"),
               line.get("remarks"))


def header(tx: Transaction, order_no: str) -> Row | None:
    return tx.one("orders.header_by_no", order_no)


def lines(tx: Transaction, order_id: int) -> list[Row]:
    return tx.all("orders.lines", order_id)


def idempotency_find(tx: Transaction, user_id: int, key: str) -> Row | None:
    return tx.one("orders.idempotency_find", user_id, key)


def idempotency_insert(tx: Transaction, user_id: int, key: str, order_id: int, request_hash: str) -> None:
    tx.execute("orders.idempotency_insert", user_id, key, order_id, utcnow(), request_hash)


def customer_notify(tx: Transaction, customer_code: str, default: bool) -> bool:
    value = tx.scalar("orders.customer_notify", customer_code)
    return default if value is None else bool(value)


def set_customer_notify(tx: Transaction, customer_code: str, notify: bool, by: str) -> None:
    changed = tx.execute("orders.customer_pref_update", notify, by, utcnow(), customer_code)
    if not changed:
        tx.execute("orders.customer_pref_insert", customer_code, notify, by, utcnow())


def customer_prefs(tx: Transaction, scope: Scope) -> list[Row]:
    sql, params = dynamic.customer_prefs(scope)
    return tx.all_sql(sql, *params)


def filter_sql(scope: Scope, *, kind: str | None = None, status: str | None = None,
               customer_code: str | None = None, order_no: str | None = None, contract_no: str | None = None,
               customer_part_no: str | None = None, inventory_code: str | None = None,
               date_from: dt.datetime | None = None, date_to: dt.datetime | None = None
               ) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (on ``scm_order o``) and parameters of an order search: every
    list that searches orders (review, alert policies) filters the same way."""
    return dynamic.order_filter(scope, kind=kind if kind in KINDS else None,
                                status=status if status in STATUSES else None, customer_code=customer_code,
                                order_no=order_no, contract_no=contract_no, customer_part_no=customer_part_no,
                                inventory_code=inventory_code, date_from=date_from, date_to=date_to)


def search(tx: Transaction, scope: Scope, *, kind: str | None = None, status: str | None = None,
           customer_code: str | None = None, order_no: str | None = None, contract_no: str | None = None,
           customer_part_no: str | None = None, inventory_code: str | None = None,
           date_from: dt.datetime | None = None, date_to: dt.datetime | None = None,
           placed_after: dt.datetime | None = None,
           sort: str = "placed_at", descending: bool = True, limit: int = 50, offset: int = 0
           ) -> tuple[list[Row], int]:
    """Orders in scope matching the filters (exact codes and numbers), one page and the total."""
    where, params = filter_sql(scope, kind=kind, status=status, customer_code=customer_code, order_no=order_no,
                               contract_no=contract_no, customer_part_no=customer_part_no,
                               inventory_code=inventory_code, date_from=date_from, date_to=date_to)
    count, page = dynamic.order_search(where, params, placed_after=placed_after, sort=sort,
                                       descending=descending)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


def lock(tx: Transaction, order_no: str) -> Row | None:
    """The order row, locked until the transaction ends (SQLite: the write lock is
    already held by a write transaction)."""
    return tx.one("orders.lock_by_no", order_no)


def mark_approved(tx: Transaction, order_id: int, user_id: int, form_id: int, form_no: str) -> bool:
    return tx.execute("orders.mark_approved", user_id, utcnow(), form_id, form_no, order_id) == 1


def mark_rejected(tx: Transaction, order_id: int, user_id: int, reason: str) -> bool:
    return tx.execute("orders.mark_rejected", user_id, utcnow(), reason, order_id) == 1


def set_contract_no(tx: Transaction, order_id: int, contract_no: str) -> None:
    tx.execute("orders.set_contract_no", contract_no, order_id)


def pending_counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    sql, params = dynamic.pending_counts(scope)
    rows = tx.all_sql(sql, *params)
    counts = {k: 0 for k in KINDS}
    counts.update({r["kind"]: int(r["n"]) for r in rows})
    return counts


def last_seen(tx: Transaction, user_id: int, view: str) -> dt.datetime | None:
    return tx.scalar("orders.seen_get", user_id, view)


def mark_seen(tx: Transaction, user_id: int, view: str, at: dt.datetime) -> None:
    if not tx.execute("orders.seen_update", at, user_id, view):
        tx.execute("orders.seen_insert", user_id, view, at)


def customer_users(tx: Transaction, customer_code: str) -> list[Row]:
    return tx.all("orders.customer_users", customer_code)
