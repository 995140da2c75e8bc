"""A policy's history: what the audit log keeps of saves, alarms and cancellations, and
how the policy page tells it.

The audit rows of a policy keep their facts as JSON, so the page tells them in the
reader's language; rows written as plain text (before this format) are shown as they are.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from scm_plugin import i18n

_AUDIT_DETAIL_MAX = 2000   # scm_audit.detail (audit.record cuts longer ones)


def history_detail(**facts) -> str:
    """The ``detail`` of an audit row of a policy."""
    text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    if len(text) > _AUDIT_DETAIL_MAX:
        # Long recipient lists and notes are shortened so the facts stay readable JSON.
        for key in ("sms", "checkpoints"):
            if isinstance(facts.get(key), list) and len(facts[key]) > 5:
                facts[f"{key}_more"], facts[key] = len(facts[key]) - 5, facts[key][:5]
        for key in ("note", "text"):
            if isinstance(facts.get(key), str):
                facts[key] = facts[key][:500]
        text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return text


def _listed(items: list[str], more: int | None) -> str:
    return ", ".join(items) + (f" … (+{more})" if more else "")


def _recipient_label(entry: str, contacts: dict[str, dict]) -> str:
    if entry.startswith("contact:") and entry[8:] in contacts:
        c = contacts[entry[8:]]
        return f"{c['name']} ({c.get('mobile') or c.get('phone')})"
    return entry[5:] if entry.startswith("user:") else entry


def history_text(row: dict, steps: list[dict], contacts: list[dict]) -> str:
    """One audit row of a policy, told in the current language."""
    try:
        facts = json.loads(row.get("detail") or "")
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
