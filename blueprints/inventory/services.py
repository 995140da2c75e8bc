"""Inventory query (function 5, 库存查询): how much of an item there is in our warehouses,
at the customers granted to the user and at the suppliers.

The "complete input" rule: the query answers only for a complete, exact inventory code
(存货编码), item name (存货名称) or master-disc no (母盘号). Anything else — empty,
whitespace only, partial, in the wrong case, with control characters, longer than any
ERP field — answers ``no_such_item`` (无此货品信息) and nothing else; the query is never
a browse. Whitespace around the input is trimmed (a code pasted from Excel or a mail
often carries a trailing space or tab); whitespace inside it is kept, so "1001 001" is
not "1001001".

Where each figure comes from, and its time:
* our warehouses: the ERP's current stock, read live at the moment of the query (the
  reference ERP keeps no per-row time); ``updated_at`` is that moment, ``source`` "erp";
* customers: the figure a rep recorded (function 6), with who and when; only customers
  in the user's scope;
* suppliers: the figure of the last supplier sheet imported, with who and when.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import customer_stock as customer_repo
from scm_plugin.erp_bridge.repos import inventory as repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin.items import NoSuchItem, complete_value

KEYS = tuple(repo.KEYS)          # inventory_code, item_name, master_disc_no


def find_item(tx, key: str, raw, limit: int) -> list[dict]:
    """Items matching one complete key exactly (at most ``limit``); NoSuchItem if none."""
    if key not in KEYS:
        raise NoSuchItem()
    value = complete_value(raw)
    if value is None:
        raise NoSuchItem()
    items = repo.find_items(tx, key, value, limit)
    if not items:
        raise NoSuchItem()
    return items


def max_matches() -> int:
    try:
        return int(current_app.config.get("SCM_INVENTORY_MAX_MATCHES", 20))
    except RuntimeError:
        return 20


@dataclass
class Figure:
    holder: str                    # own | customer | supplier
    holder_code: str | None
    holder_name: str | None
    warehouse_code: str | None
    warehouse_name: str | None
    warehouse_kind: str | None     # disc | material | accessory | None (own warehouses only)
    quantity: Decimal
    updated_at: dt.datetime        # naive UTC
    updated_by: str | None = None  # display name
    remarks: str | None = None
    source: str = "erp"            # erp (live) | recorded (by a rep) | imported (supplier sheet)
    updated_by_username: str | None = None


@dataclass
class Answer:
    item: dict
    own: list[Figure] = field(default_factory=list)
    customers: list[Figure] = field(default_factory=list)
    suppliers: list[Figure] = field(default_factory=list)

    @property
    def stock(self) -> list[Figure]:
        return self.own + self.customers + self.suppliers

    def total(self, holder: str) -> Decimal:
        return sum((f.quantity for f in self.stock if f.holder == holder), Decimal(0))


class Found(list):
    """The answers, one per matching item; ``more`` when further items match than are shown
    (``SCM_INVENTORY_MAX_MATCHES``)."""

    more: bool = False


def query(db: Database, scope: Scope, key: str, raw) -> Found:
    """The answer for every item matching the complete key (usually one; an item name or
    a master-disc no may be shared by several items). Customer figures only for the
    customers in ``scope``. Four statements whatever the number of rows."""
    limit = max_matches()

    def read(tx):
        items = find_item(tx, key, raw, limit + 1)
        found = Found()
        found.more = len(items) > limit
        items = items[:limit]
        codes = [i["code"] for i in items]
        now = utcnow()
        answers = {i["code"]: Answer(item=i) for i in items}
        for r in repo.own_stock(tx, codes):
            answers[r["inventory_code"]].own.append(Figure(
                "own", None, None, r["warehouse_code"], r["warehouse_name"], r["kind"],
                _dec(r["quantity"]), now, source="erp"))
        for r in customer_repo.in_scope_for_items(tx, scope, codes):
            answers[r["inventory_code"]].customers.append(Figure(
                "customer", r["customer_code"], r["customer_name"], None, None, None, _dec(r["quantity"]),
                r["updated_at"], r["updated_by_display"] or r["updated_by_name"], r["remarks"], "recorded",
                r["updated_by_name"]))
        for r in repo.supplier_stock(tx, codes):
            answers[r["inventory_code"]].suppliers.append(Figure(
                "supplier", r["supplier_code"], r["supplier_name"], None, None, None, _dec(r["quantity"]),
                r["updated_at"], r["updated_by_display"] or r["updated_by_name"], None, "imported",
                r["updated_by_name"]))
        found.extend(answers[c] for c in codes)
        return found
    return db.read(read)


def _dec(value) -> Decimal:
    q = Decimal(value if value is not None else 0)
    if q == 0:
        return Decimal(0)
    return q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize()


def export_rows(answers: list[Answer]) -> list[list]:
    """One row per figure, for the Excel export (the same scope as the page)."""
    rows = []
    for a in answers:
        for f in a.stock:
            rows.append([a.item["code"], a.item["name"], a.item.get("master_disc_no"), f.holder, f.holder_code,
                         f.holder_name, f.warehouse_code, f.warehouse_name, f.warehouse_kind, f.quantity,
                         a.item.get("unit"), f.updated_at, f.updated_by, f.remarks])
    return rows
