"""Inventory query (function 5): items found by one complete key, the stock of our own
warehouses (the ERP's current stock), and the supplier stock kept in this system.

Lookups are exact (``=``) and the rows are checked once more in Python for exact
equality: an ERP on a case-insensitive or trailing-space-padding collation (SQL Server's
usual ``Chinese_PRC_CI_AS``, MariaDB's PAD SPACE) must not turn ``md2026-0001`` or
``1001001 `` into a match.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from .. import dynamic
from ..connection import Row, Transaction

# Logical key → (named query, the row field it is compared with).
KEYS = {
    "inventory_code": ("inventory.items_by_code", "code"),
    "item_name": ("inventory.items_by_name", "name"),
    "master_disc_no": ("inventory.items_by_master_disc_no", "master_disc_no"),
}
# The mapped item field behind each key (an optional field may be unmapped).
KEY_FIELDS = {"inventory_code": "code", "item_name": "name", "master_disc_no": "master_disc_no"}
WAREHOUSE_KINDS = ("disc", "material", "accessory")
ERP_DECIMALS = 6  # the ERP's quantities (model.ERP_QUANTITY)

# Codes per IN (...) list: far below SQL Server's 2,100 parameters.
CHUNK = dynamic.IN_LIST_MAX


def find_items(tx: Transaction, key: str, value: str, limit: int) -> list[Row]:
    """Items whose ``key`` is exactly ``value`` (at most ``limit``, by code)."""
    query, field = KEYS[key]
    if tx.mapping.column("item", KEY_FIELDS[key]) is None:
        return []  # this ERP keeps no such field: nothing can match it
    rows = tx.page(query, [value], limit, 0)
    return [r for r in rows if r[field] == value]


def own_stock(tx: Transaction, codes: Sequence[str]) -> list[Row]:
    """Current stock of our warehouses for the items: one figure per warehouse and item
    (the ERP's rows summed), the mapping's excluded warehouses left out, with the
    warehouse's kind as a logical name (``disc`` / ``material`` / ``accessory``, None for
    any other)."""
    if not codes:
        return []
    kinds = {tx.mapping.value("warehouse", f"kind_{k}"): k for k in WAREHOUSE_KINDS}
    excluded = tx.mapping.entities["warehouse"].exclude
    rows: list[Row] = []
    for part in dynamic.chunked(list(codes)):
        sql, params = dynamic.stock_of_items(part, excluded)
        rows += tx.all_sql(sql, *params)
    wanted = set(codes)
    out = []
    for r in rows:
        if r["inventory_code"] not in wanted:
            continue
        r["kind"] = kinds.get(r["warehouse_kind"])
        if isinstance(r["quantity"], Decimal):
            # a sum of an engine's doubles (SQLite) may carry binary noise past the
            # ERP's six decimals: 0.1 + 0.2 is 0.3
            r["quantity"] = round(r["quantity"], ERP_DECIMALS)
        out.append(r)
    return out


def supplier_stock(tx: Transaction, codes: Sequence[str]) -> list[Row]:
    """Supplier stock kept in this system for the items (every rep may see it)."""
    if not codes:
        return []
    rows: list[Row] = []
    for part in dynamic.chunked(list(codes)):
        sql, params = dynamic.supplier_stock_of_items(part)
        rows += tx.all_sql(sql, *params)
    return rows


# --- supplier stock import -------------------------------------------------------------
def existing_suppliers(tx: Transaction, codes: Iterable[str]) -> dict[str, str]:
    """Of the given codes, those the ERP knows (exactly), with their names."""
    wanted = sorted(set(codes))
    found: dict[str, str] = {}
    for part in dynamic.chunked(wanted):
        sql, params = dynamic.suppliers_by_code(part)
        for r in tx.all_sql(sql, *params):
            if r["code"] in wanted:
                found[r["code"]] = r["name"]
    return found


def existing_items(tx: Transaction, codes: Iterable[str]) -> dict[str, Row]:
    """Of the given inventory codes, those the ERP knows (exactly), with name and unit."""
    wanted = sorted(set(codes))
    found: dict[str, Row] = {}
    for part in dynamic.chunked(wanted):
        sql, params = dynamic.items_by_code(part)
        for r in tx.all_sql(sql, *params):
            if r["code"] in wanted:
                found[r["code"]] = r
    return found


def supplier_figures(tx: Transaction, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
    """The current figures of (supplier, item) pairs, for the import's preview (old → new)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    suppliers = sorted({s for s, _ in pairs})
    found: dict[tuple[str, str], Decimal] = {}
    for part in dynamic.chunked(suppliers):
        sql, params = dynamic.supplier_figures(part)
        for r in tx.all_sql(sql, *params):
            key = (r["supplier_code"], r["inventory_code"])
            if key in pairs:
                found[key] = r["quantity"]
    return found


def insert_import(tx: Transaction, filename: str, row_count: int, user_id: int | None, at: dt.datetime) -> int:
    return tx.insert("inventory.import_insert", filename, row_count, user_id, at)


def set_supplier_figure(tx: Transaction, supplier_code: str, inventory_code: str, quantity: Decimal,
                        import_id: int, user_id: int | None, at: dt.datetime) -> Decimal | None:
    """Write one supplier figure and its history row; returns the figure it replaced."""
    current = tx.one("inventory.supplier_stock_lock", supplier_code, inventory_code)
    old = current["quantity"] if current else None
    if current is None:
        tx.execute("inventory.supplier_stock_insert", supplier_code, inventory_code, quantity, import_id, at)
    else:
        tx.execute("inventory.supplier_stock_update", quantity, import_id, at, current["id"])
    tx.execute("inventory.supplier_history_insert", supplier_code, inventory_code, old, quantity, import_id,
               user_id, at)
    return old


def recent_imports(tx: Transaction, limit: int = 20) -> list[Row]:
    return tx.page("inventory.imports_recent", [], limit, 0)


def import_by_id(tx: Transaction, import_id: int) -> Row | None:
    return tx.one("inventory.import_by_id", import_id)


def import_rows(tx: Transaction, import_id: int) -> list[Row]:
    return tx.all("inventory.import_rows", import_id)
