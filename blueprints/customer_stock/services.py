"""Customer stock upkeep (function 6, 客户库存维护).

A rep picks a customer granted to them (选择客户), enters our inventory code (存货编码;
the same complete-input rule as the inventory query: trimmed, exact, never partial),
sees the item's details from the ERP, enters the customer's stock quantity (库存数量)
and remarks (备注) and saves. When the customer's stock moves, 维护 records the new
figure. Every figure is kept as history (who, when, old → new) in the same transaction
as the change, and written to the audit log.

Consumption rate and days of cover come from that history:

* the window is the last ``SCM_STOCK_RATE_WINDOW_DAYS`` days (default 90); the figure in
  force when the window opened (the last one recorded before it) counts as recorded at
  the window's start;
* consumption is the sum of the decreases between consecutive figures; an increase is a
  delivery to the customer and consumes nothing (what was used between a delivery and
  the figure before it is not known, so the rate errs low rather than high);
* the rate is that consumption divided by the days from the first to the last figure
  (at least one day and two figures are needed, otherwise there is no rate);
* days of cover = the last figure ÷ the rate, counted from the day of the last figure
  (``runs_out_on``); no rate or a rate of 0 → no cover figure.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from scm_plugin.erp_bridge import Database, TransactionConflict, UniqueViolation
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import customer_stock as repo
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import audit
from scm_plugin.erp_widths import too_long
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.items import NoSuchItem, complete_value
from scm_plugin.messages import Coded
from scm_plugin.quantities import STOCK, quantity_field

MAX_REMARKS = 255
DAY = dt.timedelta(days=1)


# --- consumption rate and days of cover ----------------------------------------------------
@dataclass(frozen=True)
class Consumption:
    per_day: Decimal | None          # average use per day; None: not enough history
    days_of_cover: Decimal | None    # last figure ÷ rate; None without a positive rate
    runs_out_on: dt.datetime | None  # naive UTC: the last figure's time + the days of cover
    basis_days: Decimal | None       # the days the rate is measured over


NO_RATE = Consumption(None, None, None, None)


def consumption(figures: list[tuple[dt.datetime, Decimal]], now: dt.datetime, window_days: int) -> Consumption:
    """Rate and cover from one item's figures (time, quantity), in any order."""
    start = now - dt.timedelta(days=window_days)
    ordered = sorted(figures, key=lambda f: f[0])
    before = [f for f in ordered if f[0] < start]
    points = ([(start, before[-1][1])] if before else []) + [f for f in ordered if f[0] >= start]
    if len(points) < 2:
        return NO_RATE
    span = points[-1][0] - points[0][0]
    if span < DAY:
        return NO_RATE
    used = sum((max(Decimal(0), Decimal(a[1]) - Decimal(b[1])) for a, b in zip(points, points[1:])), Decimal(0))
    days = Decimal(span.total_seconds()) / Decimal(86400)
    per_day = used / days
    last_time, last_qty = points[-1]
    if per_day <= 0:
        return Consumption(Decimal(0), None, None, _round(days, 1))
    cover = Decimal(last_qty) / per_day
    runs_out = last_time + dt.timedelta(seconds=float(cover * 86400)) if cover < 36500 else None
    return Consumption(_round(per_day, 4), _round(cover, 1), runs_out, _round(days, 1))


def _round(value: Decimal, places: int) -> Decimal:
    q = value.quantize(Decimal(1).scaleb(-places))
    return q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize()


def window_days() -> int:
    return int(current_app.config.get("SCM_STOCK_RATE_WINDOW_DAYS", 90))


# --- reading -----------------------------------------------------------------------------------
def customers(db: Database, scope: Scope) -> list[dict]:
    """The customers the user may keep stock for (选择客户)."""
    return db.read(lambda tx: scope.customers(tx))


def _customer(tx, scope: Scope, code: str | None) -> dict:
    """The customer, if in the scope and in the ERP; otherwise 404 (the same answer)."""
    code = complete_value(code)
    if code is None or not scope.allows(tx, code):
        raise NotFound("customer")
    row = erp_repo.customer(tx, code)
    if row is None or row["code"] != code:
        raise NotFound("customer")
    return row


def _item(tx, raw_code) -> dict:
    code = complete_value(raw_code)
    item = erp_repo.item(tx, code) if code else None
    if item is None or item["code"] != code:
        raise NoSuchItem()
    return item


def customer(db: Database, scope: Scope, code: str) -> dict:
    return db.read(lambda tx: _customer(tx, scope, code))


def lookup_item(db: Database, scope: Scope, customer_code: str, raw_code) -> dict:
    """The ERP's details of an item for the upkeep form (查询), and the customer's current
    figure of it if one is recorded. NoSuchItem for anything but a complete, exact code."""
    def read(tx):
        _customer(tx, scope, customer_code)
        item = _item(tx, raw_code)
        item["current"] = repo.one(tx, customer_code, item["code"])
        return item
    return db.read(read)


# The list's sort orders (an allow-list): key → (row sort key, nulls last).
_FAR = dt.datetime.max
SORTS = {
    "inventory_code": lambda r: r["inventory_code"],
    "cover": lambda r: (r["consumption"].days_of_cover is None, r["consumption"].days_of_cover or 0,
                        r["inventory_code"]),
    "updated": lambda r: (r["updated_at"] or _FAR, r["inventory_code"]),
    "quantity": lambda r: (r["quantity"], r["inventory_code"]),
}


