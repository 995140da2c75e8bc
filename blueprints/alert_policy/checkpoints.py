"""The editor's rules for a policy's checkpoints, and the windows early warnings judge."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from scm_plugin import i18n

from .schemas import CheckpointIn


@dataclass
class Planned:
    """A checkpoint as it will be saved; ``keep_id`` when it is unchanged from the saved policy."""
    seq: int
    due_at: dt.datetime
    process_code: str
    quantity: Decimal
    keep_id: int | None = None
    window_start: dt.datetime | None = None
    warn_from: dt.datetime | None = None


def _key(due_at: dt.datetime, code: str, qty) -> tuple:
    return due_at.replace(microsecond=0), code, Decimal(qty)


def validate_checkpoints(items: list[CheckpointIn], steps: list[dict], current: list[dict],
                         now: dt.datetime, limit: int) -> tuple[list[Planned], dict[str, str]]:
    """The rules of the editor, one message per offending field (``checkpoints.<i>.<field>``):
    steps in route order, due times ascending, quantities not decreasing, and nothing new
    in the past (a checkpoint kept unchanged from the saved policy may be past)."""
    errors: dict[str, str] = {}
    if len(items) > limit:
        return [], {"checkpoints": "cp_too_many"}
    seq_of = {s["code"]: s["seq"] for s in steps}
    existing = {_key(c["due_at"], c["process_code"], c["quantity"]): c["id"] for c in current}
    planned: list[Planned] = []
    prev: Planned | None = None
    for i, item in enumerate(items):
        # Checkpoints are kept to the second: what the editor shows is what is compared.
        due = i18n.from_local(item.due_at).replace(microsecond=0)
        code = item.process_step
        p = Planned(seq=i + 1, due_at=due, process_code=code, quantity=item.quantity)
        p.keep_id = existing.pop(_key(due, code, item.quantity), None)
        if code not in seq_of:
            errors[f"checkpoints.{i}.process_step"] = "cp_step_unknown"
        elif prev is not None and prev.process_code in seq_of and seq_of[code] < seq_of[prev.process_code]:
            errors[f"checkpoints.{i}.process_step"] = "cp_step_order"
        if p.keep_id is None and due <= now:
            errors[f"checkpoints.{i}.due_at"] = "cp_due_past"
        elif prev is not None and due <= prev.due_at:
            errors[f"checkpoints.{i}.due_at"] = "cp_due_order"
        if prev is not None and item.quantity < prev.quantity:
            errors[f"checkpoints.{i}.quantity"] = "cp_qty_decreasing"
        planned.append(p)
        prev = p
    return planned, errors


def plan_windows(planned: list[Planned], first_start: dt.datetime, share: float) -> None:
    """Each checkpoint's window opens at the previous one's due time (the first at
    ``first_start``); its pace is judged from ``share`` of the window on."""
    start = first_start
    for p in planned:
        s = min(start, p.due_at)
        p.window_start = s
        p.warn_from = s + (p.due_at - s) * max(0.0, min(1.0, float(share)))
        start = p.due_at
