"""Customer stock (function 6): the last figure a rep recorded per customer and item, and
every change as history (who, when, old → new), written in the same transaction."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from .. import dynamic
from ..connection import Row, Transaction
from .scope import Scope


def list_for_customer(tx: Transaction, customer_code: str) -> list[Row]:
    return tx.all("customer_stock.list_for_customer", customer_code)


def one(tx: Transaction, customer_code: str, inventory_code: str) -> Row | None:
    row = tx.one("customer_stock.one", customer_code, inventory_code)
    # exact match only, whatever the collation
    if row is None or row["customer_code"] != customer_code or row["inventory_code"] != inventory_code:
        return None
    return row


def set_figure(tx: Transaction, customer_code: str, inventory_code: str, quantity: Decimal,
               remarks: str | None, user_id: int | None, at: dt.datetime) -> Decimal | None:
    """Record a new figure (insert or update, under a row lock) and its history row;
    returns the figure it replaced (None for the first one)."""
    current = tx.one("customer_stock.lock", customer_code, inventory_code)
    old = current["quantity"] if current else None
    if current is None:
        tx.execute("customer_stock.insert", customer_code, inventory_code, quantity, remarks, user_id, at)
    else:
        tx.execute("customer_stock.update", quantity, remarks, user_id, at, current["id"])
    tx.execute("customer_stock.history_insert", customer_code, inventory_code, old, quantity, remarks,
               user_id, at)
    return old


def history_of_item(tx: Transaction, customer_code: str, inventory_code: str, limit: int = 500) -> list[Row]:
    """Newest first."""
    return tx.page("customer_stock.history_of_item", [customer_code, inventory_code], limit, 0)


def figures_since(tx: Transaction, customer_code: str, since: dt.datetime) -> list[Row]:
    """Every figure of the customer's items recorded from ``since`` on, oldest first, and
    before them, per item, the last figure recorded before ``since`` (the figure then)."""
    before = tx.all("customer_stock.figures_before", customer_code, since, customer_code)
    last_before: dict[str, Row] = {}
    for r in before:
        held = last_before.get(r["inventory_code"])
        if held is None or r["id"] > held["id"]:
            last_before[r["inventory_code"]] = r
    rows = sorted(last_before.values(), key=lambda r: (r["inventory_code"], r["changed_at"]))
    return rows + tx.all("customer_stock.figures_since", customer_code, since)


def in_scope_for_items(tx: Transaction, scope: Scope, codes: Sequence[str]) -> list[Row]:
    """The recorded stock of the items at the customers in ``scope`` only."""
    if not codes:
        return []
    rows: list[Row] = []
    for part in dynamic.chunked(list(codes)):
        sql, params = dynamic.customer_stock_of_items(scope, part)
        rows += tx.all_sql(sql, *params)
    return rows
