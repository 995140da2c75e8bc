"""Sales-order and sample-order review (functions 1 and 2): one implementation, a ``kind``.

Approving inserts the order into the ERP's review form (合同评审单 / 样品制作评审单)
and marks the web order approved in the same transaction, under a lock on the order
row: a double click, two reps at once or a retry after a lost response all end with
one ERP form and the same form number. A unique key on the form's source order number
is the second guard. Rejecting needs a reason, which the customer sees and is mailed.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from scm_plugin.erp_bridge import Database, FormRejected, UniqueViolation
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import erp_forms
from scm_plugin.erp_bridge.repos import orders as repo
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import audit, i18n, notify, orders
from scm_plugin.errors import Conflict, ErpRejected, InvalidInput, NotFound

from . import form_values

log = logging.getLogger(__name__)

MAX_REASON = 500


@dataclass
class Decision:
    order: dict
    replayed: bool  # the order was already approved (or rejected) with this outcome


def _locked_order(tx, scope: Scope, order_no: str, kind: str | None) -> dict:
    head = repo.lock(tx, order_no)
    if head is None or (kind and head["kind"] != kind) or not scope.allows(tx, head["customer_code"]):
        raise NotFound("order")
    return head


def approve(db: Database, user, scope: Scope, order_no: str, kind: str | None = None) -> Decision:
    """Approve into the ERP form, exactly once. When the ERP refuses the form (a column
    it needs, a value too long for it, a customer card without a department …) nothing
    is kept, the refusal is in the order's history and ``ErpRejected`` says what."""
    try:
        with db.transaction(write=True) as tx:
            head = _locked_order(tx, scope, order_no, kind)
            if head["status"] == "rejected":
                raise Conflict("order_rejected")
            if head["status"] == "approved":
                already = True
            else:
                already = False
                _approve_locked(tx, head, user, order_no)
    except UniqueViolation as exc:
        # Another approver's form reached the ERP first (the source-order key): same answer.
        order = orders.get_order(db, scope, order_no)
        if order["status"] == "approved":
            return Decision(order, True)
        raise _erp_rejected(db, head, FormRejected(
            erp_forms.FORM_ENTITY[head["kind"]], db.mapping.table(erp_forms.FORM_ENTITY[head["kind"]]),
            "duplicate", sqlstate=exc.sqlstate, detail=exc.detail)) from exc
    except FormRejected as exc:
        raise _erp_rejected(db, head, exc) from exc
    if already:
        return _replay(db, scope, order_no)
    return Decision(orders.get_order(db, scope, order_no), False)


def _approve_locked(tx, head: dict, user, order_no: str) -> None:
    existing = erp_forms.form_by_source(tx, head["kind"], head["order_no"])
    if existing is not None:
        # A form exists but the order was not marked (e.g. restored backup): adopt it.
        form_id, form_no = existing["id"], existing["form_no"]
    else:
        form_id, form_no = _insert_form(tx, head, user)
    if not repo.mark_approved(tx, head["id"], user.id, form_id, form_no):
        raise Conflict("order_not_pending")
    audit.record(tx, "order.approve", "order", order_no, customer_code=head["customer_code"],
                 detail=f"{head['kind']} → ERP form {form_no}")
    _mail_customer(tx, head, "order_approved", form_no=form_no)


def _replay(db: Database, scope: Scope, order_no: str) -> Decision:
    order = orders.get_order(db, scope, order_no)
    if order["status"] != "approved":
        raise Conflict("order_rejected" if order["status"] == "rejected" else "order_not_pending")
    return Decision(order, True)


def _insert_form(tx, head: dict, user) -> tuple[int, str]:
    values = form_values.build(tx, head, repo.lines(tx, head["id"]), maker_name(user))
    if values.card_gaps:
        column, source = values.card_gaps[0]
        entity = erp_forms.FORM_ENTITY[head["kind"]]
        raise FormRejected(entity, tx.mapping.table(entity), "customer_card", column=column, source=source,
                           customer_code=head["customer_code"])
    return erp_forms.insert_form(tx, head["kind"], values.header, values.lines, tx.db.erp_time.now().date())


def maker_name(user) -> str:
    """The maker the ERP shows on the form: the rep's ERP operator name, else the login."""
    return getattr(user, "erp_name", None) or user.username


