"""A policy's SMS recipients: checked when the policy is saved, turned into what the SMS
layer takes when an alarm is raised.

Entries are ``user:<username>`` (an active rep or admin with a mobile number),
``contact:<id>`` (an ERP contact of the order's customer) or a typed phone number, which
must be one the SMS layer can send to (``scm_plugin.sms.numbers``): a number is accepted
here exactly when the alarm's SMS could go to it.
"""
from __future__ import annotations

from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import users as users_repo

from scm_plugin import sms as sms_layer
from scm_plugin.roles import STAFF
from scm_plugin.sms.numbers import normalise

MAX_RECIPIENTS = 20
# What the SMS layer calls "not a number at all" keeps this module's code; its other
# reasons (too short, no area code, foreign, PHS off, …) are reported with its own codes.
_NOT_A_NUMBER = ("phone_empty", "phone_invalid")


def check_recipients(tx, entries: list[str], customer_code: str) -> tuple[list[str], dict[str, str]]:
    """Validate SMS recipients; returns the cleaned list and per-entry errors (``sms_to.<i>``)."""
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    if len(entries) > MAX_RECIPIENTS:
        return [], {"sms_to": "alert_sms_too_many"}
    contacts = None
    phs_prefix = sms_layer.settings()["phs_prefix"]
    for i, raw in enumerate(entries):
        entry = (raw or "").strip()
        if not entry:
            continue
        if entry.startswith("user:"):
            row = users_repo.by_username(tx, entry[5:])
            if row is None or not row["active"] or row["role"] not in STAFF:
                errors[f"sms_to.{i}"] = "alert_sms_user_unknown"
            elif not row["mobile"]:
                errors[f"sms_to.{i}"] = "alert_sms_user_no_mobile"
        elif entry.startswith("contact:"):
            if contacts is None:
                contacts = {str(c["id"]): c for c in erp_repo.contacts_of_customer(tx, customer_code)}
            c = contacts.get(entry[8:].strip())
            if c is None or not (c.get("mobile") or c.get("phone")):
                errors[f"sms_to.{i}"] = "alert_sms_contact_unknown"
        else:
            refused = normalise(entry, phs_prefix).error
            if refused:
                errors[f"sms_to.{i}"] = "alert_sms_number_invalid" if refused in _NOT_A_NUMBER else refused
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
            value = row["mobile"] if row and row["active"] and row["role"] in STAFF else None
        if value and value not in out:
            out.append(value)
    return out
