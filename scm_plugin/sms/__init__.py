"""The SMS layer: used by function 9 (发送短信), the alert job and the API.

``queue_sms(tx, recipients=[...], text=..., created_by=...)`` checks the text, turns
every recipient into the number the gateway gets, and writes a batch, its messages and
one outbox row per sendable message in the caller's transaction. The outbox relay hands
the rows to ``send_sms`` (the core's channel ``sms``), which sends through the
gateway chosen by ``SCM_SMS_BACKEND``; Kannel's delivery reports move messages on to
delivered or failed (``record_report``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app

from ..erp_bridge.repos import outbox as outbox_repo
from ..erp_bridge.repos import sms as repo
from ..erp_bridge.repos.scope import Scope
from ..errors import InvalidInput
from .numbers import MOBILE, PHS, Normalised, normalise, split_numbers
from .sender import record_report, send_sms
from .text import Text, signature_block, units, unsendable
from .text import check as check_text

CONTACT_PREFIX = "contact:"
SOURCES = ("manual", "alarm")


@dataclass(frozen=True)
class Recipient:
    """One entry of a batch after resolution: a typed number or an ERP contact."""
    input: str
    normalised: Normalised
    customer_code: str | None = None
    contact_ref: str | None = None      # the ERP contact's id, as text
    contact_name: str | None = None


def settings(config=None) -> dict:
    config = config if config is not None else current_app.config
    return {"signature": signature_block(config.get("SCM_SMS_SIGNATURE")),
            "max_chars": int(config.get("SCM_SMS_MAX_CHARS") or 70),
            "phs_prefix": config.get("SCM_SMS_PHS_PREFIX"),
            "max_recipients": int(config.get("SCM_SMS_MAX_RECIPIENTS") or 500)}


def text_of(text: str | None) -> Text:
    """Check a text against the configured rules (raises ``InvalidInput``)."""
    s = settings()
    return check_text(text, signature=s["signature"], max_chars=s["max_chars"])


def contact_number(contact: dict, phs_prefix: str | None) -> Normalised:
    """A contact's number: the mobile or, failing that, the fixed-line phone."""
    label = f"{CONTACT_PREFIX}{contact['id']}"
    for raw in (contact.get("mobile"), contact.get("phone")):
        if raw and str(raw).strip():
            n = normalise(str(raw), phs_prefix)
            return Normalised(label, n.number, n.kind, n.error)
    return Normalised(label, None, None, "contact_no_number")


