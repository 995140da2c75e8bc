"""Alert policies, checkpoints, alarms and checkpoint templates (plugin tables), and the
set-based evaluation of checkpoints against the ERP's progress records (``alerts.sql``).

Times: plugin columns are naive UTC; ``*_erp`` values are naive times in the ERP's own
zone. The callers convert (one function in the alert service); nothing here guesses.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from .. import dynamic
from ..connection import Row, Transaction
from ..dialects.base import parse_datetime
from . import orders
from .scope import Scope

KINDS = ("sales", "sample")
POLICY_STATES = ("none", "active", "alarm")
ALARM_STATUSES = ("open", "cancelled")
ALARM_LEVELS = ("alarm", "warning")

# Sortable columns of the policy search and the alarm list (allow-lists in dynamic.py).
SEARCH_SORTS = dynamic.POLICY_SEARCH_SORTS
ALARM_SORTS = dynamic.ALARM_SORTS

_NEVER = dt.datetime(1900, 1, 1)
_MAX_ID = 2 ** 62


# --- evaluation ------------------------------------------------------------------------
def due_ids(tx: Transaction, *, at: dt.datetime, warn_at: dt.datetime | None,
            policy_id: int | None = None) -> list[int]:
    """Ids of the pending checkpoints due at ``at`` (or, with ``warn_at``, whose warning
    window has opened), ascending; all of them or those of one policy."""
    warn = warn_at or _NEVER
    if policy_id is None:
        rows = tx.all("alerts.due_ids", at, warn)
    else:
        rows = tx.all("alerts.due_ids_of_policy", policy_id, at, warn)
    return [int(r["id"]) for r in rows]


def evaluate(tx: Transaction, *, first_id: int, last_id: int, at: dt.datetime,
             warn_at: dt.datetime | None, policy_id: int | None = None) -> list[Row]:
    """The due (or warnable) pending checkpoints with ids in [first_id, last_id]: the
    quantity each has reached by the met rule, whether that is enough (``met``), whether
    an early warning exists already (``warned``) and whether the order has a number its
    progress is reported under yet (``has_ref``: not while progress goes by contract
    number and the ERP has not numbered the form). One statement; the details of the few
    that are not met are read by ``checkpoint_details``."""
    warn = warn_at or _NEVER
    lo, hi = (policy_id, policy_id) if policy_id is not None else (0, _MAX_ID)
    sql, params = dynamic.evaluate_checkpoints(tx.mapping, first_id=first_id, last_id=last_id, policy_lo=lo,
                                               policy_hi=hi, at=at, warn=warn)
    return tx.all_sql(sql, *params)


def checkpoint_details(tx: Transaction, checkpoint_ids: Iterable[int]) -> list[Row]:
    out: list[Row] = []
    for chunk in dynamic.chunked(list(checkpoint_ids)):
        sql, params = dynamic.checkpoint_details(chunk)
        out.extend(tx.all_sql(sql, *params))
    return out


def order_of_policy(tx: Transaction, policy_id: int) -> Row | None:
    return tx.one("alerts.order_of_policy", policy_id)


def progress_by_contract_no(tx: Transaction) -> bool:
    """Whether the ERP files progress under the form's contract number (else its form number)."""
    return tx.mapping.entities["progress"].order_ref_is == "contract_no"


def progress_ref(tx: Transaction, order_id: int) -> str | None:
    """The number the ERP's progress records of an order are filed under: its form
    number, or the contract number its ERP form holds now; None while there is none."""
    sql, params = dynamic.progress_ref_of_order(tx.mapping, order_id)
    ref = tx.scalar_sql(sql, *params)
    return str(ref) if ref is not None and str(ref).strip() else None


def reached_of_policy(tx: Transaction, policy_id: int, ref: str | None) -> dict[int, Decimal]:
    """Checkpoint id → quantity reached by the met rule so far (reports up to each T),
    from the progress filed under ``ref`` (``progress_ref``; None: nothing reached)."""
    if ref is None:
        return {}
    rows = tx.all("alerts.reached_of_policy", ref, policy_id)
    return {int(r["checkpoint_id"]): Decimal(r["reached"] or 0) for r in rows}


