"""SMS: what a batch was sent for and as, who each message went to, and the lookups of
the batch pages (history by time, a batch's messages by customer)."""
from __future__ import annotations

from ..schema import BIGINT, Column, Index, String

VERSION = 4
DESCRIPTION = "sms batch customer, reference and signature; contact names"

TABLES: list = []


def upgrade(ops) -> None:
    ops.add_column("scm_sms_batch", Column("customer_code", String(30)))   # alarms: the order's customer
    ops.add_column("scm_sms_batch", Column("ref_type", String(20)))        # e.g. alarm
    ops.add_column("scm_sms_batch", Column("ref_id", BIGINT))
    ops.add_column("scm_sms_batch", Column("signature", String(40)))       # the 【…】 block it was sent with
    ops.add_column("scm_sms_message", Column("contact_name", String(60)))
    ops.create_index("scm_sms_batch", Index("ix_scm_sms_batch_created", ("created_at",)))
    ops.create_index("scm_sms_batch", Index("ix_scm_sms_batch_ref", ("ref_type", "ref_id")))
    ops.create_index("scm_sms_message", Index("ix_scm_sms_message_customer", ("customer_code", "batch_id")))
