"""SMS batches and messages, their delivery reports, and the ERP contacts they go to.

A batch is visible to a user when every customer among its messages (and the batch's own
customer, for alarms) is in the user's scope, and it concerns at least one customer or
the user wrote it: a rep who is not granted one of its customers does not see it at all,
and a batch of typed numbers only is its author's.
"""
from __future__ import annotations

import datetime as dt

from .. import dynamic
from ..clock import utcnow
from ..connection import Row, Transaction
from .erp import contact_ref
from .scope import Scope

STATUSES = ("queued", "invalid", "sent", "delivered", "failed")
SOURCES = ("manual", "alarm")


# --- writing ------------------------------------------------------------------------
def insert_batch(tx: Transaction, *, text: str, signature: str | None, created_by: int | None, source: str,
                 customer_code: str | None, ref_type: str | None, ref_id: int | None) -> int:
    return tx.insert("sms.insert_batch", text, signature or None, created_by, utcnow(), source[:20],
                     customer_code, ref_type, ref_id)


def insert_message(tx: Transaction, batch_id: int, *, input: str, number: str | None, kind: str | None,
                   customer_code: str | None, contact_ref: str | None, contact_name: str | None,
                   status: str, error: str | None, dlr_secret: str | None) -> int:
    return tx.insert("sms.insert_message", batch_id, input[:80], number, kind, customer_code,
                     (contact_ref or "")[:CONTACT_REF_MAX] or None,
                     (contact_name or "")[:60] or None, status, error, dlr_secret)


def set_outbox(tx: Transaction, message_id: int, outbox_id: int) -> None:
    tx.execute("sms.set_outbox", outbox_id, message_id)


def message(tx: Transaction, message_id: int) -> Row | None:
    return tx.one("sms.message_by_id", message_id)


def mark_sent(tx: Transaction, message_id: int, gateway_ref: str | None) -> bool:
    """The gateway accepted the message. False if a delivery report already moved it on."""
    if gateway_ref:
        tx.execute("sms.set_gateway_ref", gateway_ref[:64], message_id)
    return tx.execute("sms.mark_sent", utcnow(), message_id) > 0


def note_error(tx: Transaction, message_id: int, error: str) -> None:
    tx.execute("sms.note_error", error[:255], message_id)


def mark_failed(tx: Transaction, message_id: int, error: str) -> bool:
    return tx.execute("sms.mark_failed", error[:255], message_id) > 0


def report(tx: Transaction, message_id: int, outcome: str, reason: str | None = None) -> bool:
    """A delivery report: ``accepted`` (by the carrier), ``delivered`` or ``failed``."""
    if outcome == "delivered":
        return tx.execute("sms.report_delivered", utcnow(), message_id) > 0
    if outcome == "failed":
        return tx.execute("sms.report_failed", (reason or "")[:255] or None, message_id) > 0
    if outcome == "accepted":
        return tx.execute("sms.report_accepted", utcnow(), message_id) > 0
    raise ValueError(outcome)


# --- reading --------------------------------------------------------------------------
def batch_in_scope(tx: Transaction, scope: Scope, user_id: int | None, batch_id: int) -> Row | None:
    sql, params = dynamic.sms_batch_visible(scope, user_id, batch_id)
    if not tx.scalar_sql(sql, *params):
        return None
    return tx.one("sms.batch_by_id", batch_id)


def messages(tx: Transaction, batch_id: int) -> list[Row]:
    return tx.all("sms.messages_of_batch", batch_id)


def batches(tx: Transaction, scope: Scope, user_id: int | None, *, source: str | None = None,
            created_after: dt.datetime | None = None, created_before: dt.datetime | None = None,
            limit: int = 50, offset: int = 0) -> tuple[list[Row], int]:
    """One page of visible batches, newest first, with counts per message status."""
    count, page = dynamic.sms_batches(scope, user_id, source=source if source in SOURCES else None,
                                      created_after=created_after, created_before=created_before)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    counts = status_counts(tx, [r["id"] for r in rows])
    for r in rows:
        r["counts"] = counts.get(r["id"], {s: 0 for s in STATUSES})
    return rows, int(total or 0)


def status_counts(tx: Transaction, batch_ids: list[int]) -> dict[int, dict[str, int]]:
    """Messages per status for each batch. A message whose outbox row failed counts as
    failed even before its own row says so."""
    if not batch_ids:
        return {}
    sql, params = dynamic.sms_status_counts(batch_ids)
    rows = tx.all_sql(sql, *params)
    out: dict[int, dict[str, int]] = {int(i): {s: 0 for s in STATUSES} for i in batch_ids}
    for r in rows:
        out[int(r["batch_id"])][r["status"]] = int(r["n"])
    return out


# --- the ERP's contacts ------------------------------------------------------------------
CONTACT_REF_MAX = 60   # scm_sms_message.contact_ref


def contact_key(tx: Transaction, ref: str):
    """The value a contact id (text) is compared with in the ERP: the text itself where
    contacts are kept on the customer card (the id is the customer's code), else the
    whole number; None when it cannot be an id at all (the contact is unknown)."""
    ref = (ref or "").strip()
    if not ref or len(ref) > CONTACT_REF_MAX:
        return None
    em = tx.mapping.entities["customer_contact"]
    if em.columns.get("id") == em.columns.get("customer_code"):
        return ref
    if ref.isascii() and ref.isdigit() and len(ref) < 19:
        return int(ref)
    return None


def _with_ref(row: Row | None) -> Row | None:
    if row is not None:
        row["id"] = contact_ref(row["id"])
    return row


def contact(tx: Transaction, ref: str) -> Row | None:
    """One ERP contact by its id (text), with ``id`` as text; None if there is none."""
    key = contact_key(tx, ref)
    return _with_ref(tx.one("sms.contact_by_id", key)) if key is not None else None


def contacts_in_scope(tx: Transaction, scope: Scope, *, search: str | None = None,
                      customer_code: str | None = None, limit: int = 500) -> list[Row]:
    """Contacts of the customers in scope, by customer and name; ``search`` matches the
    customer's code or name or the contact's name or numbers."""
    sql, params = dynamic.sms_contacts(scope, search=search, customer_code=customer_code)
    return [_with_ref(r) for r in tx.page_sql(sql, params, limit, 0)]