def _erp_rejected(db: Database, head: dict, exc: FormRejected) -> ErpRejected:
    """Log and record the refusal (the approve's own transaction has rolled back) and say
    what the ERP refused in the rep's words."""
    log.error("ERP refused the form for %s: %s %s.%s (%s): %s", head["order_no"], exc.reason, exc.table,
              exc.column, exc.sqlstate, exc.detail)
    field = erp_forms.field_of_column(db.mapping, exc.entity, exc.column)
    detail = f"{exc.table}.{exc.column or '?'}: {exc.reason}" + (f" (row {exc.row})" if exc.row else "")
    try:
        with db.transaction() as tx:
            audit.record(tx, "order.approve_refused", "order", head["order_no"],
                         customer_code=head["customer_code"], detail=detail)
    except Exception:  # noqa: BLE001 - the rep must still hear why approve failed
        log.exception("could not record the ERP's refusal of %s", head["order_no"])
    return ErpRejected(exc.reason, table=exc.table, column=exc.column or "", field=field or "",
                       row=exc.row, source=exc.source or "", customer=exc.customer_code or "")


def reject(db: Database, user, scope: Scope, order_no: str, reason: str, kind: str | None = None) -> Decision:
    """Reject with a reason the customer sees; nothing is deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "reason_required"})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": "too_long"})
    with db.transaction(write=True) as tx:
        head = _locked_order(tx, scope, order_no, kind)
        if head["status"] == "rejected" and head["reject_reason"] == reason:
            replayed = True
        elif head["status"] != "pending":
            raise Conflict("order_approved" if head["status"] == "approved" else "order_not_pending")
        else:
            replayed = False
            repo.mark_rejected(tx, head["id"], user.id, reason)
            audit.record(tx, "order.reject", "order", order_no, customer_code=head["customer_code"],
                         detail=reason)
            _mail_customer(tx, head, "order_rejected", reason=reason)
    return Decision(orders.get_order(db, scope, order_no), replayed)


def _mail_customer(tx, head: dict, template: str, **facts) -> None:
    """The decision, to the customer (its portal users or its address in the ERP)."""
    notify.mail_customer(tx, head["customer_code"], template, about=("order", head["id"]),
                         link=notify.link("portal.order_detail", order_no=head["order_no"]),
                         order_no=head["order_no"], kind=head["kind"], **facts)


# --- the queue ------------------------------------------------------------------------
def queue(db: Database, user, scope: Scope, kind: str, *, status: str = "pending", customer_code=None,
          order_no=None, date_from: dt.date | None = None, date_to: dt.date | None = None,
          sort: str = "placed_at", descending: bool = False, page: int = 1, per_page: int = 50,
          since: dt.datetime | None = None, remember: bool = True) -> dict:
    """One page of a review list; orders placed after the user last looked are marked.
    ``since`` keeps the marks of the first view across automatic refreshes."""
    view = f"review:{kind}"
    if since is None:
        since = db.read(lambda tx: repo.last_seen(tx, user.id, view)) or dt.datetime(1970, 1, 1)
        if remember:
            _remember_seen(db, user.id, view)
    start = i18n.from_local(dt.datetime.combine(date_from, dt.time())) if date_from else None
    end = i18n.from_local(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())) if date_to else None
    rows, total = orders.search(db, scope, kind=kind, status=status or None, customer_code=customer_code or None,
                                order_no=order_no or None, date_from=start, date_to=end, placed_after=since,
                                sort=sort, descending=descending, limit=per_page, offset=(page - 1) * per_page)
    return {"rows": rows, "total": total, "since": since}


def _remember_seen(db: Database, user_id: int, view: str) -> None:
    try:
        with db.transaction() as tx:
            repo.mark_seen(tx, user_id, view, utcnow())
    except UniqueViolation:
        pass  # another tab of the same user recorded it at the same moment


def pending_counts(db: Database, scope: Scope) -> dict[str, int]:
    return db.read(lambda tx: repo.pending_counts(tx, scope))


# --- the detail and its pre-flight check --------------------------------------------------
GREEN, AMBER, RED = "green", "amber", "red"
_RANK = {GREEN: 0, AMBER: 1, RED: 2}


@dataclass
class Check:
    level: str
    code: str        # message code
    params: dict


def detail(db: Database, scope: Scope, order_no: str) -> dict:
    """The order with each line's ERP item data and the pre-flight result, the form's
    contract number read back from the ERP, and the order's history."""
    order = orders.get_order(db, scope, order_no)

    def enrich(tx):
        today = i18n.local_today()
        worst = GREEN
        for line in order["lines"]:
            item = erp_repo.item(tx, line["inventory_code"]) if line["inventory_code"] else None
            line["item"] = item
            line["checks"] = preflight_line(tx, order, line, item, today)
            line["level"] = max((c.level for c in line["checks"]), key=_RANK.get, default=GREEN)
            worst = max(worst, line["level"], key=_RANK.get)
        order["checks"] = []
        if order["status"] == "pending":
            card = erp_forms.customer_card(tx, order["kind"], order["customer_code"])
            order["checks"] = [Check(RED, "pf_card_gap", {"customer": order["customer_code"], "source": source,
                                                          "column": column})
                               for column, source in erp_forms.card_gaps(tx, order["kind"], card)]
            worst = max([worst, *(c.level for c in order["checks"])], key=_RANK.get)
        order["preflight"] = worst
        if order["erp_form_id"]:
            form = erp_forms.form(tx, order["kind"], order["erp_form_id"])
            order["erp_form"] = form
            if form and form["contract_no"] and not order["contract_no"]:
                repo.set_contract_no(tx, order["id"], form["contract_no"])
                order["contract_no"] = form["contract_no"]
        order["history"] = users_repo.audit_of_object(tx, "order", order_no)
    with db.transaction() as tx:
        enrich(tx)
    return order


