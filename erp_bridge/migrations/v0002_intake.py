"""Order intake: idempotency keys bound to their request, outbox rows scoped by customer."""
from __future__ import annotations

from ..schema import Column, Index, String

VERSION = 2
DESCRIPTION = "idempotency request hash, outbox customer"

TABLES: list = []


def upgrade(ops) -> None:
    ops.add_column("scm_idempotency", Column("request_hash", String(64)))
    ops.add_column("scm_outbox", Column("customer_code", String(30)))
    ops.create_index("scm_outbox", Index("ix_scm_outbox_customer", ("customer_code", "status")))
