"""Order and sample-order alert policies (functions 3 and 4): one implementation, a ``kind``.

A rep gives an approved order checkpoints — "by time T it has reached process step P with
quantity Q" — and SMS recipients. The checker (scheduled job, ``flask scm run-alerts``,
and before every edit of a policy) compares them with the ERP's production-progress
records set-based (``alerts.evaluate``: one statement per chunk of up to
``SCM_ALERT_EVAL_CHUNK`` due checkpoints, never a query per order):

* **met**: for P or any later step of the route, the quantity reported at that one step
  with a report time at or before T reaches Q. Quantities of different steps are not
  added up (a master disc, its stampers and the replicated discs count different things):
  the best single step counts.
* **missed**: T has passed and it is not met → exactly one alarm, its SMS written to the
  outbox in the same transaction. The checkpoint row is claimed by a conditional update
  under a lock on the policy row, and ``scm_alarm`` is unique per (checkpoint, level), so
  neither a second checker, a rerun nor a rep's edit at the same moment can double it.
* **early warning** (no lock): not yet due, its window half gone (``SCM_ALERT_WARNING_AFTER``)
  and the pace so far, carried on linearly, stays below Q by T.

A missed run is never replayed: each run evaluates what is pending and due *now*, each
checkpoint against its own T. While an alarm is open the policy is read-only (409);
cancelling the alarm with a note unlocks it. Every change is in the audit log under
the order's number.

Times: the plugin keeps naive UTC; the ERP writes progress in its own zone (the mapping's
``[erp] timezone``). ``to_erp`` / ``from_erp`` below are the one place where they meet.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scm_plugin.erp_bridge import Database, UniqueViolation
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import alerts as repo
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import orders as orders_repo
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import audit, i18n, orders
from scm_plugin.errors import Conflict, InvalidInput, NotFound
from scm_plugin.quantities import parse_quantity

log = logging.getLogger(__name__)

KINDS = ("sales", "sample")
MAX_NOTE = 500
MAX_RECIPIENTS = 20
_NUMBER_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,28}$")


# --- input schemas (the API's OpenAPI document is generated from these) ---------------
class CheckpointIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    due_at: dt.datetime = Field(..., description="ISO 8601; without an offset it is read in SCM_TIMEZONE")
    process_step: str = Field(..., min_length=1, max_length=10, description="An ERP process step code (GET /process-steps)")
    quantity: Decimal = Field(..., description="Expected quantity at this step (or a later one), > 0")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value):
        return parse_quantity(value)


class PolicyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    checkpoints: list[CheckpointIn] = Field(..., max_length=100,
                                            description="In route order, due times ascending, quantities not decreasing")
    sms_to: list[str] | None = Field(None, max_length=100, description=(
        'SMS recipients: phone numbers, "contact:<id>" (a contact of the order\'s customer) or '
        '"user:<username>" (a rep or administrator with a mobile number). Default: the caller.'))


class CancelIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field(..., max_length=MAX_NOTE, description="Why the alarm is cancelled (kept in the audit log)")


class CheckpointOut(BaseModel):
    id: int
    seq: int
    due_at: str
    process_step: str
    process_name: str | None = None
    quantity: str
    reached: str
    state: str = Field(..., description="pending | met | missed")


class AlarmOut(BaseModel):
    id: int
    level: str = Field(..., description="alarm (locks the policy) | warning")
    status: str = Field(..., description="open | cancelled")
    order_no: str
    kind: str
    customer_code: str
    checkpoint_id: int
    due_at: str | None = None
    process_step: str | None = None
    quantity: str | None = None
    reached: str | None = None
    raised_at: str
    detail: str | None = None
    cancelled_at: str | None = None
    cancel_note: str | None = None


class PolicyOut(BaseModel):
    order_no: str
    kind: str
    customer_code: str
    checkpoints: list[CheckpointOut]
    sms_to: list[str]
    locked: bool
    open_alarms: list[AlarmOut]
    updated_at: str | None = None


class AlarmListOut(BaseModel):
    items: list[AlarmOut]
    page: int
    per_page: int
    total: int


# --- times: the one place where plugin (UTC) and ERP-local times meet -----------------------
def _erp_zone(db: Database) -> ZoneInfo:
    return ZoneInfo(db.mapping.timezone or current_app.config["SCM_TIMEZONE"])


def to_erp(db: Database, utc: dt.datetime) -> dt.datetime:
    """Naive UTC → naive time in the ERP's zone (how the ERP writes its report times)."""
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(_erp_zone(db)).replace(tzinfo=None)