def resolve(tx, recipients: list[str], *, scope: Scope | None = None, phs_prefix: str | None = None,
            customer_code: str | None = None) -> list[Recipient]:
    """Every recipient → a ``Recipient``; duplicates (the same number, however typed)
    merged into the first. ``contact:<id>`` is an ERP contact; with a ``scope``, a
    contact of a customer outside it is reported exactly like a missing one."""
    prefix = phs_prefix if phs_prefix is not None else settings()["phs_prefix"]
    out: list[Recipient] = []
    seen: set[tuple[str, str]] = set()
    for raw in recipients:
        # What cannot be shown or stored (control characters, lone surrogates) is masked:
        # the entry is still reported back, as invalid.
        entry = "".join("?" if unsendable(c) else c for c in str(raw or "")).strip()
        if not entry:
            continue
        if entry.lower().startswith(CONTACT_PREFIX):
            r = _contact_recipient(tx, entry, scope, prefix)
        else:
            r = Recipient(entry[:80], normalise(entry, prefix), customer_code=customer_code)
        key = ("n", r.normalised.number) if r.normalised.number else ("i", entry.lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out


def _contact_recipient(tx, entry: str, scope: Scope | None, prefix: str | None) -> Recipient:
    ident = entry[len(CONTACT_PREFIX):].strip()
    label = f"{CONTACT_PREFIX}{ident}"[:80]
    contact = repo.contact(tx, ident)   # ids are text: a number, or a customer code (contacts on the card)
    if contact is None or (scope is not None and not scope.allows(tx, contact["customer_code"])):
        return Recipient(label, Normalised(label, None, None, "contact_unknown"))
    return Recipient(label, contact_number(contact, prefix), customer_code=contact["customer_code"],
                     contact_ref=contact["id"], contact_name=contact["name"])


def queue_sms(tx, *, recipients: list[str], text: str, created_by: int | None, source: str = "manual",
              customer_code: str | None = None, ref_type: str | None = None, ref_id: int | None = None,
              scope: Scope | None = None) -> dict:
    """Validate the text (``InvalidInput({"text": code})``: text_empty, text_too_long,
    text_brackets), normalise every recipient (invalid ones become messages with status
    "invalid" and an error code; duplicates merged), and write in the caller's
    transaction one scm_sms_batch row, one scm_sms_message row per recipient and one
    outbox row (channel "sms") per valid message.

    Recipients are numbers as typed or ``contact:<id>`` (an ERP contact: mobile, else
    phone; the id is text, e.g. ``contact:12`` or ``contact:C001`` where contacts are kept
    on the customer card). ``customer_code`` is the customer the batch is about (alarms); typed numbers
    are recorded under it. ``scope`` (optional) limits which contacts may be used.
    At least one recipient is required (``recipients_required``) and at most
    ``SCM_SMS_MAX_RECIPIENTS`` (``too_many_recipients``).

    Returns ``{"batch_id", "messages": [{"input", "number", "kind", "status", "error",
    "message_id", "customer_code", "contact_ref", "contact_name"}]}``."""
    s = settings()
    errors: dict[str, str] = {}
    try:
        checked = check_text(text, signature=s["signature"], max_chars=s["max_chars"])
    except InvalidInput as exc:
        errors.update(exc.fields)
    if len(recipients or []) > s["max_recipients"] * 2:
        errors["recipients"] = "too_many_recipients"   # before resolving thousands of contacts
        raise InvalidInput(errors)
    resolved = resolve(tx, list(recipients or []), scope=scope, phs_prefix=s["phs_prefix"],
                       customer_code=customer_code)
    if not resolved:
        errors["recipients"] = "recipients_required"
    elif len(resolved) > s["max_recipients"]:
        errors["recipients"] = "too_many_recipients"
    if errors:
        raise InvalidInput(errors)
    batch_id = repo.insert_batch(tx, text=checked.body, signature=checked.signature, created_by=created_by,
                                 source=source if source in SOURCES else "manual", customer_code=customer_code,
                                 ref_type=ref_type, ref_id=ref_id)
    out = []
    for r in resolved:
        n = r.normalised
        status = "queued" if n.ok else "invalid"
        message_id = repo.insert_message(
            tx, batch_id, input=r.input, number=n.number if n.ok else None, kind=n.kind,
            customer_code=r.customer_code, contact_ref=r.contact_ref, contact_name=r.contact_name,
            status=status, error=n.error, dlr_secret=secrets.token_urlsafe(24) if n.ok else None)
        if n.ok:
            outbox_id = outbox_repo.enqueue(
                tx, channel="sms", recipient=n.number, subject=None, body=checked.full,
                payload={"message_id": message_id, "body": checked.body, "signature": checked.signature},
                ref_type="sms_message", ref_id=message_id, customer_code=r.customer_code)
            repo.set_outbox(tx, message_id, outbox_id)
        out.append({"input": r.input, "number": n.number if n.ok else None, "kind": n.kind, "status": status,
                    "error": n.error, "message_id": message_id, "customer_code": r.customer_code,
                    "contact_ref": r.contact_ref, "contact_name": r.contact_name})
    return {"batch_id": batch_id, "messages": out}


__all__ = ["queue_sms", "send_sms", "record_report", "resolve", "text_of", "contact_number", "settings",
           "normalise", "split_numbers", "units", "MOBILE", "PHS", "Recipient"]
