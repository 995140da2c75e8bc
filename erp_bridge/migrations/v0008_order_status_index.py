"""Pending orders per kind in the user's scope — the menu badges counted on every staff
page — read from an index instead of the whole order table.

``ix_scm_order_queue`` starts with ``kind``, so ``WHERE status = 'pending' AND <scope>
GROUP BY kind`` had no index to start from: PostgreSQL scanned all of ``scm_order`` and
MariaDB all of ``ix_scm_order_queue`` (43–48 ms per page at 200,000 orders, bench/README.md);
SQLite got by with a skip-scan. ``(status, customer_code, kind)`` answers it from the
index alone.
"""
from __future__ import annotations

from ..schema import Index

VERSION = 8
DESCRIPTION = "index for pending orders per kind (menu badges)"

TABLES: list = []


def upgrade(ops) -> None:
    ops.create_index("scm_order", Index("ix_scm_order_status", ("status", "customer_code", "kind")))
