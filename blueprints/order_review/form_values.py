"""What approve writes into the ERP's review form, decided before anything is written.

The item's name, spec, unit and master-disc number come from the ERP's item, never from
the customer's text; where the customer wrote something else, their wording is kept in
the line's remarks (``客户填写：民歌CD / 箱``) and the pre-flight shows it. The customer
part number is filled from the ERP's cross-reference when the customer ordered by our
code. Columns the mapping copies from the customer card (department, salesperson) are
read here too; a card that lacks a value the form cannot do without stops approve.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import erp_forms

# Written into the ERP, whose users read Chinese whatever the rep's UI language.
CUSTOMER_WORDING = "客户填写："
REMARKS_MAX = 255
MAKER_MAX = 40


@dataclass
class FormValues:
    header: dict[str, Any]
    lines: list[dict[str, Any]]
    card_gaps: list[tuple[str, str]]  # (form column, customer card column) the card lacks


def customer_wording(line: dict, item: dict | None, *, master_disc: bool = True) -> list[str]:
    """What the customer wrote that differs from the ERP's item (name, unit, master disc)."""
    if item is None:
        return []
    units = {v for v in (item.get("unit"), item.get("unit_code"), item.get("unit_name")) if v}
    differs = []
    if line.get("item_name") and line["item_name"].strip() != (item.get("name") or "").strip():
        differs.append(line["item_name"].strip())
    if line.get("unit") and line["unit"].strip() not in units:
        differs.append(line["unit"].strip())
    if master_disc and line.get("master_disc_no") and line["master_disc_no"].strip() != (item.get("master_disc_no") or "").strip():
        differs.append(line["master_disc_no"].strip())
    return differs


def _remarks(*parts: str | None) -> str | None:
    text = "；".join(p for p in parts if p)
    return text[:REMARKS_MAX] or None


def form_day_value(tx, kind: str, now: dt.datetime) -> dt.datetime:
    """The form date: the ERP-local time, or its midnight where the ERP keeps days only."""
    entity = erp_forms.FORM_ENTITY[kind]
    if tx.mapping.entities[entity].form_date_kind == "date":
        return dt.datetime.combine(now.date(), dt.time())
    return now


def build(tx, head: dict, lines: list[dict], maker: str) -> FormValues:
    """The header and lines approve writes for a web order."""
    now = tx.db.erp_time.now()
    card = erp_forms.customer_card(tx, head["kind"], head["customer_code"])
    header = {
        "customer_code": head["customer_code"],
        "form_date": form_day_value(tx, head["kind"], now),
        "delivery_date": head["requested_date"],
        "source_order_no": head["order_no"],
        "customer_order_no": head["customer_order_no"],
        "remarks": _remarks(head["remarks"]),
        "maker": maker[:MAKER_MAX],
        "extra": card,
    }
    codes = [line["inventory_code"] for line in lines if line["inventory_code"]]
    items = erp_repo.items(tx, codes)
    parts = erp_repo.customer_parts_of_items(tx, head["customer_code"], list(items))
    form_lines = []
    for line in lines:
        item = items.get(line["inventory_code"]) if line["inventory_code"] else None
        part_no = line["customer_part_no"] or (parts.get(item["code"]) if item is not None else None)
        wording = customer_wording(line, item)
        # An item the ERP does not know (the pre-flight shows it red): only the customer's
        # text is there to write.
        form_lines.append({
            "inventory_code": line["inventory_code"],
            "customer_part_no": part_no,
            "item_name": item["name"] if item else line["item_name"],
            "spec": item["spec"] if item else None,
            "master_disc_no": item["master_disc_no"] if item else line["master_disc_no"],
            "quantity": line["quantity"],
            "unit": item.get("unit_code", item["unit"]) if item else line["unit"],
            "delivery_date": head["requested_date"],
            "remarks": _remarks(line["remarks"],
                                CUSTOMER_WORDING + " / ".join(wording) if wording else None),
        })
    return FormValues(header, form_lines, erp_forms.card_gaps(tx, head["kind"], card))
