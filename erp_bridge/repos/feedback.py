"""Customer feedback: complaints and suggestions, replies (some of them internal notes)
and the files of both. Deleted feedback stays in the table for the audit trail and is
never returned here."""
from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

TYPES = ("complaint", "suggestion")
STATUSES = ("new", "replied", "closed")

# Sortable columns of the feedback lists: request value → SQL (an allow-list).
SORTS = {
    "created_at": "f.created_at",
    "activity": "COALESCE(f.last_reply_at, f.created_at)",
    "customer": "f.customer_code",
    "type": "f.fb_type",
    "status": "f.status",
    "subject": "f.subject",
}


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
    cond, params = scope.sql("f.customer_code")
    where = ["f.deleted_at IS NULL", cond]
    if fb_type in TYPES:
        where.append("f.fb_type = ?")
        params.append(fb_type)
    if status in STATUSES:
        where.append("f.status = ?")
        params.append(status)
    if customer_code:
        where.append("f.customer_code = ?")
        params.append(customer_code)
    if date_from:
        where.append("f.created_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("f.created_at < ?")
        params.append(date_to)
    where_sql = " AND ".join(where)
    total = tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_feedback f WHERE {where_sql}", *params)
    order_by = SORTS.get(sort, SORTS["created_at"]) + (" DESC" if descending else " ASC")
    max_internal = 0 if public_only else 1
    rows = tx.page_sql(
        f"SELECT f.id, f.customer_code, {{customer.name:c}} AS customer_name, f.fb_type, f.subject, f.status, "
        f"f.created_by, cu.display_name AS created_by_name, f.created_at, f.last_reply_at, f.closed_at, "
        f"(SELECT COUNT(*) FROM scm_feedback_reply r WHERE r.feedback_id = f.id AND r.is_internal <= ?) "
        f"AS reply_count, "
        f"(SELECT COUNT(*) FROM scm_attachment a WHERE a.owner_type = 'feedback' AND a.owner_id = f.id) "
        f"AS file_count "
        f"FROM scm_feedback f LEFT JOIN {{customer}} c ON {{customer.code:c}} = f.customer_code "
        f"LEFT JOIN scm_user cu ON cu.id = f.created_by "
        f"WHERE {where_sql} ORDER BY {order_by}, f.id DESC",
        [max_internal, *params], limit, offset)
    return rows, int(total or 0)


def status_counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    """Feedback in scope per status (the rep's list shows how many wait for an answer)."""
    cond, params = scope.sql("f.customer_code")
    rows = tx.all_sql(f"SELECT f.status, COUNT(*) AS n FROM scm_feedback f WHERE f.deleted_at IS NULL AND {cond} "
                      f"GROUP BY f.status", *params)
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