def progress_summary(tx: Transaction, ref: str) -> list[Row]:
    """Per process step of the progress filed under ``ref``: quantity, reports, first
    and last report time."""
    rows = tx.all("alerts.progress_summary", ref)
    for r in rows:
        for key in ("first_at", "last_at"):
            if isinstance(r[key], str):  # an aggregate loses the column type on some drivers
                r[key] = parse_datetime(r[key])
    return rows


def progress_records(tx: Transaction, ref: str, limit: int = 100) -> list[Row]:
    """The latest progress records filed under ``ref``, newest first."""
    return tx.page("alerts.progress_records", [ref], limit, 0)


def mark_met(tx: Transaction, checkpoint_ids: Iterable[int], at: dt.datetime) -> int:
    """Set-based: the given pending checkpoints become met (chunks of ids)."""
    changed = 0
    for chunk in dynamic.chunked(list(checkpoint_ids)):
        sql, params = dynamic.mark_met(chunk, at)
        changed += tx.execute_sql(sql, *params)
    return changed


def mark_missed(tx: Transaction, checkpoint_id: int, at: dt.datetime) -> bool:
    """Claim a missed checkpoint for its alarm; False if another run (or an edit) got there first."""
    return tx.execute("alerts.mark_missed", at, checkpoint_id) == 1


def checkpoint_is_pending(tx: Transaction, checkpoint_id: int) -> bool:
    return int(tx.scalar("alerts.checkpoint_is_pending", checkpoint_id) or 0) > 0


# --- policies and checkpoints --------------------------------------------------------------
def policy_by_order(tx: Transaction, order_id: int) -> Row | None:
    return tx.one("alerts.policy_by_order", order_id)


def lock_policy(tx: Transaction, policy_id: int) -> Row | None:
    """The policy row, locked until the transaction ends: policy edits and alarms on
    the same order are serialised by it."""
    return tx.one("alerts.lock_policy", policy_id)


def insert_policy(tx: Transaction, order_id: int, sms_to: str, template_id: int | None, user_id: int | None,
                  at: dt.datetime) -> int:
    return tx.insert("alerts.insert_policy", order_id, sms_to, template_id, user_id, at)


def update_policy(tx: Transaction, policy_id: int, sms_to: str, template_id: int | None, user_id: int | None,
                  at: dt.datetime) -> None:
    tx.execute("alerts.update_policy", sms_to, template_id, user_id, at, policy_id)


def checkpoints_of_policy(tx: Transaction, policy_id: int) -> list[Row]:
    return tx.all("alerts.checkpoints_of_policy", policy_id)


def insert_checkpoint(tx: Transaction, policy_id: int, *, seq: int, due_at: dt.datetime, due_at_erp: dt.datetime,
                      window_start: dt.datetime, warn_from: dt.datetime, process_code: str,
                      quantity: Decimal) -> int:
    return tx.insert("alerts.insert_checkpoint", policy_id, seq, due_at, due_at_erp, window_start, warn_from,
                     process_code, quantity)


def update_checkpoint_plan(tx: Transaction, checkpoint_id: int, *, seq: int, window_start: dt.datetime,
                           warn_from: dt.datetime) -> None:
    tx.execute("alerts.update_checkpoint_plan", seq, window_start, warn_from, checkpoint_id)


def remove_checkpoint(tx: Transaction, checkpoint_id: int, at: dt.datetime) -> str:
    """Delete a checkpoint, or retire it when an alarm refers to it (history stays)."""
    if int(tx.scalar("alerts.checkpoint_alarm_count", checkpoint_id) or 0):
        tx.execute("alerts.retire_checkpoint", at, checkpoint_id)
        return "retired"
    tx.execute("alerts.delete_checkpoint", checkpoint_id)
    return "deleted"


# --- alarms --------------------------------------------------------------------------------
def open_alarm_count(tx: Transaction, order_id: int) -> int:
    """Open alarms (not warnings) of an order: while there are any, its policy is locked."""
    return int(tx.scalar("alerts.open_alarm_count", order_id) or 0)


def insert_alarm(tx: Transaction, *, checkpoint_id: int, order_id: int, customer_code: str, level: str,
                 raised_at: dt.datetime, detail: str | None, reached: Decimal) -> int:
    return tx.insert("alerts.insert_alarm", checkpoint_id, order_id, customer_code, level, raised_at, detail,
                     reached)


