"""Customer feedback: complaints and suggestions, replies (some of them internal notes)
and the files of both. Deleted feedback stays in the table for the audit trail and is
never returned here."""
from __future__ import annotations

import datetime as dt

from .. import dynamic
from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

TYPES = ("complaint", "suggestion")
STATUSES = ("new", "replied", "closed")

# Sortable columns of the feedback lists (an allow-list, in dynamic.py).
SORTS = dynamic.FEEDBACK_SORTS


def insert(tx: Transaction, *, customer_code: str, fb_type: str, subject: str, body: str,
           created_by: int | None) -> int:
    return tx.insert("feedback.insert", customer_code, fb_type, subject, body, created_by, utcnow())


def get(tx: Transaction, feedback_id: int) -> Row | None:
    return tx.one("feedback.by_id", feedback_id)


def lock(tx: Transaction, feedback_id: int) -> Row | None:
    """The feedback row, locked until the transaction ends."""
    return tx.one("feedback.lock_by_id", feedback_id)


def search(tx: Transaction, scope: Scope, *, public_only: bool, fb_type: str | None = None,
           status: str | None = None, customer_code: str | None = None,
           date_from: dt.datetime | None = None, date_to: dt.datetime | None = None,
           sort: str = "created_at", descending: bool = True, limit: int = 50, offset: int = 0
           ) -> tuple[list[Row], int]:
    """Feedback in scope matching the filters, one page and the total. ``public_only``
    counts only the replies and files the customer sees."""
    count, page = dynamic.feedback_search(scope, public_only=public_only,
                                          fb_type=fb_type if fb_type in TYPES else None,
                                          status=status if status in STATUSES else None,
                                          customer_code=customer_code, date_from=date_from, date_to=date_to,
                                          sort=sort, descending=descending)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


def status_counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    """Feedback in scope per status (the rep's list shows how many wait for an answer)."""
    sql, params = dynamic.feedback_status_counts(scope)
    rows = tx.all_sql(sql, *params)
    counts = {s: 0 for s in STATUSES}
    counts.update({r["status"]: int(r["n"]) for r in rows if r["status"] in counts})
    return counts


def insert_reply(tx: Transaction, feedback_id: int, *, body: str, author_id: int | None,
                 internal: bool) -> tuple[int, dt.datetime]:
    at = utcnow()
    reply_id = tx.insert("feedback.insert_reply", feedback_id, body, author_id, at, bool(internal))
    return reply_id, at


def replies(tx: Transaction, feedback_id: int, *, public_only: bool) -> list[Row]:
    return tx.all("feedback.replies", feedback_id, 0 if public_only else 1)


def reply(tx: Transaction, reply_id: int) -> Row | None:
    return tx.one("feedback.reply_by_id", reply_id)


def mark_replied(tx: Transaction, feedback_id: int, at: dt.datetime) -> None:
    tx.execute("feedback.mark_replied", at, feedback_id)


def close(tx: Transaction, feedback_id: int, user_id: int | None) -> bool:
    return tx.execute("feedback.close", utcnow(), user_id, feedback_id) == 1


def reopen(tx: Transaction, feedback_id: int) -> bool:
    return tx.execute("feedback.reopen", feedback_id) == 1


def delete(tx: Transaction, feedback_id: int, user_id: int | None) -> bool:
    """Hidden from everyone from now on; the row stays for the audit trail."""
    return tx.execute("feedback.delete", utcnow(), user_id, feedback_id) == 1


def attachments(tx: Transaction, feedback_id: int, *, public_only: bool) -> list[Row]:
    """The files of the feedback and of its replies (``owner_type`` feedback | reply)."""
    return tx.all("feedback.attachments", feedback_id, feedback_id, 0 if public_only else 1)


def attachment(tx: Transaction, feedback_id: int, attachment_id: int, *, public_only: bool) -> Row | None:
    """One file, only when it belongs to this feedback or to one of its replies."""
    return tx.one("feedback.attachment", attachment_id, feedback_id, feedback_id, 0 if public_only else 1)