def from_erp(db: Database, local: dt.datetime | None) -> dt.datetime | None:
    """A time the ERP wrote (naive, its zone) → naive UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=_erp_zone(db)).astimezone(dt.timezone.utc).replace(tzinfo=None)


def to_utc(value: dt.datetime) -> dt.datetime:
    """A time given by a user or a client: with an offset as given, without one in SCM_TIMEZONE."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    else:
        value = i18n.from_local(value)
    return value.replace(microsecond=0)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def plain(value) -> str:
    """30000.000000 → "30000", 12.50 → "12.5"."""
    q = Decimal(value or 0)
    return str(q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize())


# --- reading a policy --------------------------------------------------------------------------
def _steps(tx) -> list[dict]:
    return [dict(s, seq=int(s["seq"])) for s in erp_repo.process_steps(tx)]


def policy_view(db: Database, scope: Scope, order_no: str, *, now: dt.datetime | None = None) -> dict:
    """The order, its policy (checkpoints with the quantity reached so far), its alarms,
    the ERP's progress for it, the templates that fit, recipients to offer, history."""
    order = orders.get_order(db, scope, order_no)
    now = now or utcnow()

    def read(tx):
        steps = _steps(tx)
        names = {s["code"]: s["name"] for s in steps}
        policy = repo.policy_by_order(tx, order["id"])
        checkpoints = repo.checkpoints_of_policy(tx, policy["id"]) if policy else []
        reached = repo.reached_of_policy(tx, policy["id"]) if policy else {}
        for c in checkpoints:
            c["reached"] = reached.get(c["id"], Decimal(0))
            c["process_name"] = names.get(c["process_code"])
            c["overdue"] = c["state"] == "pending" and c["due_at"] <= now
        alarms = repo.alarms_of_order(tx, order["id"])
        for a in alarms:
            a["process_name"] = names.get(a["process_code"])
        progress, records = [], []
        if order.get("erp_form_no"):
            by_code = {r["process_code"]: r for r in repo.progress_summary(tx, order["erp_form_no"])}
            for s in steps:
                row = by_code.pop(s["code"], None)
                progress.append({"code": s["code"], "name": s["name"], "seq": s["seq"],
                                 "quantity": row["quantity"] if row else None,
                                 "reports": int(row["reports"]) if row else 0,
                                 "last_at": from_erp(db, row["last_at"]) if row else None})
            for code, row in by_code.items():  # steps the route no longer knows
                progress.append({"code": code, "name": code, "seq": None, "quantity": row["quantity"],
                                 "reports": int(row["reports"]), "last_at": from_erp(db, row["last_at"])})
            records = repo.progress_records(tx, order["erp_form_no"], 50)
            for r in records:
                r["reported_at"] = from_erp(db, r["reported_at"])
                r["process_name"] = names.get(r["process_code"], r["process_code"])
        lines = repo.order_lines_with_family(tx, order["id"])
        templates = [_template_row(t) for t in repo.templates(tx)]
        contacts = erp_repo.contacts_of_customer(tx, order["customer_code"])
        history = users_repo.audit_of_object(tx, "alert_policy", order_no)
        return steps, policy, checkpoints, alarms, progress, records, lines, templates, contacts, history

    steps, policy, checkpoints, alarms, progress, records, lines, templates, contacts, history = db.read(read)
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
        "lines": lines,
        "templates": fitting,
        "contacts": [c for c in contacts if c.get("mobile") or c.get("phone")],
        "history": [dict(h, text=history_text(h, steps, contacts)) for h in history],
        "editable": order["status"] == "approved",
    }


def policy_to_api(view: dict) -> dict:
    order = view["order"]
    out = PolicyOut(
        order_no=order["order_no"], kind=order["kind"], customer_code=order["customer_code"],
        checkpoints=[CheckpointOut(id=c["id"], seq=int(c["seq"]), due_at=_iso(c["due_at"]),
                                   process_step=c["process_code"], process_name=c.get("process_name"),
                                   quantity=plain(c["quantity"]), reached=plain(c["reached"]), state=c["state"])
                     for c in view["checkpoints"]],
        sms_to=view["sms_to"], locked=view["locked"],
        open_alarms=[alarm_to_api(dict(a, order_no=order["order_no"], kind=order["kind"],
                                       customer_code=order["customer_code"])) for a in view["open_alarms"]],
        updated_at=_iso(view["policy"]["updated_at"]) if view["policy"] else None)
    return out.model_dump()


