"""What the home page counts, always within the user's customer scope."""
from __future__ import annotations

from scm_plugin.erp_bridge.repos import dashboard


def counts(db, scope) -> dict[str, int]:
    return db.read(lambda tx: dashboard.counts(tx, scope))


def customers_in_scope(db, scope) -> list[dict]:
    return db.read(lambda tx: scope.customers(tx))
