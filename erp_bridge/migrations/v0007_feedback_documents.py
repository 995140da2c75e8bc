"""Customer feedback and documents for customers (functions 7 and 8): the closing of a
complaint, internal notes among the replies, who withdrew a document and who fetched
it first for each customer (the read receipt)."""
from __future__ import annotations

from ..schema import BIGINT, BOOL, DATETIME, Index, col

VERSION = 7
DESCRIPTION = "feedback closing and internal notes, document withdrawal and read receipts"

TABLES: list = []


def upgrade(ops) -> None:
    ops.add_column("scm_feedback", col("closed_at", DATETIME))
    ops.add_column("scm_feedback", col("closed_by", BIGINT))
    ops.add_column("scm_feedback", col("last_reply_at", DATETIME))
    ops.add_column("scm_feedback_reply", col("is_internal", BOOL, null=False, default=0))
    ops.add_column("scm_document", col("deleted_by", BIGINT))
    ops.add_column("scm_document_target", col("first_download_by", BIGINT))
    ops.create_index("scm_feedback", Index("ix_scm_feedback_status", ("status", "created_at")))
    ops.create_index("scm_document", Index("ix_scm_document_created", ("created_at",)))