def alarm_to_api(a: dict) -> dict:
    return AlarmOut(
        id=a["id"], level=a["level"], status=a["status"], order_no=a["order_no"], kind=a["kind"],
        customer_code=a["customer_code"], checkpoint_id=int(a["checkpoint_id"]), due_at=_iso(a.get("due_at")),
        process_step=a.get("process_code"), quantity=plain(a["quantity"]) if a.get("quantity") is not None else None,
        reached=plain(a["reached_qty"]) if a.get("reached_qty") is not None else None,
        raised_at=_iso(a["raised_at"]), detail=a.get("detail"), cancelled_at=_iso(a.get("cancelled_at")),
        cancel_note=a.get("cancel_note")).model_dump()


# --- saving a policy ----------------------------------------------------------------------------
@dataclass
class _Planned:
    seq: int
    due_at: dt.datetime
    process_code: str
    quantity: Decimal
    keep_id: int | None = None
    window_start: dt.datetime | None = None
    warn_from: dt.datetime | None = None


def _key(due_at: dt.datetime, code: str, qty) -> tuple:
    return due_at.replace(microsecond=0), code, Decimal(qty)


def validate_checkpoints(items: list[CheckpointIn], steps: list[dict], current: list[dict],
                         now: dt.datetime, limit: int) -> tuple[list[_Planned], dict[str, str]]:
    """The rules of the editor, one message per offending field (``checkpoints.<i>.<field>``):
    steps in route order, due times ascending, quantities not decreasing, and nothing new
    in the past (a checkpoint kept unchanged from the saved policy may be past)."""
    errors: dict[str, str] = {}
    if len(items) > limit:
        return [], {"checkpoints": "cp_too_many"}
    seq_of = {s["code"]: s["seq"] for s in steps}
    existing = {_key(c["due_at"], c["process_code"], c["quantity"]): c["id"] for c in current}
    planned: list[_Planned] = []
    prev: _Planned | None = None
    for i, item in enumerate(items):
        due = to_utc(item.due_at)
        code = item.process_step
        p = _Planned(seq=i + 1, due_at=due, process_code=code, quantity=item.quantity)
        p.keep_id = existing.pop(_key(due, code, item.quantity), None)
        if code not in seq_of:
            errors[f"checkpoints.{i}.process_step"] = "cp_step_unknown"
        elif prev is not None and prev.process_code in seq_of and seq_of[code] < seq_of[prev.process_code]:
            errors[f"checkpoints.{i}.process_step"] = "cp_step_order"
        if p.keep_id is None and due <= now:
            errors[f"checkpoints.{i}.due_at"] = "cp_due_past"
        elif prev is not None and due <= prev.due_at:
            errors[f"checkpoints.{i}.due_at"] = "cp_due_order"
        if prev is not None and item.quantity < prev.quantity:
            errors[f"checkpoints.{i}.quantity"] = "cp_qty_decreasing"
        planned.append(p)
        prev = p
    return planned, errors


def _plan_windows(planned: list[_Planned], first_start: dt.datetime, share: float) -> None:
    """Each checkpoint's window opens at the previous one's due time (the first at
    ``first_start``); its pace is judged from ``share`` of the window on."""
    start = first_start
    for p in planned:
        s = min(start, p.due_at)
        p.window_start = s
        p.warn_from = s + (p.due_at - s) * max(0.0, min(1.0, float(share)))
        start = p.due_at


# --- the policy's history ---------------------------------------------------------------------
# The audit rows of a policy keep their facts as JSON, so the page tells them in the reader's
# language; rows written as plain text (before this format) are shown as they are.
_HISTORY_MARK = "json:"


_AUDIT_DETAIL_MAX = 2000   # scm_audit.detail (audit.record cuts longer ones)


def _history_detail(**facts) -> str:
    text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    if len(_HISTORY_MARK) + len(text) > _AUDIT_DETAIL_MAX:
        # Long recipient lists and notes are shortened so the facts stay readable JSON.
        for key in ("sms", "checkpoints"):
            if isinstance(facts.get(key), list) and len(facts[key]) > 5:
                facts[f"{key}_more"], facts[key] = len(facts[key]) - 5, facts[key][:5]
        for key in ("note", "text"):
            if isinstance(facts.get(key), str):
                facts[key] = facts[key][:500]
        text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return _HISTORY_MARK + text


def _listed(items: list[str], more: int | None) -> str:
    return ", ".join(items) + (f" … (+{more})" if more else "")


