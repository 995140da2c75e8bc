"""The ERP's review forms: 合同评审单 (contract_review) for sales orders and
样品制作评审单 (sample_review) for sample orders, header and lines, written through the
mapping. The ERP's own approval flow takes over from the initial status."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from .. import dynamic
from ..connection import Row, Transaction

FORM_ENTITY = {"sales": "contract_review", "sample": "sample_review"}


def _insert(tx: Transaction, entity: str, values: dict[str, Any]) -> int | None:
    """INSERT one row of a mapped entity; returns the new id for identity tables."""
    sql, params = dynamic.insert_mapped(tx.mapping, tx.dialect, entity, values)
    em = tx.mapping.entities[entity]
    if "id" in em.columns:
        return tx.insert_sql(sql, *params, id_column=em.columns["id"])
    tx.execute_sql(sql, *params)
    return None


def _query(kind: str, what: str) -> str:
    """The named query of this kind of form (``erp_forms.sql``)."""
    if kind not in FORM_ENTITY:
        raise KeyError(kind)
    return f"erp_forms.{kind}_{what}"


def insert_form(tx: Transaction, kind: str, header: dict[str, Any], lines: list[dict[str, Any]],
                form_day: dt.date) -> tuple[int, str]:
    """Insert a review form and its lines; the form number is the mapping's prefix, the
    day and the new row's id (unique without a counter). Returns (id, form_no)."""
    entity = FORM_ENTITY[kind]
    mapping = tx.mapping
    values = dict(header)
    values["form_no"] = "TMP" + uuid.uuid4().hex[:20]
    values["status"] = mapping.value(entity, "initial_status")
    form_id = _insert(tx, entity, values)
    form_no = f"{mapping.value(entity, 'form_no_prefix') or ''}{form_day:%Y%m%d}{form_id:04d}"
    tx.execute(_query(kind, "set_form_no"), form_no, form_id)
    for n, line in enumerate(lines, start=1):
        _insert(tx, f"{entity}_line", dict(line, header_id=form_id, row_no=n))
    return form_id, form_no


def form_by_source(tx: Transaction, kind: str, source_order_no: str) -> Row | None:
    """The form made from a web order, if any (the second exactly-once guard)."""
    return tx.one(_query(kind, "by_source"), source_order_no)


def form(tx: Transaction, kind: str, form_id: int) -> Row | None:
    return tx.one(_query(kind, "by_id"), form_id)


def form_lines(tx: Transaction, kind: str, form_id: int) -> list[Row]:
    return tx.all(_query(kind, "lines"), form_id)


def sync_contract_numbers(tx: Transaction, kind: str) -> int:
    """Copy contract numbers the ERP's flow has assigned into the plugin's orders, in one
    set-based statement per kind, so orders are searchable by contract no."""
    if tx.mapping.column(FORM_ENTITY[kind], "contract_no") is None:
        return 0  # this ERP keeps no contract number on the form
    return tx.execute(_query(kind, "sync_contract_nos"), kind)
