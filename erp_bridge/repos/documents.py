"""Documents for customers: one file per document, shared with one or more customers
(targets), each target with its read receipt (first and last download, count, who
fetched it first). A customer sees a document until it expires; a withdrawn document
stays in the tables for the audit trail and is never returned here."""
from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

STATES = ("current", "expired")

# Sortable columns of the rep's list: request value → SQL (an allow-list).
SORTS = {
    "created_at": "d.created_at",
    "subject": "d.subject",
    "expires_at": "COALESCE(d.expires_at, d.created_at)",
}

_COLUMNS = ("d.id, d.subject, d.attachment_id, d.uploaded_by, u.display_name AS uploaded_by_name, d.created_at, "
            "d.expires_at, a.original_name, a.content_type, a.size_bytes")
_FROM = ("FROM scm_document d "
         "JOIN scm_attachment a ON a.id = d.attachment_id AND a.owner_type = 'document' AND a.owner_id = d.id "
         "LEFT JOIN scm_user u ON u.id = d.uploaded_by")


def insert(tx: Transaction, *, subject: str, uploaded_by: int | None, expires_at: dt.datetime | None) -> int:
    return tx.insert("documents.insert", subject, uploaded_by, utcnow(), expires_at)


def set_attachment(tx: Transaction, document_id: int, attachment_id: int) -> None:
    tx.execute("documents.set_attachment", attachment_id, document_id)


def add_target(tx: Transaction, document_id: int, customer_code: str) -> None:
    tx.execute("documents.insert_target", document_id, customer_code)


def get(tx: Transaction, document_id: int) -> Row | None:
    """The document with its file's metadata (for staff and for the download)."""
    return tx.one("documents.by_id", document_id)


def lock(tx: Transaction, document_id: int) -> Row | None:
    return tx.one("documents.lock_by_id", document_id)


def target(tx: Transaction, document_id: int, customer_code: str) -> Row | None:
    return tx.one("documents.target", document_id, customer_code)


def _visible_to_staff(scope: Scope, customer_code: str | None = None) -> tuple[str, list]:
    """Shared with a customer in the scope (with this customer, if given: a filter on a
    customer outside the scope finds nothing)."""
    cond, params = scope.sql("t.customer_code")
    if customer_code:
        return (f"EXISTS (SELECT 1 FROM scm_document_target t WHERE t.document_id = d.id "
                f"AND t.customer_code = ? AND {cond})", [customer_code, *params])
    return f"EXISTS (SELECT 1 FROM scm_document_target t WHERE t.document_id = d.id AND {cond})", params


def staff_allows(tx: Transaction, scope: Scope, document_id: int) -> bool:
    """Shared with at least one customer in the scope."""
    cond, params = scope.sql("t.customer_code")
    return int(tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_document_target t WHERE t.document_id = ? AND {cond}",
                             document_id, *params) or 0) > 0


def targets_outside(tx: Transaction, scope: Scope, document_id: int) -> int:
    """How many of the document's customers lie outside the scope."""
    cond, params = scope.sql("t.customer_code")
    return int(tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_document_target t WHERE t.document_id = ? "
                             f"AND NOT ({cond})", document_id, *params) or 0)


def search_staff(tx: Transaction, scope: Scope, *, now: dt.datetime, customer_code: str | None = None,
                 state: str | None = None, date_from: dt.datetime | None = None,
                 date_to: dt.datetime | None = None, sort: str = "created_at", descending: bool = True,
                 limit: int = 50, offset: int = 0) -> tuple[list[Row], int]:
    """Documents shared with a customer in the scope, one page and the total."""
    visible, params = _visible_to_staff(scope, customer_code)
    where = ["d.deleted_at IS NULL", visible]
    if state == "current":
        where.append("(d.expires_at IS NULL OR d.expires_at > ?)")
        params.append(now)
    elif state == "expired":
        where.append("d.expires_at <= ?")
        params.append(now)
    if date_from:
        where.append("d.created_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("d.created_at < ?")
        params.append(date_to)
    where_sql = " AND ".join(where)
    total = tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_document d WHERE {where_sql}", *params)
    order_by = SORTS.get(sort, SORTS["created_at"]) + (" DESC" if descending else " ASC")
    rows = tx.page_sql(f"SELECT {_COLUMNS} {_FROM} WHERE {where_sql} ORDER BY {order_by}, d.id DESC",
                       params, limit, offset)
    return rows, int(total or 0)


def targets_of(tx: Transaction, scope: Scope, document_ids: list[int]) -> list[Row]:
    """The customers of these documents that lie in the scope, with their read receipts."""
    if not document_ids:
        return []
    cond, params = scope.sql("t.customer_code")
    marks = ", ".join("?" for _ in document_ids)
    return tx.all_sql(
        f"SELECT t.document_id, t.customer_code, {{customer.name:c}} AS customer_name, "
        f"{{customer.short_name:c}} AS customer_short_name, t.first_download_at, t.last_download_at, "
        f"t.download_count, t.first_download_by, u.display_name AS first_download_by_name "
        f"FROM scm_document_target t LEFT JOIN {{customer}} c ON {{customer.code:c}} = t.customer_code "
        f"LEFT JOIN scm_user u ON u.id = t.first_download_by "
        f"WHERE t.document_id IN ({marks}) AND {cond} ORDER BY t.document_id, t.customer_code",
        *[int(i) for i in document_ids], *params)


def search_customer(tx: Transaction, customer_code: str, *, now: dt.datetime, limit: int = 50,
                    offset: int = 0) -> tuple[list[Row], int]:
    """The documents shared with this customer that have not expired, newest first."""
    total = tx.scalar("documents.customer_count", customer_code, now)
    rows = tx.page("documents.customer_page", [customer_code, now], limit, offset)
    return rows, int(total or 0)


def record_download(tx: Transaction, document_id: int, customer_code: str, user_id: int | None) -> None:
    """The read receipt: first download (when and by whom), last download, count."""
    at = utcnow()
    tx.execute("documents.record_download", at, user_id, at, document_id, customer_code)


def withdraw(tx: Transaction, document_id: int, user_id: int | None) -> bool:
    return tx.execute("documents.withdraw", utcnow(), user_id, document_id) == 1
