"""Stock (functions 5 and 6): supplier figures keep their history like customer figures.

``scm_customer_stock`` / ``scm_customer_stock_history`` (customer figures kept by reps)
and ``scm_supplier_stock`` / ``scm_supplier_import`` exist since version 1. Every
imported supplier figure now leaves a history row (old → new, which import, who, when),
written in the import's transaction.
"""
from __future__ import annotations

from ..schema import BIGINT, DATETIME, ID, QUANTITY, Index, String, Table, col

VERSION = 6
DESCRIPTION = "supplier stock history"

CODE = String(30)

TABLES = [
    Table("scm_supplier_stock_history", [
        col("id", ID),
        col("supplier_code", CODE, null=False),
        col("inventory_code", CODE, null=False),
        col("old_quantity", QUANTITY),
        col("new_quantity", QUANTITY, null=False),
        col("import_id", BIGINT, null=False),
        col("changed_by", BIGINT),
        col("changed_at", DATETIME, null=False),
    ], indexes=[Index("ix_scm_ss_history", ("supplier_code", "inventory_code", "changed_at")),
                Index("ix_scm_ss_history_import", ("import_id",))]),
]


def upgrade(ops) -> None:
    for table in TABLES:
        ops.create_table(table)
    ops.create_index("scm_customer_stock_history",
                     Index("ix_scm_cs_history_changed", ("customer_code", "changed_at")))
