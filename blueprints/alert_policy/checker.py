"""The alert checker: one evaluation pass over the due checkpoints, alarms and their SMS.

It runs as the scheduled job, as ``flask scm run-alerts`` and before every edit of a
policy, and compares the checkpoints with the ERP's production-progress records
set-based (``repos.alerts.evaluate``: one statement per chunk of up to ``SCM_ALERT_EVAL_CHUNK``
due checkpoints, never a query per order). Progress is matched to an order through its
ERP form number or, with the mapping's ``[progress] order_ref_is = "contract_no"``,
through the contract number the ERP's form holds at that moment:

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
* **waiting for a contract number**: progress goes by contract number and the ERP has
  not numbered the order's form yet. Nothing can have been reported against it, so no
  "0 of Q" alarm or warning is raised: the checkpoint stays pending (the policy page
  shows it as waiting for the contract number) and is judged, against its own T, at the
  first run after the ERP numbers the form.

A missed run is never replayed: each run evaluates what is pending and due *now*, each
checkpoint against its own T.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, render_template
from scm_plugin.erp_bridge import Database, UniqueViolation
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import alerts as repo

from scm_plugin import audit, i18n
from scm_plugin import sms as sms_layer
from scm_plugin.errors import InvalidInput
from scm_plugin.quantities import plain
from scm_plugin.sms import text as sms_rules

from . import steps
from .history import history_detail
from .recipients import sms_recipients

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    at: dt.datetime
    evaluated: int = 0
    met: int = 0
    alarms: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    waiting: int = 0         # due or warnable, but the ERP has not numbered the form yet
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
        met, missed, behind, evaluated, waiting = evaluate_chunk(db, part[0], part[-1], at, early, policy_id)
        result.evaluated += evaluated
        result.waiting += waiting
        if met:
            with db.transaction(write=True) as tx:
                result.met += repo.mark_met(tx, met, utcnow())
        if (missed or behind) and names is None:
            names = db.read(steps.step_names)
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
                   policy_id: int | None = None) -> tuple[list[int], list[dict], list[dict], int, int]:
    """Evaluate the due checkpoints with ids in [first_id, last_id] (of one policy, if
    given) without writing: (met ids, missed rows, rows behind their pace, evaluated,
    waiting for the ERP's contract number)."""
    def read(tx):
        rows = repo.evaluate(tx, first_id=first_id, last_id=last_id, at=at, warn_at=at if early else None,
                             policy_id=policy_id)
        rest = {int(r["checkpoint_id"]): r for r in rows if not r["met"] and int(r["has_ref"] or 0)}
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
    waiting = sum(1 for r in rows if not r["met"] and not int(r["has_ref"] or 0))
    return [int(r["checkpoint_id"]) for r in rows if r["met"]], missed, behind, len(rows), waiting


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
            if not row["contract_no"] and repo.progress_by_contract_no(tx):
                # the ERP's number, before the plugin's sync job has copied it
                row["contract_no"] = repo.progress_ref(tx, row["order_id"])
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
                try:
                    sent = sms_layer.queue_sms(tx, recipients=recipients, text=text, created_by=None, source="alarm",
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
                         detail=history_detail(alarm=alarm_id, step=row["process_code"],
                                               reached=plain(row["reached"]), qty=plain(row["quantity"]),
                                               sms=numbers, sms_error=sms_error, text=text))
    except UniqueViolation:
        return None  # the unique key (checkpoint, level): another run raised it
    return {"id": alarm_id, "level": level, "order_no": row["order_no"], "process_code": row["process_code"],
            "due_at": row["due_at"], "quantity": row["quantity"], "reached": row["reached"],
            "sms_batch_id": batch_id, "numbers": numbers, "text": text}


# --- the alarm SMS -------------------------------------------------------------------------------
def sms_budget() -> int:
    """Characters left for the text once the SMS layer's signature is counted."""
    settings = sms_layer.settings()
    return sms_rules.budget(settings["signature"], settings["max_chars"])


def sms_text(level: str, *, ref: str, step: str, due: dt.datetime, quantity, reached, item: str) -> str:
    """The alarm SMS from ``scm/alert_policy/alarm_sms.txt`` (``warning_sms.txt``) in the
    plugin's default language, kept within SCM_SMS_MAX_CHARS together with the signature:
    the item name is shortened first (…), then dropped, then the text is cut. 【】 are
    replaced (carriers read them as a second signature)."""
    cfg = current_app.config
    budget = sms_budget()
    units = sms_rules.units
    template = "scm/alert_policy/alarm_sms.txt" if level == "alarm" else "scm/alert_policy/warning_sms.txt"
    with i18n.force_locale(cfg.get("SCM_DEFAULT_LOCALE")):
        due_text = i18n.to_local(due).strftime("%m-%d %H:%M")

        def render(name: str) -> str:
            text = render_template(template, _=i18n.gettext, gettext=i18n.gettext, ref=ref, step=step,
                                   due=due_text, quantity=plain(quantity), reached=plain(reached), item=name)
            return " ".join(text.replace("【", "[").replace("】", "]").split())

        name = " ".join((item or "").split())
        text = render(name)
        while units(text) > budget and name:
            name = name[:-2] + "…" if len(name) > 3 else ""
            text = render(name)
    while units(text) > budget:
        text = text[:-1]
    return text
