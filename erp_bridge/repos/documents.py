"""Documents for customers: one file per document, shared with one or more customers
(targets), each target with its read receipt (first and last download, count, who
fetched it first). A customer sees a document until it expires; a withdrawn document
stays in the tables for the audit trail and is never returned here."""
from __future__ import annotations

import datetime as dt

from .. import dynamic
from ..clock import utcnow
from ..connection import Row, Transaction
from .scope import Scope

STATES = ("current", "expired")

# Sortable columns of the rep's list (an allow-list, in dynamic.py).
SORTS = dynamic.DOCUMENT_SORTS


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


def staff_allows(tx: Transaction, scope: Scope, document_id: int) -> bool:
    """Shared with at least one customer in the scope."""
    sql, params = dynamic.document_targets_in_scope(scope, document_id)
    return int(tx.scalar_sql(sql, *params) or 0) > 0


def targets_outside(tx: Transaction, scope: Scope, document_id: int) -> int:
    """How many of the document's customers lie outside the scope."""
    sql, params = dynamic.document_targets_outside(scope, document_id)
    return int(tx.scalar_sql(sql, *params) or 0)


def search_staff(tx: Transaction, scope: Scope, *, now: dt.datetime, customer_code: str | None = None,
                 state: str | None = None, date_from: dt.datetime | None = None,
                 date_to: dt.datetime | None = None, sort: str = "created_at", descending: bool = True,
                 limit: int = 50, offset: int = 0) -> tuple[list[Row], int]:
    """Documents shared with a customer in the scope, one page and the total."""
    count, page = dynamic.document_search(scope, now=now, customer_code=customer_code, state=state,
                                          date_from=date_from, date_to=date_to, sort=sort,
                                          descending=descending)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


def targets_of(tx: Transaction, scope: Scope, document_ids: list[int]) -> list[Row]:
    """The customers of these documents that lie in the scope, with their read receipts."""
    if not document_ids:
        return []
    sql, params = dynamic.document_targets(scope, [int(i) for i in document_ids])
    return tx.all_sql(sql, *params)


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