def _recipient_label(entry: str, contacts: dict[str, dict]) -> str:
    if entry.startswith("contact:") and entry[8:] in contacts:
        c = contacts[entry[8:]]
        return f"{c['name']} ({c.get('mobile') or c.get('phone')})"
    return entry[5:] if entry.startswith("user:") else entry


def history_text(row: dict, steps: list[dict], contacts: list[dict]) -> str:
    """One audit row of a policy, told in the current language."""
    detail = row.get("detail") or ""
    if not detail.startswith(_HISTORY_MARK):
        return detail
    try:
        facts = json.loads(detail[len(_HISTORY_MARK):])
    except ValueError:  # cut at the audit log's length limit
        return ""
    step_name = {s["code"]: s["name"] for s in steps}
    by_id = {str(c["id"]): c for c in contacts}
    _ = i18n.gettext
    nobody = _("none")
    if row["action"] == "policy.save":
        plan = "; ".join(
            f"{i18n.format_datetime(dt.datetime.fromisoformat(c['due']))} "
            f"{step_name.get(c['step'], c['step'])} ≥ {i18n.format_quantity(Decimal(c['qty']))}"
            for c in facts.get("checkpoints", [])) or nobody
        return _("%(n)s checkpoints (%(new)s new, %(removed)s removed): %(plan)s. SMS to: %(sms)s",
                 n=len(facts.get("checkpoints", [])) + (facts.get("checkpoints_more") or 0),
                 new=facts.get("new", 0), removed=facts.get("removed", 0),
                 plan=plan + (f" … (+{facts['checkpoints_more']})" if facts.get("checkpoints_more") else ""),
                 sms=_listed([_recipient_label(e, by_id) for e in facts.get("sms", [])],
                             facts.get("sms_more")) or nobody)
    if row["action"] in ("alarm.raise", "alarm.warn"):
        text = _("Alarm %(id)s, %(step)s: reached %(reached)s of %(qty)s. SMS to: %(sms)s",
                 id=facts.get("alarm"), step=step_name.get(facts.get("step"), facts.get("step")),
                 reached=i18n.format_quantity(Decimal(facts.get("reached") or 0)),
                 qty=i18n.format_quantity(Decimal(facts.get("qty") or 0)),
                 sms=_listed(facts.get("sms") or [], facts.get("sms_more")) or nobody)
        if facts.get("sms_error"):
            text += " " + _("(SMS not sent: %(reason)s)", reason=facts["sms_error"])
        return f"{text} — {facts['text']}" if facts.get("text") else text
    if row["action"] == "alarm.cancel":
        return _("Alarm %(id)s cancelled: %(note)s", id=facts.get("alarm"), note=facts.get("note") or "")
    return ""


def check_recipients(tx, entries: list[str], customer_code: str) -> tuple[list[str], dict[str, str]]:
    """Validate SMS recipients; returns the cleaned list and per-entry errors (``sms_to.<i>``)."""
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    if len(entries) > MAX_RECIPIENTS:
        return [], {"sms_to": "alert_sms_too_many"}
    contacts = None
    for i, raw in enumerate(entries):
        entry = (raw or "").strip()
        if not entry:
            continue
        if entry.startswith("user:"):
            row = users_repo.by_username(tx, entry[5:])
            if row is None or not row["active"] or row["role"] not in ("rep", "admin"):
                errors[f"sms_to.{i}"] = "alert_sms_user_unknown"
            elif not row["mobile"]:
                errors[f"sms_to.{i}"] = "alert_sms_user_no_mobile"
        elif entry.startswith("contact:"):
            if contacts is None:
                contacts = {str(c["id"]): c for c in erp_repo.contacts_of_customer(tx, customer_code)}
            c = contacts.get(entry[8:])
            if c is None or not (c.get("mobile") or c.get("phone")):
                errors[f"sms_to.{i}"] = "alert_sms_contact_unknown"
        elif not _NUMBER_RE.match(entry):
            errors[f"sms_to.{i}"] = "alert_sms_number_invalid"
        if entry not in cleaned:
            cleaned.append(entry)
    return cleaned, errors


