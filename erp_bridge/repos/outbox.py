"""The outbox table: enqueue in the caller's transaction; claim, mark and list for the relay."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .. import dynamic
from ..clock import utcnow
from ..connection import Database, Row, Transaction
from .scope import Scope


def enqueue(tx: Transaction, *, channel: str, recipient: str, subject: str | None, body: str,
            payload: dict[str, Any] | None = None, ref_type: str | None = None, ref_id: int | None = None,
            customer_code: str | None = None) -> int:
    now = utcnow()
    return tx.insert("outbox.insert", channel, recipient[:255], (subject or "")[:255] or None, body,
                     json.dumps(payload or {}, ensure_ascii=False), now, now, ref_type, ref_id, customer_code)


def claim_due(db: Database, holder: str, limit: int, reclaim_after: dt.timedelta) -> list[Row]:
    """Take up to ``limit`` due rows (pending, or stuck in sending longer than
    ``reclaim_after``) for this holder. Rows locked by another relay are skipped."""
    now = utcnow()
    stale = now - reclaim_after
    with db.transaction(write=True) as tx:
        ids = [r["id"] for r in tx.page("outbox.due_ids", [now, stale], limit, 0, skip_locked=True)]
        claimed = [i for i in ids if tx.execute("outbox.claim", now, holder, i, stale)]
        rows = [tx.one("outbox.by_id", i) for i in claimed]
    for row in rows:
        row["payload"] = json.loads(row["payload"] or "{}")
    return rows


def mark_sent(db: Database, row_id: int, holder: str) -> bool:
    with db.transaction() as tx:
        return tx.execute("outbox.mark_sent", utcnow(), row_id, holder) > 0


def mark_retry(db: Database, row_id: int, holder: str, at: dt.datetime, error: str) -> None:
    with db.transaction() as tx:
        tx.execute("outbox.mark_retry", at, error[:255], row_id, holder)


def mark_failed(db: Database, row_id: int, holder: str, error: str) -> None:
    with db.transaction() as tx:
        tx.execute("outbox.mark_failed", error[:255], row_id, holder)


def retry_failed(tx: Transaction, row_id: int) -> bool:
    return tx.execute("outbox.retry_failed", utcnow(), row_id) > 0


def of_ref(tx: Transaction, ref_type: str, ref_id: int) -> list[Row]:
    return tx.all("outbox.of_ref", ref_type, ref_id)


_STATUSES = ("pending", "sending", "sent", "failed")


def listing(tx: Transaction, scope: Scope, status: str | None, limit: int, offset: int) -> tuple[list[Row], int]:
    count, page = dynamic.outbox_listing(scope, status if status in _STATUSES else None)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


def row_in_scope(tx: Transaction, scope: Scope, row_id: int) -> Row | None:
    row = tx.one("outbox.by_id", row_id)
    if row is None or (row["customer_code"] and not scope.allows(tx, row["customer_code"])):
        return None
    return row
