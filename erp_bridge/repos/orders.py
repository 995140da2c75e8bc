"""Web orders: sales and sample orders are one table with a ``kind``."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

KINDS = ("sales", "sample")
STATUSES = ("pending", "approved", "rejected")

# Sortable columns of the order lists: request value → SQL (an allow-list).
SORTS = {
    "placed_at": "o.placed_at",
    "order_no": "o.order_no",
    "customer": "o.customer_code",
    "requested_date": "o.requested_date",
    "status": "o.status",
}


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
    cond, params = scope.sql("{customer.code:c}")
    return tx.all_sql(f"SELECT {{customer.code:c}} AS code, {{customer.name:c}} AS name, p.notify_reps "
                      f"FROM {{customer}} c LEFT JOIN scm_customer_pref p ON p.customer_code = {{customer.code:c}} "
                      f"WHERE {cond} ORDER BY {{customer.code:c}}", *params)


def filter_sql(scope: Scope, *, kind: str | None = None, status: str | None = None,
               customer_code: str | None = None, order_no: str | None = None, contract_no: str | None = None,
               customer_part_no: str | None = None, inventory_code: str | None = None,
               date_from: dt.datetime | None = None, date_to: dt.datetime | None = None
               ) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (on ``scm_order o``) and parameters of an order search: every
    list that searches orders (review, alert policies) filters the same way."""
    cond, params = scope.sql("o.customer_code")
    where = [cond]
    if kind in KINDS:
        where.append("o.kind = ?")
        params.append(kind)
    if status in STATUSES:
        where.append("o.status = ?")
        params.append(status)
    for column, value in (("o.customer_code", customer_code), ("o.order_no", order_no),
                          ("o.contract_no", contract_no)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    # IN (subquery), not a correlated EXISTS: SQLite runs EXISTS once per order (a full
    # scan, 160 ms at 200k orders), the IN form from the line's index (bench/README.md).
    if customer_part_no:
        where.append("o.id IN (SELECT l.order_id FROM scm_order_line l WHERE l.customer_part_no = ?)")
        params.append(customer_part_no)
    if inventory_code:
        where.append("o.id IN (SELECT l.order_id FROM scm_order_line l WHERE l.inventory_code = ?)")
        params.append(inventory_code)
    if date_from:
        where.append("o.placed_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("o.placed_at < ?")
        params.append(date_to)
    return where, params


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
    where_sql = " AND ".join(where)
    total = tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_order o WHERE {where_sql}", *params)
    order_by = SORTS.get(sort, SORTS["placed_at"]) + (" DESC" if descending else " ASC")
    newer = ", CASE WHEN o.placed_at > ? THEN 1 ELSE 0 END AS is_new" if placed_after else ", 0 AS is_new"
    select_params = ([placed_after] if placed_after else []) + params
    rows = tx.page_sql(
        f"SELECT o.id, o.order_no, o.kind, o.customer_code, {{customer.name:c}} AS customer_name, o.status, "
        f"o.customer_order_no, o.requested_date, o.placed_at, o.reviewed_at, o.reject_reason, "
        f"o.erp_form_no, o.contract_no, "
        f"(SELECT COUNT(*) FROM scm_order_line l WHERE l.order_id = o.id) AS line_count{newer} "
        f"FROM scm_order o LEFT JOIN {{customer}} c ON {{customer.code:c}} = o.customer_code "
        f"WHERE {where_sql} ORDER BY {order_by}, o.id DESC",
        select_params, limit, offset)
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
    cond, params = scope.sql("o.customer_code")
    rows = tx.all_sql(f"SELECT o.kind, COUNT(*) AS n FROM scm_order o WHERE o.status = 'pending' AND {cond} "
                      f"GROUP BY o.kind", *params)
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