def sms_recipients(tx, entries: list[str]) -> list[str]:
    """Policy recipients → what ``queue_sms`` takes: staff users become their mobile
    numbers; ``contact:<id>`` and typed numbers go as they are (the SMS layer resolves
    contacts and normalises numbers)."""
    out: list[str] = []
    for entry in entries:
        value = entry
        if entry.startswith("user:"):
            row = users_repo.by_username(tx, entry[5:])
            value = row["mobile"] if row and row["active"] and row["role"] in ("rep", "admin") else None
        if value and value not in out:
            out.append(value)
    return out


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
        planned, errors = validate_checkpoints(data.checkpoints, _steps(tx), current, now,
                                               int(cfg["SCM_ALERT_MAX_CHECKPOINTS"]))
        recipients, sms_errors = check_recipients(tx, sms_to, head["customer_code"])
        errors.update(sms_errors)
        if template_id is not None and repo.template(tx, template_id) is None:
            template_id = None
        if errors:
            raise InvalidInput(errors)
        first_start = order.get("reviewed_at") or now
        _plan_windows(planned, min(first_start, now), float(cfg["SCM_ALERT_WARNING_AFTER"]))
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
                repo.insert_checkpoint(tx, policy_id, seq=p.seq, due_at=p.due_at, due_at_erp=to_erp(db, p.due_at),
                                       window_start=p.window_start, warn_from=p.warn_from,
                                       process_code=p.process_code, quantity=p.quantity)
        audit.record(tx, "policy.save", "alert_policy", order_no, customer_code=head["customer_code"],
                     detail=_history_detail(
                         checkpoints=[{"due": p.due_at.isoformat(), "step": p.process_code,
                                       "qty": plain(p.quantity)} for p in planned],
                         new=len(planned) - len(kept), removed=len(removed), sms=recipients))
    return policy_view(db, scope, order_no, now=now)


# --- the checker ---------------------------------------------------------------------------------
@dataclass
class RunResult:
    at: dt.datetime
    evaluated: int = 0
    met: int = 0
    alarms: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    skipped: int = 0         # claimed by a concurrent run or changed by an edit meanwhile
    unfinished: int = 0      # left for the next run by the deadline
    seconds: float = 0.0


def _behind_pace(row: dict, reached: Decimal, quantity: Decimal, at: dt.datetime) -> bool:
    """The progress so far, carried on at the same pace from the window's start, stays
    below the quantity by the due time: reached·(T−S) < Q·(at−S)."""
    start, due = row["window_start"], row["due_at"]
    if start is None or due <= start or at <= start or at >= due:
        return False
    if row["warn_from"] is not None and at < row["warn_from"]:
        return False
    return reached * Decimal((due - start).total_seconds()) < quantity * Decimal((at - start).total_seconds())


def check(db: Database, at: dt.datetime | None = None, *, policy_id: int | None = None,
          deadline: float | None = None) -> RunResult:
    """One evaluation pass "as of ``at``" (default now) over every pending checkpoint that
    is due (or whose warning window has opened), in chunks of ``SCM_ALERT_EVAL_CHUNK``
    checkpoint ids: per chunk one set-based query, the met ones marked in one statement
    per 500, then one transaction per alarm. Past the ``deadline`` (``time.monotonic()``)
    the rest waits for the next run."""
    cfg = current_app.config
    started = time.monotonic()
    at = (at or utcnow()).replace(microsecond=0)
    result = RunResult(at=at)
    early = bool(cfg.get("SCM_ALERT_EARLY_WARNING", True))
    warn_at = at if early else None
    chunk = max(1, int(cfg.get("SCM_ALERT_EVAL_CHUNK", 5000)))
    ids = db.read(lambda tx: repo.due_ids(tx, at=at, warn_at=warn_at, policy_id=policy_id))
    names: dict[str, str] | None = None
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        if deadline is not None and time.monotonic() > deadline:
            result.unfinished += len(ids) - start
            break
        met, missed, behind, evaluated = evaluate_chunk(db, part[0], part[-1], at, early, policy_id)
        result.evaluated += evaluated
        if met:
            with db.transaction(write=True) as tx:
                result.met += repo.mark_met(tx, met, utcnow())
        if (missed or behind) and names is None:
            names = {s["code"]: s["name"] for s in db.read(_steps)}
        for level, todo, out in (("alarm", missed, result.alarms), ("warning", behind, result.warnings)):
            for r in todo:
                if deadline is not None and time.monotonic() > deadline:
                    result.unfinished += 1
                    continue
                raised = _raise(db, r, level, names)
                if raised is None:
                    result.skipped += 1
                else:
                    out.append(raised)
    result.seconds = time.monotonic() - started
    return result


