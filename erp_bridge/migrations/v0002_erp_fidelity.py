"""What serving a U8-style ERP as it is needs on the plugin's side: users' ERP operator
names (written as the forms' maker), text contact ids (contacts kept on the customer
card are named by the customer's code), and the form-number counters."""
from __future__ import annotations

from ..schema import BIGINT, DATETIME, String, Table, col

VERSION = 2
DESCRIPTION = "ERP operator names, text contact ids, form-number counters"

FORM_ENTITIES = ("contract_review", "sample_review")

TABLES = [
    # One row per review form: taking its lock serialises the plugin's approvals of that
    # form, and it holds the counter of {seq} numbering (the text before the counter and
    # the last value used), moved in the approve transaction so a rollback consumes nothing.
    Table("scm_form_counter", [
        col("entity", String(40), null=False),
        col("prefix", String(60), null=False, default=""),
        col("last_value", BIGINT, null=False, default=0),
        col("updated_at", DATETIME),
    ], primary_key=("entity",)),
]


def upgrade(ops) -> None:
    ops.add_column("scm_user", col("erp_name", String(40)))
    ops.add_column("scm_sms_message", col("contact_ref", String(60)))
    for table in TABLES:
        ops.create_table(table)
    for entity in FORM_ENTITIES:
        ops.ensure_row("scm_form_counter", {"entity": entity}, {"prefix": "", "last_value": 0})
