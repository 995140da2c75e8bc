"""One order's alert policy: the page's data, saving it under its lock, its alarms, and
the search of orders by policy (订单策略管理 / 样板单策略管理).

While an alarm is open the policy is read-only (409); cancelling the alarm with a note
unlocks it. Every change is in the audit log under the order's number.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from flask import current_app
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import alerts as repo
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import orders as orders_repo
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import audit, i18n, orders
from scm_plugin.errors import Conflict, InvalidInput, NotFound
from scm_plugin.quantities import plain

from .checker import check
from .checkpoint_templates import template_row
from .checkpoints import plan_windows, validate_checkpoints
from .history import history_detail, history_text
from .recipients import check_recipients
from .schemas import MAX_NOTE, PolicyIn
from .steps import process_steps, step_names


# --- reading a policy --------------------------------------------------------------------------
def policy_view(db: Database, scope: Scope, order_no: str, *, now: dt.datetime | None = None) -> dict:
    """The order, its policy (checkpoints with the quantity reached so far), its alarms,
    the ERP's progress for it, the templates that fit, recipients to offer, history."""
    order = orders.get_order(db, scope, order_no)
    now = now or utcnow()

    def read(tx):
        steps = process_steps(tx)
        names = {s["code"]: s["name"] for s in steps}
        by_contract = repo.progress_by_contract_no(tx)
        # The number the ERP files this order's progress under, as the ERP holds it now.
        ref = repo.progress_ref(tx, order["id"]) if order.get("erp_form_no") else None
        policy = repo.policy_by_order(tx, order["id"])
        checkpoints = repo.checkpoints_of_policy(tx, policy["id"]) if policy else []
        reached = repo.reached_of_policy(tx, policy["id"], ref) if policy else {}
        for c in checkpoints:
            c["reached"] = reached.get(c["id"], Decimal(0))
            c["process_name"] = names.get(c["process_code"])
            c["overdue"] = c["state"] == "pending" and c["due_at"] <= now
            # Progress goes by contract number and the ERP has not given one yet: the
            # checker waits for it rather than calling the checkpoint missed.
            c["awaiting_contract_no"] = c["state"] == "pending" and by_contract and ref is None
        alarms = repo.alarms_of_order(tx, order["id"])
        for a in alarms:
            a["process_name"] = names.get(a["process_code"])
        progress, records = [], []
        if ref is not None:
            by_code = {r["process_code"]: r for r in repo.progress_summary(tx, ref)}
            for s in steps:
                row = by_code.pop(s["code"], None)
                progress.append({"code": s["code"], "name": s["name"], "seq": s["seq"],
                                 "quantity": row["quantity"] if row else None,
                                 "reports": int(row["reports"]) if row else 0,
                                 "last_at": db.erp_time.from_erp(row["last_at"]) if row else None})
            for code, row in by_code.items():  # steps the route no longer knows
                progress.append({"code": code, "name": code, "seq": None, "quantity": row["quantity"],
                                 "reports": int(row["reports"]), "last_at": db.erp_time.from_erp(row["last_at"])})
            records = repo.progress_records(tx, ref, 50)
            for r in records:
                r["reported_at"] = db.erp_time.from_erp(r["reported_at"])
                r["process_name"] = names.get(r["process_code"], r["process_code"])
        progress_ref = {"by": "contract_no" if by_contract else "form_no", "ref": ref}
        lines = repo.order_lines_with_family(tx, order["id"])
        templates = [template_row(t) for t in repo.templates(tx)]
        contacts = erp_repo.contacts_of_customer(tx, order["customer_code"])
        history = users_repo.audit_of_object(tx, "alert_policy", order_no)
        return steps, policy, checkpoints, alarms, progress, records, progress_ref, lines, templates, contacts, history

    (steps, policy, checkpoints, alarms, progress, records, progress_ref, lines, templates, contacts,
     history) = db.read(read)
    families = [l["family"] for l in lines if l["family"]]
    fitting = [t for t in templates if not t["family"] or t["family"] in families]
    fitting.sort(key=lambda t: (t["family"] not in families, families.index(t["family"])
                                if t["family"] in families else 0, t["name"]))
    open_alarms = [a for a in alarms if a["status"] == "open"]
    return {
        "order": order,
        "steps": steps,
        "policy": policy,
        "sms_to": json.loads(policy["sms_to"] or "[]") if policy else [],
        "checkpoints": checkpoints,
        "alarms": alarms,
        "open_alarms": open_alarms,
        "locked": any(a["level"] == "alarm" for a in open_alarms),
        "progress": progress,
        "records": records,
        # how the ERP files this order's progress ("form_no" / "contract_no") and under
        # which number now (None: no form, or no contract number yet)
        "progress_by": progress_ref["by"],
        "progress_ref": progress_ref["ref"],
        "lines": lines,
        "templates": fitting,
        "contacts": [c for c in contacts if c.get("mobile") or c.get("phone")],
        "history": [dict(h, text=history_text(h, steps, contacts)) for h in history],
        "editable": order["status"] == "approved",
    }