def evaluate_chunk(db: Database, first_id: int, last_id: int, at: dt.datetime, early: bool,
                   policy_id: int | None = None) -> tuple[list[int], list[dict], list[dict], int]:
    """Evaluate the due checkpoints with ids in [first_id, last_id] (of one policy, if
    given) without writing: (met ids, missed rows, rows behind their pace, evaluated)."""
    def read(tx):
        rows = repo.evaluate(tx, first_id=first_id, last_id=last_id, at=at, warn_at=at if early else None,
                             policy_id=policy_id)
        rest = {int(r["checkpoint_id"]): r for r in rows if not r["met"]}
        return rows, rest, (repo.checkpoint_details(tx, rest) if rest else [])
    rows, rest, details = db.read(read)
    missed, behind = [], []
    for d in details:
        r = rest[int(d["checkpoint_id"])]
        d["reached"], d["warned"] = Decimal(r["reached"] or 0), r["warned"]
        if d["due_at"] <= at:
            missed.append(d)
        elif early and not d["warned"] and _behind_pace(d, d["reached"], Decimal(d["quantity"]), at):
            behind.append(d)
    missed.sort(key=lambda r: (r["due_at"], r["checkpoint_id"]))
    behind.sort(key=lambda r: (r["due_at"], r["checkpoint_id"]))
    return [int(r["checkpoint_id"]) for r in rows if r["met"]], missed, behind, len(rows)


def _raise(db: Database, row: dict, level: str, step_names: dict[str, str]) -> dict | None:
    """One alarm (or warning) and its SMS, in one transaction; None if it is not ours to raise."""
    cfg = current_app.config
    try:
        with db.transaction(write=True) as tx:
            policy = repo.lock_policy(tx, row["policy_id"])
            order = repo.order_of_policy(tx, row["policy_id"]) if policy else None
            if order is None:
                return None
            row = dict(row, **order)
            if level == "alarm":
                if not repo.mark_missed(tx, row["checkpoint_id"], utcnow()):
                    return None
            elif not repo.checkpoint_is_pending(tx, row["checkpoint_id"]) or repo.has_warning(tx, row["checkpoint_id"]):
                return None
            step_name = step_names.get(row["process_code"], row["process_code"])
            line = repo.first_line(tx, row["order_id"])
            item = (line or {}).get("item_name") or (line or {}).get("inventory_code") or ""
            text = sms_text(level, ref=row["contract_no"] or row["order_no"], step=step_name, due=row["due_at"],
                            quantity=row["quantity"], reached=row["reached"], item=item)
            detail = f"{row['process_code']} {step_name}: {plain(row['reached'])} / {plain(row['quantity'])}"
            alarm_id = repo.insert_alarm(tx, checkpoint_id=row["checkpoint_id"], order_id=row["order_id"],
                                         customer_code=row["customer_code"], level=level, raised_at=utcnow(),
                                         detail=detail, reached=row["reached"])
            recipients = sms_recipients(tx, json.loads(policy["sms_to"] or "[]"))
            batch_id, numbers, sms_error = None, [], None
            if recipients and (level == "alarm" or cfg.get("SCM_ALERT_WARNING_SMS")):
                from scm_plugin.sms import queue_sms
                try:
                    sent = queue_sms(tx, recipients=recipients, text=text, created_by=None, source="alarm",
                                     customer_code=row["customer_code"], ref_type="alarm", ref_id=alarm_id)
                except InvalidInput as exc:  # checked before it writes anything: the alarm stands
                    sms_error = ", ".join(exc.fields.values())
                    log.error("alarm %s: SMS refused (%s): %r", alarm_id, sms_error, text)
                else:
                    batch_id = sent.get("batch_id")
                    numbers = [m["number"] for m in sent.get("messages", []) if m.get("status") == "queued"]
                    repo.set_alarm_sms(tx, alarm_id, batch_id)
            audit.record(tx, "alarm.raise" if level == "alarm" else "alarm.warn", "alert_policy", row["order_no"],
                         customer_code=row["customer_code"], actor="checker",
                         detail=_history_detail(alarm=alarm_id, step=row["process_code"],
                                                reached=plain(row["reached"]), qty=plain(row["quantity"]),
                                                sms=numbers, sms_error=sms_error, text=text))
    except UniqueViolation:
        return None  # the unique key (checkpoint, level): another run raised it
    return {"id": alarm_id, "level": level, "order_no": row["order_no"], "process_code": row["process_code"],
            "due_at": row["due_at"], "quantity": row["quantity"], "reached": row["reached"],
            "sms_batch_id": batch_id, "numbers": numbers, "text": text}


