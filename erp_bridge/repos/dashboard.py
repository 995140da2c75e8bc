"""Counts for the home page, filtered by the user's scope."""
from __future__ import annotations

from .. import dynamic
from ..connection import Transaction
from . import orders
from .scope import Scope


def counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    pending = orders.pending_counts(tx, scope)
    sql, params = dynamic.open_alarm_count(scope)
    alarms = tx.scalar_sql(sql, *params)
    return {"pending_sales": pending["sales"], "pending_sample": pending["sample"],
            "open_alarms": int(alarms or 0)}
