"""Counts for the home page, filtered by the user's scope."""
from __future__ import annotations

from ..connection import Transaction
from . import orders
from .scope import Scope


def counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    pending = orders.pending_counts(tx, scope)
    cond, params = scope.sql("a.customer_code")
    alarms = tx.scalar_sql(f"SELECT COUNT(*) AS n FROM scm_alarm a WHERE a.status = 'open' "
                           f"AND a.level = 'alarm' AND {cond}", *params)
    return {"pending_sales": pending["sales"], "pending_sample": pending["sample"],
            "open_alarms": int(alarms or 0)}