def has_warning(tx: Transaction, checkpoint_id: int) -> bool:
    return int(tx.scalar("alerts.warning_count", checkpoint_id) or 0) > 0


def set_alarm_sms(tx: Transaction, alarm_id: int, batch_id: int | None) -> None:
    tx.execute("alerts.set_alarm_sms", batch_id, alarm_id)


def alarm(tx: Transaction, alarm_id: int) -> Row | None:
    return tx.one("alerts.alarm_by_id", alarm_id)


def lock_alarm(tx: Transaction, alarm_id: int) -> Row | None:
    return tx.one("alerts.lock_alarm", alarm_id)


def cancel_alarm(tx: Transaction, alarm_id: int, user_id: int | None, at: dt.datetime, note: str) -> bool:
    return tx.execute("alerts.cancel_alarm", user_id, at, note, alarm_id) == 1


def alarms_of_order(tx: Transaction, order_id: int) -> list[Row]:
    return tx.all("alerts.alarms_of_order", order_id)


def list_alarms(tx: Transaction, scope: Scope, *, status: str | None = None, level: str | None = None,
                kind: str | None = None, customer_code: str | None = None, order_no: str | None = None,
                sort: str = "raised_at", descending: bool = True, limit: int = 50, offset: int = 0
                ) -> tuple[list[Row], int]:
    count, page = dynamic.alarm_list(
        scope,
        status=status if status in ALARM_STATUSES else None,
        level=level if level in ALARM_LEVELS else None,
        kind=kind if kind in KINDS else None,
        customer_code=customer_code, order_no=order_no, sort=sort, descending=descending)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


# --- the policy search ----------------------------------------------------------------------
def search_orders(tx: Transaction, scope: Scope, *, kind: str | None = None, status: str | None = None,
                  customer_code: str | None = None, order_no: str | None = None, contract_no: str | None = None,
                  customer_part_no: str | None = None, inventory_code: str | None = None,
                  date_from: dt.datetime | None = None, date_to: dt.datetime | None = None,
                  policy_state: str | None = None, sort: str = "placed_at", descending: bool = True,
                  limit: int = 50, offset: int = 0) -> tuple[list[Row], int]:
    """Orders in scope with their policy state (none / active / alarm) and open warnings."""
    where, params = orders.filter_sql(scope, kind=kind, status=status, customer_code=customer_code,
                                      order_no=order_no, contract_no=contract_no,
                                      customer_part_no=customer_part_no, inventory_code=inventory_code,
                                      date_from=date_from, date_to=date_to)
    count, page = dynamic.policy_search(where, params, policy_state=policy_state, sort=sort,
                                        descending=descending)
    total = tx.scalar_sql(count.sql, *count.params)
    rows = tx.page_sql(page.sql, page.params, limit, offset)
    return rows, int(total or 0)


# --- order data the policies need -------------------------------------------------------------
def first_line(tx: Transaction, order_id: int) -> Row | None:
    rows = tx.all("alerts.first_line", order_id)
    return rows[0] if rows else None


def order_lines_with_family(tx: Transaction, order_id: int) -> list[Row]:
    return tx.all("alerts.order_lines_with_family", order_id)


def item_families(tx: Transaction) -> list[str]:
    return [r["family"] for r in tx.all("alerts.item_families") if r["family"]]


# --- checkpoint templates ----------------------------------------------------------------------
def templates(tx: Transaction) -> list[Row]:
    return tx.all("alerts.templates_all")


def template(tx: Transaction, template_id: int) -> Row | None:
    return tx.one("alerts.template_by_id", template_id)


def insert_template(tx: Transaction, *, family: str | None, name: str, spec: str, user_id: int | None,
                    at: dt.datetime) -> int:
    return tx.insert("alerts.insert_template", family, name, spec, user_id, at)


def update_template(tx: Transaction, template_id: int, *, family: str | None, name: str, spec: str,
                    user_id: int | None, at: dt.datetime) -> bool:
    return tx.execute("alerts.update_template", family, name, spec, user_id, at, template_id) == 1


def delete_template(tx: Transaction, template_id: int) -> bool:
    return tx.execute("alerts.delete_template", template_id) == 1

