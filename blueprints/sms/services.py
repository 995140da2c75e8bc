"""Function 9 (发送短信): bulk SMS to the contacts of a rep's customers and typed numbers.

Plain functions over the database, the user and their scope; the pages and the API
share them. A rep only ever sees, picks or sends to contacts of customers in their
scope; a contact id from elsewhere is reported like a missing one. A batch is shown
only to users whose scope covers every customer in it (``repos.sms``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import sms as repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import audit, sms
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.messages import has_message, message

FINAL = ("delivered", "failed", "invalid")
MAX_ID = 2**63 - 1          # ids in URLs beyond BIGINT are simply not found


def contact_ids(values) -> list[str]:
    """Contact ids from a form (checkbox values), as text: a number, or a customer code
    where the ERP keeps contacts on the customer card. Empty and overlong values are
    dropped; anything else is looked up (and reported ``contact_unknown`` if unknown)."""
    out: list[str] = []
    for v in values or ():
        v = str(v).strip()
        if v and len(v) <= repo.CONTACT_REF_MAX and v.isprintable() and v not in out:
            out.append(v)
    return out


def recipients_of(contacts: list[str], numbers: str | list[str] | None) -> list[str]:
    typed = sms.split_numbers(numbers) if isinstance(numbers, str) else [n for n in (numbers or []) if n]
    return [f"{sms.CONTACT_PREFIX}{i}" for i in contacts] + typed


# --- the compose page -----------------------------------------------------------------------
@dataclass
class CustomerContacts:
    code: str
    name: str
    contacts: list[dict] = field(default_factory=list)


def contacts(db: Database, scope: Scope, *, search: str | None = None, limit: int | None = None
             ) -> tuple[list[CustomerContacts], bool]:
    """The contacts of the customers in scope, grouped by customer, each with the number
    it would be sent to; and whether the list was cut at ``limit``."""
    limit = limit or int(current_app.config.get("SCM_SMS_CONTACTS_LIMIT", 500))
    prefix = sms.settings()["phs_prefix"]
    rows = db.read(lambda tx: repo.contacts_in_scope(tx, scope, search=(search or "").strip()[:40] or None,
                                                     limit=limit + 1))
    cut = len(rows) > limit
    groups: dict[str, CustomerContacts] = {}
    for row in rows[:limit]:
        group = groups.setdefault(row["customer_code"], CustomerContacts(
            row["customer_code"], row["customer_short_name"] or row["customer_name"] or row["customer_code"]))
        n = sms.contact_number(row, prefix)
        group.contacts.append(dict(row, number=n.number, kind=n.kind, error=n.error))
    return list(groups.values()), cut


def preview(db: Database, scope: Scope, recipients: list[str]) -> list[sms.Recipient]:
    """Every recipient as it would be sent (nothing is written)."""
    return db.read(lambda tx: sms.resolve(tx, recipients, scope=scope))


# --- sending ----------------------------------------------------------------------------------
def send(db: Database, user, scope: Scope, *, text: str, recipients: list[str]) -> dict:
    """Queue one batch; the result of ``queue_sms``. Nothing is written when the text is
    wrong or no recipient can receive SMS (``no_valid_recipients``)."""
    with db.transaction() as tx:
        result = sms.queue_sms(tx, recipients=recipients, text=text, created_by=user.id, source="manual",
                               scope=scope)
        queued = sum(1 for m in result["messages"] if m["status"] == "queued")
        if not queued:
            raise InvalidInput({"recipients": "no_valid_recipients"})
        customers = sorted({m["customer_code"] for m in result["messages"] if m["customer_code"]})
        audit.record(tx, "sms.send", "sms_batch", result["batch_id"],
                     customer_code=customers[0] if len(customers) == 1 else None,
                     detail=f"{queued} of {len(result['messages'])} recipients; customers {', '.join(customers) or '-'}")
    return result


# --- reading ------------------------------------------------------------------------------------
def reason(error: str | None) -> str:
    """A stored error: our message code → text in the user's language; the gateway's own
    words are shown as they came."""
    if not error:
        return ""
    return message(error) if has_message(error) else error


def _effective(m: dict) -> dict:
    status, error = m["status"], m["error"]
    if status == "queued" and m.get("outbox_status") == "failed":
        status, error = "failed", m.get("outbox_error") or error
    return dict(m, status=status, error=error, reason=reason(error),
                retrying=status == "queued" and bool(error))


def batch(db: Database, user, scope: Scope, batch_id: int) -> dict:
    """A batch with every message's status; NotFound if missing or outside the scope."""
    if not 0 < batch_id <= MAX_ID:
        raise NotFound("sms_batch")

    def read(tx):
        head = repo.batch_in_scope(tx, scope, user.id if user else None, batch_id)
        if head is None:
            raise NotFound("sms_batch")
        head["messages"] = [_effective(m) for m in repo.messages(tx, batch_id)]
        return head
    head = db.read(read)
    counts = {s: 0 for s in repo.STATUSES}
    for m in head["messages"]:
        counts[m["status"]] += 1
    total = len(head["messages"])
    head["counts"] = counts
    head["total"] = total
    head["percent"] = {s: (100.0 * n / total if total else 0.0) for s, n in counts.items()}
    wait = dt.timedelta(minutes=int(current_app.config.get("SCM_SMS_REPORT_WAIT_MINUTES", 30)))
    head["finished"] = counts["queued"] == 0 and (counts["sent"] == 0 or utcnow() - head["created_at"] > wait)
    return head


def batches(db: Database, user, scope: Scope, *, source: str | None = None, page: int = 1,
            per_page: int = 50) -> tuple[list[dict], int]:
    return db.read(lambda tx: repo.batches(tx, scope, user.id if user else None, source=source,
                                           limit=per_page, offset=(page - 1) * per_page))
