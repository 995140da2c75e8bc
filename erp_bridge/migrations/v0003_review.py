"""Review: when each user last looked at each list (to mark what arrived since)."""
from __future__ import annotations

from ..schema import BIGINT, DATETIME, String, Table, col

VERSION = 3
DESCRIPTION = "last-seen marks per user and list"

TABLES = [
    Table("scm_user_seen", [
        col("user_id", BIGINT, null=False),
        col("view_name", String(30), null=False),
        col("seen_at", DATETIME, null=False),
    ], primary_key=("user_id", "view_name")),
]


def upgrade(ops) -> None:
    for table in TABLES:
        ops.create_table(table)
