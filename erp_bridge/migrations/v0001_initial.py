"""The plugin's own tables (``scm_`` prefix) as the first release creates them.

Nothing was released before, so the eight versions of development are this one; later
changes add versions again (``v0002_…``).
"""
from __future__ import annotations

from ..schema import (BIGINT, BOOL, DATE, DATETIME, ID, INT, QUANTITY, TEXT, ForeignKey, Index,
                      String, Table, col)

VERSION = 1
DESCRIPTION = "initial plugin tables"

CODE = String(60)        # customer / inventory / supplier codes as the ERP has them (U8: up to 60)
USER = String(80)        # usernames as recorded in history columns

TABLES = [
    # --- users, grants, tokens ------------------------------------------
    Table("scm_user", [
        col("id", ID),
        col("username", USER, null=False),
        col("display_name", String(100)),
        col("role", String(10), null=False),            # rep | admin | customer
        col("customer_code", CODE),                       # customer users: their company
        col("password_hash", String(255)),
        col("email", String(120)),
        col("mobile", String(30)),
        col("locale", String(10)),
        col("active", BOOL, null=False, default=1),
        col("failed_logins", INT, null=False, default=0),
        col("locked_until", DATETIME),
        col("last_login_at", DATETIME),
        col("created_at", DATETIME, null=False),
    ], indexes=[Index("ux_scm_user_username", ("username",), unique=True)]),
    Table("scm_grant", [
        col("id", ID),
        col("user_id", BIGINT, null=False),
        col("customer_code", CODE, null=False),           # "*" = every customer
        col("valid_until", DATE),                          # vacation cover ends after this day
        col("granted_by", USER),
        col("created_at", DATETIME, null=False),
    ], indexes=[Index("ux_scm_grant_user_customer", ("user_id", "customer_code"), unique=True),
                Index("ix_scm_grant_customer", ("customer_code",))],
       foreign_keys=[ForeignKey(("user_id",), "scm_user", ("id",))]),
    Table("scm_api_token", [
        col("id", ID),
        col("user_id", BIGINT, null=False),
        col("token_hash", String(64), null=False),
        col("name", String(80)),
        col("created_at", DATETIME, null=False),
        col("last_used_at", DATETIME),
        col("revoked_at", DATETIME),
    ], indexes=[Index("ux_scm_api_token_hash", ("token_hash",), unique=True)],
       foreign_keys=[ForeignKey(("user_id",), "scm_user", ("id",))]),
    Table("scm_customer_pref", [
        col("customer_code", CODE, null=False),
        col("notify_reps", BOOL, null=False, default=1),  # mail reps when an order is placed
        col("updated_by", USER),
        col("updated_at", DATETIME),
    ], primary_key=("customer_code",)),

    # --- web orders (sales and sample: one table, a kind) -----------------
    Table("scm_order", [
        col("id", ID),
        col("order_no", CODE, null=False),
        col("kind", String(10), null=False),              # sales | sample
        col("customer_code", CODE, null=False),
        col("status", String(12), null=False),            # pending | approved | rejected
        col("customer_order_no", String(40)),
        col("requested_date", DATE),
        col("remarks", TEXT),
        col("placed_by", BIGINT),
        col("placed_at", DATETIME, null=False),
        col("reviewed_by", BIGINT),
        col("reviewed_at", DATETIME),
        col("reject_reason", TEXT),
        col("erp_form_id", BIGINT),
        col("erp_form_no", CODE),
        col("contract_no", CODE),
        col("copied_from", BIGINT),                       # re-placed from a rejected order
    ], indexes=[Index("ux_scm_order_no", ("order_no",), unique=True),
                Index("ix_scm_order_queue", ("kind", "status", "customer_code", "placed_at")),
                Index("ix_scm_order_customer", ("customer_code", "placed_at")),
                Index("ix_scm_order_contract", ("contract_no",)),
                # pending orders per kind in a scope (the menu badges on every staff page)
                Index("ix_scm_order_status", ("status", "customer_code", "kind"))]),
    Table("scm_order_line", [
        col("id", ID),
        col("order_id", BIGINT, null=False),
        col("line_no", INT, null=False),
        col("inventory_code", CODE),
        col("customer_part_no", CODE),
        col("item_name", String(100)),
        col("master_disc_no", CODE),
        col("quantity", QUANTITY, null=False),
        col("unit", String(20)),
        col("remarks", String(255)),
    ], indexes=[Index("ux_scm_order_line", ("order_id", "line_no"), unique=True),
                Index("ix_scm_order_line_inv", ("inventory_code",)),
                Index("ix_scm_order_line_part", ("customer_part_no",))],
       foreign_keys=[ForeignKey(("order_id",), "scm_order", ("id",))]),
    Table("scm_idempotency", [
        col("user_id", BIGINT, null=False),
        col("idem_key", String(80), null=False),
        col("order_id", BIGINT, null=False),
        col("created_at", DATETIME, null=False),
        col("request_hash", String(64)),                  # the request the key was first used for
    ], primary_key=("user_id", "idem_key")),
    Table("scm_user_seen", [                              # when each user last looked at each list
        col("user_id", BIGINT, null=False),
        col("view_name", String(30), null=False),
        col("seen_at", DATETIME, null=False),
    ], primary_key=("user_id", "view_name")),

    # --- files ---------------------------------------------------------------
    Table("scm_attachment", [
        col("id", ID),
        col("owner_type", String(20), null=False),        # order | feedback | reply | document
        col("owner_id", BIGINT),
        col("customer_code", CODE),
        col("storage_name", String(64), null=False),
        col("original_name", String(255), null=False),
        col("content_type", String(100), null=False),
        col("size_bytes", BIGINT, null=False),
        col("sha256", String(64), null=False),
        col("uploaded_by", BIGINT),
        col("uploaded_at", DATETIME, null=False),
    ], indexes=[Index("ix_scm_attachment_owner", ("owner_type", "owner_id")),
                Index("ux_scm_attachment_storage", ("storage_name",), unique=True)]),

    # --- alert policies --------------------------------------------------------
    Table("scm_alert_policy", [
        col("id", ID),
        col("order_id", BIGINT, null=False),
        col("sms_to", TEXT),                               # JSON list of numbers / contact refs
        col("template_id", BIGINT),
        col("updated_by", BIGINT),
        col("updated_at", DATETIME, null=False),
    ], indexes=[Index("ux_scm_alert_policy_order", ("order_id",), unique=True)],
       foreign_keys=[ForeignKey(("order_id",), "scm_order", ("id",))]),
    Table("scm_checkpoint", [
        col("id", ID),
        col("policy_id", BIGINT, null=False),
        col("seq", INT, null=False),
        col("due_at", DATETIME, null=False),
        col("process_code", String(10), null=False),
        col("quantity", QUANTITY, null=False),
        col("state", String(10), null=False, default="pending"),  # pending | met | missed
        col("evaluated_at", DATETIME),
        col("due_at_erp", DATETIME),                       # due_at in the ERP's own zone (set-based checks)
        col("window_start", DATETIME),                     # the previous checkpoint's due time, or the policy's
        col("warn_from", DATETIME),                        # from here its progress rate is judged
        col("retired_at", DATETIME),                       # removed by an edit, kept for its alarm
    ], indexes=[Index("ix_scm_checkpoint_due", ("state", "due_at")),
                Index("ix_scm_checkpoint_policy", ("policy_id", "seq")),
                Index("ix_scm_checkpoint_warn", ("state", "warn_from"))],
       foreign_keys=[ForeignKey(("policy_id",), "scm_alert_policy", ("id",))]),
    Table("scm_alarm", [
        col("id", ID),
        col("checkpoint_id", BIGINT, null=False),
        col("order_id", BIGINT, null=False),
        col("customer_code", CODE, null=False),
        col("level", String(10), null=False),             # alarm | warning
        col("status", String(10), null=False),            # open | cancelled
        col("raised_at", DATETIME, null=False),
        col("detail", TEXT),
        col("cancelled_by", BIGINT),
        col("cancelled_at", DATETIME),
        col("cancel_note", TEXT),
        col("reached_qty", QUANTITY),                      # what the checker found
        col("sms_batch_id", BIGINT),
    ], indexes=[Index("ux_scm_alarm_checkpoint_level", ("checkpoint_id", "level"), unique=True),
                Index("ix_scm_alarm_status", ("status", "customer_code")),
                Index("ix_scm_alarm_order", ("order_id", "status", "level"))]),
    Table("scm_checkpoint_template", [
        col("id", ID),
        col("family", String(20)),
        col("name", String(100), null=False),
        col("spec", TEXT, null=False),                     # JSON: [{step, days_before, share}]
        col("updated_by", BIGINT),
        col("updated_at", DATETIME, null=False),
    ]),

    # --- stock kept in this system ----------------------------------------------
    Table("scm_customer_stock", [
        col("id", ID),
        col("customer_code", CODE, null=False),
        col("inventory_code", CODE, null=False),
        col("quantity", QUANTITY, null=False),
        col("remarks", String(255)),
        col("updated_by", BIGINT),
        col("updated_at", DATETIME, null=False),
    ], indexes=[Index("ux_scm_customer_stock", ("customer_code", "inventory_code"), unique=True),
                Index("ix_scm_customer_stock_inv", ("inventory_code",))]),
    Table("scm_customer_stock_history", [
        col("id", ID),
        col("customer_code", CODE, null=False),
        col("inventory_code", CODE, null=False),
        col("old_quantity", QUANTITY),
        col("new_quantity", QUANTITY, null=False),
        col("remarks", String(255)),
        col("changed_by", BIGINT),
        col("changed_at", DATETIME, null=False),
    ], indexes=[Index("ix_scm_cs_history", ("customer_code", "inventory_code", "changed_at")),
                Index("ix_scm_cs_history_changed", ("customer_code", "changed_at"))]),
    Table("scm_supplier_stock", [
        col("id", ID),
        col("supplier_code", CODE, null=False),
        col("inventory_code", CODE, null=False),
        col("quantity", QUANTITY, null=False),
        col("import_id", BIGINT),
        col("updated_at", DATETIME, null=False),
    ], indexes=[Index("ux_scm_supplier_stock", ("supplier_code", "inventory_code"), unique=True),
                Index("ix_scm_supplier_stock_inv", ("inventory_code",))]),
    Table("scm_supplier_import", [
        col("id", ID),
        col("filename", String(255)),
        col("row_count", INT, null=False),
        col("imported_by", BIGINT),
        col("imported_at", DATETIME, null=False),
    ]),
    Table("scm_supplier_stock_history", [                # every imported figure: old → new, which import
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

    # --- feedback and documents ---------------------------------------------------
    Table("scm_feedback", [
        col("id", ID),
        col("customer_code", CODE, null=False),
        col("fb_type", String(12), null=False),           # complaint | suggestion
        col("subject", String(200), null=False),
        col("body", TEXT, null=False),
        col("status", String(10), null=False),            # new | replied | closed
        col("created_by", BIGINT),
        col("created_at", DATETIME, null=False),
        col("deleted_at", DATETIME),
        col("deleted_by", BIGINT),
        col("closed_at", DATETIME),
        col("closed_by", BIGINT),
        col("last_reply_at", DATETIME),
    ], indexes=[Index("ix_scm_feedback_customer", ("customer_code", "created_at")),
                Index("ix_scm_feedback_status", ("status", "created_at"))]),
    Table("scm_feedback_reply", [
        col("id", ID),
        col("feedback_id", BIGINT, null=False),
        col("body", TEXT, null=False),
        col("author_id", BIGINT),
        col("created_at", DATETIME, null=False),
        col("is_internal", BOOL, null=False, default=0),  # a note among staff, never shown to the customer
    ], indexes=[Index("ix_scm_feedback_reply", ("feedback_id",))],
       foreign_keys=[ForeignKey(("feedback_id",), "scm_feedback", ("id",))]),
    Table("scm_document", [
        col("id", ID),
        col("subject", String(200), null=False),
        col("attachment_id", BIGINT),
        col("uploaded_by", BIGINT),
        col("created_at", DATETIME, null=False),
        col("expires_at", DATETIME),
        col("deleted_at", DATETIME),
        col("deleted_by", BIGINT),                         # who withdrew it
    ], indexes=[Index("ix_scm_document_created", ("created_at",))]),
    Table("scm_document_target", [
        col("id", ID),
        col("document_id", BIGINT, null=False),
        col("customer_code", CODE, null=False),
        col("first_download_at", DATETIME),
        col("last_download_at", DATETIME),
        col("download_count", INT, null=False, default=0),
        col("first_download_by", BIGINT),                  # the read receipt: who fetched it first
    ], indexes=[Index("ux_scm_document_target", ("document_id", "customer_code"), unique=True),
                Index("ix_scm_document_target_customer", ("customer_code",))],
       foreign_keys=[ForeignKey(("document_id",), "scm_document", ("id",))]),

    # --- SMS and the outbox --------------------------------------------------------
    Table("scm_sms_batch", [
        col("id", ID),
        col("text", String(500), null=False),
        col("created_by", BIGINT),
        col("created_at", DATETIME, null=False),
        col("source", String(20), null=False, default="manual"),  # manual | alarm
        col("customer_code", CODE),                       # alarms: the order's customer
        col("ref_type", String(20)),                      # e.g. alarm
        col("ref_id", BIGINT),
        col("signature", String(40)),                     # the 【…】 block it was sent with
    ], indexes=[Index("ix_scm_sms_batch_created", ("created_at",)),
                Index("ix_scm_sms_batch_ref", ("ref_type", "ref_id"))]),
    Table("scm_sms_message", [
        col("id", ID),
        col("batch_id", BIGINT, null=False),
        col("input", String(80), null=False),
        col("number", String(30)),
        col("kind", String(10)),                           # mobile | phs
        col("customer_code", CODE),
        col("contact_id", BIGINT),
        col("status", String(12), null=False),            # queued | invalid | sent | delivered | failed
        col("error", String(255)),
        col("gateway_ref", String(64)),
        col("dlr_secret", String(64)),
        col("outbox_id", BIGINT),
        col("sent_at", DATETIME),
        col("delivered_at", DATETIME),
        col("contact_name", String(60)),
    ], indexes=[Index("ix_scm_sms_message_batch", ("batch_id",)),
                Index("ix_scm_sms_message_customer", ("customer_code", "batch_id"))],
       foreign_keys=[ForeignKey(("batch_id",), "scm_sms_batch", ("id",))]),
    Table("scm_outbox", [
        col("id", ID),
        col("channel", String(10), null=False),           # mail | sms
        col("recipient", String(255), null=False),
        col("subject", String(255)),
        col("body", TEXT, null=False),
        col("payload", TEXT),                              # JSON: html body, refs, attachments
        col("status", String(10), null=False),            # pending | sending | sent | failed
        col("attempts", INT, null=False, default=0),
        col("next_attempt_at", DATETIME, null=False),
        col("claimed_at", DATETIME),
        col("claimed_by", String(80)),
        col("last_error", String(255)),
        col("created_at", DATETIME, null=False),
        col("sent_at", DATETIME),
        col("ref_type", String(20)),
        col("ref_id", BIGINT),
        col("customer_code", CODE),                       # whose rows a scoped user may list
    ], indexes=[Index("ix_scm_outbox_due", ("status", "next_attempt_at")),
                Index("ix_scm_outbox_customer", ("customer_code", "status"))]),

    # --- audit and scheduling --------------------------------------------------------
    Table("scm_audit", [
        col("id", ID),
        col("at", DATETIME, null=False),
        col("actor", USER),
        col("action", String(40), null=False),
        col("object_type", String(30)),
        col("object_id", String(60)),
        col("customer_code", CODE),
        col("ip", String(45)),
        col("detail", TEXT),
    ], indexes=[Index("ix_scm_audit_object", ("object_type", "object_id")),
                Index("ix_scm_audit_at", ("at",))]),
    Table("scm_lease", [
        col("name", String(40), null=False),
        col("holder", String(80)),
        col("expires_at", DATETIME),
    ], primary_key=("name",)),
]


def upgrade(ops) -> None:
    for table in TABLES:
        ops.create_table(table)