def _units(text: str) -> int:
    """Length as SMS gateways bill it (UTF-16 code units)."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def sms_budget() -> int:
    """Characters left for the text: SCM_SMS_MAX_CHARS less the signature, which the SMS
    layer sends as 【name】."""
    cfg = current_app.config
    name = (cfg.get("SCM_SMS_SIGNATURE") or "").strip().strip("【】").strip()
    return int(cfg["SCM_SMS_MAX_CHARS"]) - (_units(name) + 2 if name else 0)


def sms_text(level: str, *, ref: str, step: str, due: dt.datetime, quantity, reached, item: str) -> str:
    """The alarm SMS from ``scm/alert_policy/alarm_sms.txt`` (``warning_sms.txt``) in the
    plugin's default language, kept within SCM_SMS_MAX_CHARS together with the signature:
    the item name is shortened first (…), then dropped, then the text is cut. 【】 are
    replaced (carriers read them as a second signature)."""
    cfg = current_app.config
    budget = sms_budget()
    template = "scm/alert_policy/alarm_sms.txt" if level == "alarm" else "scm/alert_policy/warning_sms.txt"
    with i18n.force_locale(cfg.get("SCM_DEFAULT_LOCALE")):
        due_text = i18n.to_local(due).strftime("%m-%d %H:%M")

        def render(name: str) -> str:
            text = render_template(template, _=i18n.gettext, gettext=i18n.gettext, ref=ref, step=step,
                                   due=due_text, quantity=plain(quantity), reached=plain(reached), item=name)
            return " ".join(text.replace("【", "[").replace("】", "]").split())

        name = " ".join((item or "").split())
        text = render(name)
        while _units(text) > budget and name:
            name = name[:-2] + "…" if len(name) > 3 else ""
            text = render(name)
    while _units(text) > budget:
        text = text[:-1]
    return text


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
                     detail=_history_detail(alarm=alarm_id, level=row["level"], note=note))
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
        names = {s["code"]: s["name"] for s in _steps(tx)}
        for r in rows:
            r["process_name"] = names.get(r["process_code"])
        return rows, total
    return db.read(read)


# --- the search (订单策略管理 / 样板单策略管理) ------------------------------------------------------
def search(db: Database, scope: Scope, kind: str, *, date_from: dt.date | None = None,
           date_to: dt.date | None = None, **filters) -> tuple[list[dict], int]:
    """Orders of one kind in scope, by order no, contract no, customer part no, inventory
    code, customer, status, policy state and the day they were placed (local days)."""
    start = i18n.from_local(dt.datetime.combine(date_from, dt.time())) if date_from else None
    end = i18n.from_local(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())) if date_to else None
    return db.read(lambda tx: repo.search_orders(tx, scope, kind=kind, date_from=start, date_to=end, **filters))


def open_alarm_total(db: Database, scope: Scope) -> int:
    return db.read(lambda tx: repo.list_alarms(tx, scope, status="open", level="alarm", limit=1)[1])


# --- checkpoint templates (per product family, kept by admins) -----------------------------------
@dataclass
class TemplateRow:
    step: str
    days_before: int
    share: Decimal | None = None      # of the order quantity
    quantity: Decimal | None = None   # absolute (e.g. 1 master disc)

    def amount_text(self) -> str:
        if self.share is not None:
            return f"{plain(self.share * 100)}%"
        return plain(self.quantity)


def _template_row(t: dict) -> dict:
    rows = []
    for r in json.loads(t["spec"] or "[]"):
        rows.append(TemplateRow(step=r["step"], days_before=int(r["days_before"]),
                                share=Decimal(r["share"]) if r.get("share") is not None else None,
                                quantity=Decimal(r["quantity"]) if r.get("quantity") is not None else None))
    return dict(t, rows=rows)


def templates(db: Database) -> list[dict]:
    return [_template_row(t) for t in db.read(repo.templates)]


def get_template(db: Database, template_id: int) -> dict:
    t = db.read(lambda tx: repo.template(tx, template_id))
    if t is None:
        raise NotFound("template")
    return _template_row(t)


def parse_amount(text: str) -> tuple[Decimal | None, Decimal | None]:
    """"50%" → share 0.5; "1" → quantity 1. Raises ValueError."""
    raw = (text or "").strip().replace("％", "%")
    if raw.endswith("%"):
        share = Decimal(raw[:-1].strip()) / 100
        if not share.is_finite() or share <= 0 or share > 2:
            raise ValueError
        return share, None
    return None, parse_quantity(raw)


def save_template(db: Database, user, template_id: int | None, *, name: str, family: str | None,
                  rows: list[dict]) -> int:
    """Validate and store a template; ``rows`` are {step, days_before, amount} as typed."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    family = (family or "").strip() or None
    if not name:
        errors["name"] = "tpl_name_required"
    elif len(name) > 100:
        errors["name"] = "too_long"
    if family and len(family) > 20:
        errors["family"] = "too_long"
    steps = db.read(_steps)
    seq_of = {s["code"]: s["seq"] for s in steps}
    parsed: list[TemplateRow] = []
    if not rows:
        errors["rows"] = "tpl_rows_required"
    for i, r in enumerate(rows):
        step = (r.get("step") or "").strip()
        if step not in seq_of:
            errors[f"rows.{i}.step"] = "cp_step_unknown"
        elif parsed and parsed[-1].step in seq_of and seq_of[step] < seq_of[parsed[-1].step]:
            errors[f"rows.{i}.step"] = "cp_step_order"
        try:
            days = int(str(r.get("days_before", "")).strip())
            if not 0 <= days <= 365:
                raise ValueError
        except ValueError:
            errors[f"rows.{i}.days_before"] = "tpl_days_invalid"
            days = -1
        if parsed and days >= 0 and days >= parsed[-1].days_before >= 0:
            errors[f"rows.{i}.days_before"] = "tpl_days_order"
        try:
            share, qty = parse_amount(str(r.get("amount", "")))
        except (ValueError, InvalidOperation, ArithmeticError):
            errors[f"rows.{i}.amount"] = "tpl_amount_invalid"
            share, qty = None, None
        prev = parsed[-1] if parsed else None
        if prev is not None and share is not None and prev.share is not None and share < prev.share:
            errors[f"rows.{i}.amount"] = "cp_qty_decreasing"
        if prev is not None and qty is not None and prev.quantity is not None and qty < prev.quantity:
            errors[f"rows.{i}.amount"] = "cp_qty_decreasing"
        parsed.append(TemplateRow(step=step, days_before=days, share=share, quantity=qty))
    if len(rows) > 20:
        errors["rows"] = "cp_too_many"
    if errors:
        raise InvalidInput(errors)
    spec = json.dumps([{k: v for k, v in (("step", r.step), ("days_before", r.days_before),
                                          ("share", str(r.share) if r.share is not None else None),
                                          ("quantity", str(r.quantity) if r.quantity is not None else None))
                        if v is not None} for r in parsed], ensure_ascii=False)
    with db.transaction(write=True) as tx:
        if template_id is None:
            template_id = repo.insert_template(tx, family=family, name=name, spec=spec, user_id=user.id, at=utcnow())
            action = "template.create"
        else:
            if not repo.update_template(tx, template_id, family=family, name=name, spec=spec, user_id=user.id,
                                        at=utcnow()):
                raise NotFound("template")
            action = "template.update"
        audit.record(tx, action, "checkpoint_template", template_id, detail=f"{name} [{family or '*'}]: {spec}")
    return template_id


