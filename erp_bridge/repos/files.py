"""Attachment metadata (owner type + id, the customer it belongs to, the stored name)."""
from __future__ import annotations

from ..clock import utcnow
from ..connection import Row, Transaction


def insert(tx: Transaction, *, owner_type: str, owner_id: int | None, customer_code: str | None,
           stored, uploaded_by: int | None) -> int:
    return tx.insert("files.insert", owner_type, owner_id, customer_code, stored.storage_name,
                     stored.original_name, stored.content_type, stored.size_bytes, stored.sha256,
                     uploaded_by, utcnow())


def by_id(tx: Transaction, attachment_id: int) -> Row | None:
    return tx.one("files.by_id", attachment_id)


def adopt_draft(tx: Transaction, attachment_id: int, user_id: int, owner_type: str, owner_id: int,
                customer_code: str) -> bool:
    """Attach a file the same user uploaded with a form that failed validation."""
    return tx.execute("files.adopt_draft", owner_type, owner_id, customer_code, attachment_id, user_id) > 0


def drafts_of_user(tx: Transaction, user_id: int) -> list[Row]:
    return tx.all("files.drafts_of_user", user_id)


def of_owner(tx: Transaction, owner_type: str, owner_id: int) -> list[Row]:
    return tx.all("orders.attachments", owner_type, owner_id)


def stale_drafts(tx: Transaction, uploaded_before, limit: int) -> list[Row]:
    """Drafts (files of refused forms) nobody came back for, oldest first."""
    return tx.page("files.stale_drafts", [uploaded_before], limit, 0)


def delete_draft(tx: Transaction, attachment_id: int) -> bool:
    """False when the draft was adopted by a form in the meantime."""
    return tx.execute("files.delete_draft", attachment_id) > 0