def plausible_limit(kind: str) -> Decimal:
    key = "SCM_REVIEW_PLAUSIBLE_SAMPLE_QTY" if kind == "sample" else "SCM_REVIEW_PLAUSIBLE_QTY"
    return Decimal(str(current_app.config.get(key, 1000 if kind == "sample" else 1_000_000)))


def preflight_line(tx, order: dict, line: dict, item: dict | None, today: dt.date) -> list[Check]:
    checks: list[Check] = []
    if item is None:
        return [Check(RED, "pf_item_missing", {"code": line["inventory_code"] or ""})]
    checks.append(Check(GREEN, "pf_item_ok", {"code": item["code"]}))
    if line["customer_part_no"]:
        mapped = erp_repo.item_by_customer_part(tx, order["customer_code"], line["customer_part_no"])
        if mapped is None:
            checks.append(Check(AMBER, "pf_part_unmapped", {"part": line["customer_part_no"]}))
        elif mapped["code"] != item["code"]:
            checks.append(Check(RED, "pf_part_other_item", {"part": line["customer_part_no"], "code": mapped["code"]}))
        else:
            checks.append(Check(GREEN, "pf_part_ok", {"part": line["customer_part_no"]}))
    wording = form_values.customer_wording(line, item, master_disc=False)  # that has its own check
    if wording:
        checks.append(Check(AMBER, "pf_customer_wording", {"wording": " / ".join(wording)}))
    if item["master_disc_no"]:
        if line["master_disc_no"] and line["master_disc_no"] != item["master_disc_no"]:
            checks.append(Check(AMBER, "pf_master_differs", {"given": line["master_disc_no"],
                                                             "erp": item["master_disc_no"]}))
        else:
            checks.append(Check(GREEN, "pf_master_ok", {"no": item["master_disc_no"]}))
    elif line["master_disc_no"]:
        checks.append(Check(AMBER, "pf_master_unknown", {"no": line["master_disc_no"]}))
    from scm_plugin.quantities import plain, unit_refusal

    qty = Decimal(line["quantity"])
    fraction = unit_refusal(qty, item, current_app.config.get("SCM_UNIT_DECIMALS"))
    if qty <= 0:
        checks.append(Check(RED, "pf_qty_not_positive", {}))
    elif fraction:   # e.g. 100.5 片, placed before the unit rule or through another way in
        checks.append(Check(RED, "pf_qty_fraction", {"qty": plain(qty), "unit": fraction.unit,
                                                     "places": fraction.places}))
    elif qty > plausible_limit(order["kind"]):
        checks.append(Check(AMBER, "pf_qty_large", {"limit": plausible_limit(order["kind"])}))
    else:
        checks.append(Check(GREEN, "pf_qty_ok", {}))
    requested = order["requested_date"]
    lead = int(item["lead_days"] or 0)
    if requested is None:
        checks.append(Check(AMBER, "pf_no_date", {}))
    elif requested < today:
        checks.append(Check(RED, "pf_date_past", {}))
    elif requested < today + dt.timedelta(days=lead):
        checks.append(Check(AMBER, "pf_lead_time", {"days": lead,
                                                   "earliest": (today + dt.timedelta(days=lead)).isoformat()}))
    else:
        checks.append(Check(GREEN, "pf_date_ok", {"days": lead}))
    return checks


def sync_contract_numbers(app) -> int:
    """Scheduled: contract numbers the ERP's flow assigned, copied to the orders."""
    db = app.extensions["scm"].db
    with db.transaction() as tx:
        return sum(erp_forms.sync_contract_numbers(tx, kind) for kind in erp_forms.FORM_ENTITY)
