"""Alert policies (functions 3 and 4): what the checker needs beyond the v0001 tables.

* ``scm_checkpoint.due_at_erp``: the due time in the ERP's own time zone, computed once
  when the checkpoint is saved, so the set-based evaluation compares the ERP's local
  report times with it directly (no time-zone arithmetic in SQL);
* ``window_start`` / ``warn_from``: the start of the checkpoint's window (the previous
  checkpoint's due time, or when the policy was set) and the moment from which its
  progress rate is judged for an early warning;
* ``retired_at``: a checkpoint removed by an edit but kept because an alarm refers to it;
* ``scm_alarm.reached_qty`` / ``sms_batch_id``: what the checker found, and its SMS.
"""
from __future__ import annotations

from ..schema import BIGINT, DATETIME, QUANTITY, Column, Index

VERSION = 5
DESCRIPTION = "alert policies: ERP-local due times, warning windows, retired checkpoints, alarm results"

TABLES: list = []


def upgrade(ops) -> None:
    ops.add_column("scm_checkpoint", Column("due_at_erp", DATETIME))
    ops.add_column("scm_checkpoint", Column("window_start", DATETIME))
    ops.add_column("scm_checkpoint", Column("warn_from", DATETIME))
    ops.add_column("scm_checkpoint", Column("retired_at", DATETIME))
    ops.add_column("scm_alarm", Column("reached_qty", QUANTITY))
    ops.add_column("scm_alarm", Column("sms_batch_id", BIGINT))
    ops.create_index("scm_checkpoint", Index("ix_scm_checkpoint_warn", ("state", "warn_from")))
    ops.create_index("scm_alarm", Index("ix_scm_alarm_order", ("order_id", "status", "level")))