def delete_template(db: Database, user, template_id: int) -> None:
    with db.transaction(write=True) as tx:
        t = repo.template(tx, template_id)
        if t is None or not repo.delete_template(tx, template_id):
            raise NotFound("template")
        audit.record(tx, "template.delete", "checkpoint_template", template_id, detail=t["name"])


def item_families(db: Database) -> list[str]:
    return db.read(repo.item_families)


def prefill(template: dict, order: dict, lines: list[dict]) -> list[dict]:
    """Checkpoints from a template: due at ``SCM_ALERT_DUE_TIME`` N days before the
    requested date (SCM_TIMEZONE), quantities as given or as a share of the order
    quantity of the template's family (rounded up to whole pieces)."""
    cfg = current_app.config
    hh, mm = (int(x) for x in str(cfg.get("SCM_ALERT_DUE_TIME", "18:00")).split(":")[:2])
    requested = order.get("requested_date")
    family_lines = [l for l in lines if template["family"] and l["family"] == template["family"]]
    base = sum((Decimal(l["quantity"]) for l in family_lines), Decimal(0)) if family_lines else \
        (Decimal(lines[0]["quantity"]) if lines else Decimal(0))
    out = []
    for r in template["rows"]:
        due_local = None
        if requested:
            day = requested - dt.timedelta(days=r.days_before)
            due_local = dt.datetime.combine(day, dt.time(hh, mm))
        qty = r.quantity if r.quantity is not None else \
            (r.share * base).quantize(Decimal(1), rounding=ROUND_CEILING)
        out.append({"due_local": due_local, "process_step": r.step, "quantity": plain(qty) if qty else ""})
    return out