def stock_list(db: Database, scope: Scope, customer_code: str, *, now: dt.datetime | None = None,
               sort: str = "inventory_code") -> dict:
    """The customer's items: last figure, who entered it and when, rate and cover.
    ``sort``: inventory_code, cover (what runs out first; no cover figure last),
    updated (the oldest figure first: whom to ask again) or quantity."""
    now = now or utcnow()
    days = window_days()

    def read(tx):
        cust = _customer(tx, scope, customer_code)
        rows = repo.list_for_customer(tx, cust["code"])
        figures: dict[str, list] = defaultdict(list)
        for f in repo.figures_since(tx, cust["code"], now - dt.timedelta(days=days)):
            figures[f["inventory_code"]].append((f["changed_at"], Decimal(f["quantity"])))
        for r in rows:
            r["quantity"] = _dec(r["quantity"])
            r["consumption"] = consumption(figures.get(r["inventory_code"], []), now, days)
        rows.sort(key=SORTS.get(sort, SORTS["inventory_code"]))
        return {"customer": cust, "rows": rows, "window_days": days, "now": now,
                "sort": sort if sort in SORTS else "inventory_code"}
    return db.read(read)


def item_detail(db: Database, scope: Scope, customer_code: str, inventory_code: str, *,
                now: dt.datetime | None = None) -> dict:
    """One recorded item of the customer with its whole history (newest first)."""
    now = now or utcnow()
    days = window_days()

    def read(tx):
        cust = _customer(tx, scope, customer_code)
        code = complete_value(inventory_code)
        current = repo.one(tx, cust["code"], code) if code else None
        if current is None:
            # an item the ERP knows but the customer has no figure of yet is "no such item" here too
            raise NoSuchItem()
        item = erp_repo.item(tx, code) or {"code": code, "name": None, "spec": None, "unit": None,
                                           "unit_code": None, "master_disc_no": None}
        history = repo.history_of_item(tx, cust["code"], code)
        for h in history:
            h["old_quantity"] = None if h["old_quantity"] is None else _dec(h["old_quantity"])
            h["new_quantity"] = _dec(h["new_quantity"])
        current["quantity"] = _dec(current["quantity"])
        rate = consumption([(h["changed_at"], h["new_quantity"]) for h in history], now, days)
        return {"customer": cust, "item": item, "current": current, "history": history,
                "consumption": rate, "window_days": days}
    return db.read(read)


# --- writing ------------------------------------------------------------------------------------
def clean_remarks(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidInput({"remarks": "text_required"})
    # one line: newlines and tabs become spaces; control characters, zero-width ones and
    # lone surrogates (which no database stores) are dropped
    text = " ".join("".join(ch for ch in " ".join(raw.split()) if unicodedata.category(ch)[0] != "C").split())
    if len(text) > MAX_REMARKS:
        raise InvalidInput({"remarks": "too_long"})
    return text or None


def record(db: Database, user, scope: Scope, customer_code: str, inventory_code, quantity, remarks=None, *,
           at: dt.datetime | None = None) -> dict:
    """Record the customer's current stock of an item (new or 维护): the figure, its
    history row and the audit record commit together. Errors: NotFound (customer not
    in scope), NoSuchItem (not a complete, exact inventory code of the ERP),
    InvalidInput (a code longer than the ERP's column, quantity, remarks). Returns the
    saved figure."""
    fields: dict[str, str] = {}
    code = complete_value(inventory_code)
    limit = too_long(code, "inventory_code")
    if limit is not None:
        # longer than the ERP keeps codes: said plainly, and the ERP is not asked
        fields["inventory_code"] = Coded("code_too_long", limit=limit)
    try:
        qty = quantity_field(quantity, rule=STOCK)
    except InvalidInput as exc:
        fields.update(exc.fields)
    try:
        text = clean_remarks(remarks)
    except InvalidInput as exc:
        fields.update(exc.fields)
    at = at or utcnow()
    if "inventory_code" in fields:
        raise InvalidInput(fields)
    for attempt in (1, 2):
        try:
            with db.transaction(write=True) as tx:
                cust = _customer(tx, scope, customer_code)
                try:
                    item = _item(tx, inventory_code)
                except NoSuchItem:
                    if fields:  # tell everything that is wrong at once
                        raise InvalidInput({"inventory_code": "no_such_item", **fields}) from None
                    raise
                if fields:
                    raise InvalidInput(fields)
                old = repo.set_figure(tx, cust["code"], item["code"], qty, text, user.id if user else None, at)
                audit.record(tx, "customer_stock.set", "customer_stock", f"{cust['code']}/{item['code']}",
                             customer_code=cust["code"],
                             detail=f"{item['code']}: {'—' if old is None else _dec(old)} → {qty}"
                                    + (f" ({text})" if text else ""))
            break
        except (UniqueViolation, TransactionConflict):
            # Two reps recorded the item's first figure at the same moment: the other one
            # won the insert; this one becomes an update of it.
            if attempt == 2:
                raise
    return {"customer_code": cust["code"], "inventory_code": item["code"], "item": item, "quantity": qty,
            "old_quantity": None if old is None else _dec(old), "remarks": text, "updated_at": at}


def _dec(value) -> Decimal:
    q = Decimal(value)
    if q == 0:
        return Decimal(0)
    return q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize()