# --- saving a policy ----------------------------------------------------------------------------
def save_policy(db: Database, user, scope: Scope, order_no: str, data: PolicyIn, *,
                template_id: int | None = None, now: dt.datetime | None = None) -> dict:
    """Replace the order's checkpoints and recipients. Unchanged checkpoints keep their
    identity (state, alarms); removed ones are deleted, or retired when an alarm refers to
    them. Refused with 409 while an alarm is open; nothing is half-saved."""
    now = now or utcnow()
    order = orders.get_order(db, scope, order_no)
    if order["status"] != "approved":
        raise Conflict("policy_order_not_approved")
    existing = db.read(lambda tx: repo.policy_by_order(tx, order["id"]))
    if existing is not None:
        # Whatever is due now is judged before an edit could remove it: an alarm raised
        # here locks the policy like any other.
        check(db, at=now, policy_id=existing["id"])
    cfg = current_app.config
    sms_to = data.sms_to
    if sms_to is None:
        sms_to = [f"user:{user.username}"] if getattr(user, "mobile", None) else []
    with db.transaction(write=True) as tx:
        head = orders_repo.lock(tx, order_no)  # saves of one order, one at a time
        if head is None or not scope.allows(tx, head["customer_code"]):
            raise NotFound("order")
        policy = repo.policy_by_order(tx, head["id"])
        if policy is not None:
            repo.lock_policy(tx, policy["id"])
        if repo.open_alarm_count(tx, head["id"]):
            raise Conflict("policy_locked")
        current = repo.checkpoints_of_policy(tx, policy["id"]) if policy else []
        planned, errors = validate_checkpoints(data.checkpoints, process_steps(tx), current, now,
                                               int(cfg["SCM_ALERT_MAX_CHECKPOINTS"]))
        recipients, sms_errors = check_recipients(tx, sms_to, head["customer_code"])
        errors.update(sms_errors)
        if template_id is not None and repo.template(tx, template_id) is None:
            template_id = None
        if errors:
            raise InvalidInput(errors)
        first_start = order.get("reviewed_at") or now
        plan_windows(planned, min(first_start, now), float(cfg["SCM_ALERT_WARNING_AFTER"]))
        sms_json = json.dumps(recipients, ensure_ascii=False)
        if policy is None:
            policy_id = repo.insert_policy(tx, head["id"], sms_json, template_id, user.id, utcnow())
        else:
            policy_id = policy["id"]
            repo.update_policy(tx, policy_id, sms_json, template_id, user.id, utcnow())
        kept = {p.keep_id for p in planned if p.keep_id}
        removed = [c for c in current if c["id"] not in kept]
        for c in removed:
            repo.remove_checkpoint(tx, c["id"], utcnow())
        for p in planned:
            if p.keep_id:
                repo.update_checkpoint_plan(tx, p.keep_id, seq=p.seq, window_start=p.window_start,
                                            warn_from=p.warn_from)
            else:
                repo.insert_checkpoint(tx, policy_id, seq=p.seq, due_at=p.due_at, due_at_erp=db.erp_time.to_erp(p.due_at),
                                       window_start=p.window_start, warn_from=p.warn_from,
                                       process_code=p.process_code, quantity=p.quantity)
        audit.record(tx, "policy.save", "alert_policy", order_no, customer_code=head["customer_code"],
                     detail=history_detail(
                         checkpoints=[{"due": p.due_at.isoformat(), "step": p.process_code,
                                       "qty": plain(p.quantity)} for p in planned],
                         new=len(planned) - len(kept), removed=len(removed), sms=recipients))
    return policy_view(db, scope, order_no, now=now)


# --- alarms ---------------------------------------------------------------------------------
def cancel_alarm(db: Database, user, scope: Scope, alarm_id: int, note: str | None) -> dict:
    """Close an open alarm (or warning) with a note; an order without open alarms is
    unlocked. Outside the scope: 404 before anything else is looked at."""
    with db.transaction(write=True) as tx:
        locked = repo.lock_alarm(tx, alarm_id)
        if locked is None or not scope.allows(tx, locked["customer_code"]):
            raise NotFound("alarm")
        note = (note or "").strip()
        if not note:
            raise InvalidInput({"note": "alarm_note_required"})
        if len(note) > MAX_NOTE:
            raise InvalidInput({"note": "too_long"})
        if locked["status"] != "open" or not repo.cancel_alarm(tx, alarm_id, user.id, utcnow(), note):
            raise Conflict("alarm_not_open")
        row = repo.alarm(tx, alarm_id)
        audit.record(tx, "alarm.cancel", "alert_policy", row["order_no"], customer_code=row["customer_code"],
                     detail=history_detail(alarm=alarm_id, level=row["level"], note=note))
    return row


def get_alarm(db: Database, scope: Scope, alarm_id: int) -> dict:
    def read(tx):
        row = repo.alarm(tx, alarm_id)
        if row is None or not scope.allows(tx, row["customer_code"]):
            raise NotFound("alarm")
        return row
    return db.read(read)


def alarms(db: Database, scope: Scope, **filters) -> tuple[list[dict], int]:
    def read(tx):
        rows, total = repo.list_alarms(tx, scope, **filters)
        names = step_names(tx)
        for r in rows:
            r["process_name"] = names.get(r["process_code"])
        return rows, total
    return db.read(read)


def open_alarm_total(db: Database, scope: Scope) -> int:
    return db.read(lambda tx: repo.list_alarms(tx, scope, status="open", level="alarm", limit=1)[1])


# --- the search (订单策略管理 / 样板单策略管理) ------------------------------------------------------
def search(db: Database, scope: Scope, kind: str, *, date_from: dt.date | None = None,
           date_to: dt.date | None = None, **filters) -> tuple[list[dict], int]:
    """Orders of one kind in scope, by order no, contract no, customer part no, inventory
    code, customer, status, policy state and the day they were placed (local days)."""
    start = i18n.from_local(dt.datetime.combine(date_from, dt.time())) if date_from else None
    end = i18n.from_local(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())) if date_to else None
    return db.read(lambda tx: repo.search_orders(tx, scope, kind=kind, date_from=start, date_to=end, **filters))
