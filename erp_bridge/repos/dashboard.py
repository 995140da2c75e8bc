"""Counts for the home page, filtered by the user's scope."""
from __future__ import annotations

from ..connection import Transaction
from .scope import Scope


def counts(tx: Transaction, scope: Scope) -> dict[str, int]:
    cond, params = scope.sql("o.customer_code")
    pending = tx.all(f"SELECT o.kind, COUNT(*) AS n FROM scm_order o "
                     f"WHERE o.status = 'pending' AND {cond} GROUP BY o.kind", *params)
    by_kind = {row["kind"]: int(row["n"]) for row in pending}
    cond, params = scope.sql("a.customer_code")
    alarms = tx.scalar(f"SELECT COUNT(*) AS n FROM scm_alarm a WHERE a.status = 'open' "
                       f"AND a.level = 'alarm' AND {cond}", *params)
    return {"pending_sales": by_kind.get("sales", 0), "pending_sample": by_kind.get("sample", 0),
            "open_alarms": int(alarms or 0)}
