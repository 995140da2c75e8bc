"""Checkpoint templates: per product family, kept by admins, applied to an order's
requested date and quantity to prefill its policy."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from flask import current_app
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import alerts as repo

from scm_plugin import audit
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.quantities import parse_quantity, plain

from .steps import process_steps


@dataclass
class TemplateRow:
    step: str
    days_before: int
    share: Decimal | None = None      # of the order quantity
    quantity: Decimal | None = None   # absolute (e.g. 1 master disc)

    def amount_text(self) -> str:
        if self.share is not None:
            return f"{plain(self.share * 100)}%"
        return plain(self.quantity)


def template_row(t: dict) -> dict:
    """A stored template with its rows read from the JSON spec."""
    rows = []
    for r in json.loads(t["spec"] or "[]"):
        rows.append(TemplateRow(step=r["step"], days_before=int(r["days_before"]),
                                share=Decimal(r["share"]) if r.get("share") is not None else None,
                                quantity=Decimal(r["quantity"]) if r.get("quantity") is not None else None))
    return dict(t, rows=rows)


def templates(db: Database) -> list[dict]:
    return [template_row(t) for t in db.read(repo.templates)]


def get_template(db: Database, template_id: int) -> dict:
    t = db.read(lambda tx: repo.template(tx, template_id))
    if t is None:
        raise NotFound("template")
    return template_row(t)


def parse_amount(text: str) -> tuple[Decimal | None, Decimal | None]:
    """"50%" → share 0.5; "1" → quantity 1. Raises ValueError."""
    raw = (text or "").strip().replace("％", "%")
    if raw.endswith("%"):
        share = Decimal(raw[:-1].strip()) / 100
        if not share.is_finite() or share <= 0 or share > 2:
            raise ValueError
        return share, None
    return None, parse_quantity(raw)


def save_template(db: Database, user, template_id: int | None, *, name: str, family: str | None,
                  rows: list[dict]) -> int:
    """Validate and store a template; ``rows`` are {step, days_before, amount} as typed."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    family = (family or "").strip() or None
    if not name:
        errors["name"] = "tpl_name_required"
    elif len(name) > 100:
        errors["name"] = "too_long"
    if family and len(family) > 20:
        errors["family"] = "too_long"
    steps = db.read(process_steps)
    seq_of = {s["code"]: s["seq"] for s in steps}
    parsed: list[TemplateRow] = []
    if not rows:
        errors["rows"] = "tpl_rows_required"
    for i, r in enumerate(rows):
        step = (r.get("step") or "").strip()
        if step not in seq_of:
            errors[f"rows.{i}.step"] = "cp_step_unknown"
        elif parsed and parsed[-1].step in seq_of and seq_of[step] < seq_of[parsed[-1].step]:
            errors[f"rows.{i}.step"] = "cp_step_order"
        try:
            days = int(str(r.get("days_before", "")).strip())
            if not 0 <= days <= 365:
                raise ValueError
        except ValueError:
            errors[f"rows.{i}.days_before"] = "tpl_days_invalid"
            days = -1
        if parsed and days >= 0 and days >= parsed[-1].days_before >= 0:
            errors[f"rows.{i}.days_before"] = "tpl_days_order"
        try:
            share, qty = parse_amount(str(r.get("amount", "")))
        except (ValueError, InvalidOperation, ArithmeticError):
            errors[f"rows.{i}.amount"] = "tpl_amount_invalid"
            share, qty = None, None
        prev = parsed[-1] if parsed else None
        if prev is not None and share is not None and prev.share is not None and share < prev.share:
            errors[f"rows.{i}.amount"] = "cp_qty_decreasing"
        if prev is not None and qty is not None and prev.quantity is not None and qty < prev.quantity:
            errors[f"rows.{i}.amount"] = "cp_qty_decreasing"
        parsed.append(TemplateRow(step=step, days_before=days, share=share, quantity=qty))
    if len(rows) > 20:
        errors["rows"] = "cp_too_many"
    if errors:
        raise InvalidInput(errors)
    spec = json.dumps([{k: v for k, v in (("step", r.step), ("days_before", r.days_before),
                                          ("share", str(r.share) if r.share is not None else None),
                                          ("quantity", str(r.quantity) if r.quantity is not None else None))
                        if v is not None} for r in parsed], ensure_ascii=False)
    with db.transaction(write=True) as tx:
        if template_id is None:
            template_id = repo.insert_template(tx, family=family, name=name, spec=spec, user_id=user.id, at=utcnow())
            action = "template.create"
        else:
            if not repo.update_template(tx, template_id, family=family, name=name, spec=spec, user_id=user.id,
                                        at=utcnow()):
                raise NotFound("template")
            action = "template.update"
        audit.record(tx, action, "checkpoint_template", template_id, detail=f"{name} [{family or '*'}]: {spec}")
    return template_id


def delete_template(db: Database, user, template_id: int) -> None:
    with db.transaction(write=True) as tx:
        t = repo.template(tx, template_id)
        if t is None or not repo.delete_template(tx, template_id):
            raise NotFound("template")
        audit.record(tx, "template.delete", "checkpoint_template", template_id, detail=t["name"])


def item_families(db: Database) -> list[str]:
    return db.read(repo.item_families)


def prefill(template: dict, order: dict, lines: list[dict]) -> list[dict]:
    """Checkpoints from a template: due at ``SCM_ALERT_DUE_TIME`` N days before the
    requested date (SCM_TIMEZONE), quantities as given or as a share of the order
    quantity of the template's family (rounded up to whole pieces)."""
    cfg = current_app.config
    hh, mm = (int(x) for x in str(cfg.get("SCM_ALERT_DUE_TIME", "18:00")).split(":")[:2])
    requested = order.get("requested_date")
    family_lines = [l for l in lines if template["family"] and l["family"] == template["family"]]
    base = sum((Decimal(l["quantity"]) for l in family_lines), Decimal(0)) if family_lines else \
        (Decimal(lines[0]["quantity"]) if lines else Decimal(0))
    out = []
    for r in template["rows"]:
        due_local = None
        if requested:
            day = requested - dt.timedelta(days=r.days_before)
            due_local = dt.datetime.combine(day, dt.time(hh, mm))
        qty = r.quantity if r.quantity is not None else \
            (r.share * base).quantize(Decimal(1), rounding=ROUND_CEILING)
        out.append({"due_local": due_local, "process_step": r.step, "quantity": plain(qty) if qty else ""})
    return out
