"""The ERP's review forms: 合同评审单 (contract_review) for sales orders and
样品制作评审单 (sample_review) for sample orders, header and lines, written through the
mapping. The ERP's own approval flow takes over from the initial status.

Writing a form takes the row lock of its counter (``scm_form_counter``) first, so the
plugin's approvals of one form kind run one after another: ids taken as the highest
plus one, ``{seq}`` numbers and allocator rows are never shared, and a rolled-back
approve hands nothing out. Ids come from the ERP (identity column), from an allocator
row of the ERP's (U8's ``UA_Identity``), or as the highest plus one (``id_source``).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from .. import dynamic
from ..connection import Row, Transaction
from ..errors import DataRejected, FormRejected, IntegrityViolation

FORM_ENTITY = {"sales": "contract_review", "sample": "sample_review"}


def _query(kind: str, what: str) -> str:
    """The named query of this kind of form (``erp_forms.sql``)."""
    if kind not in FORM_ENTITY:
        raise KeyError(kind)
    return f"erp_forms.{kind}_{what}"


def insert_form(tx: Transaction, kind: str, header: dict[str, Any], lines: list[dict[str, Any]],
                form_day: dt.date) -> tuple[int, str]:
    """Insert a review form and its lines. ``header["extra"]`` may carry physical columns
    (values from the customer card). Returns (id, form_no); raises ``FormRejected`` when
    the ERP refuses any of it (the caller's transaction then rolls everything back)."""
    entity = FORM_ENTITY[kind]
    mapping = tx.mapping
    pattern = mapping.form_no_pattern(entity)
    now = tx.db.erp_time.now()
    # The UPDATE takes the row's lock; its row count cannot say whether the row is there
    # (MariaDB counts changed rows, not matched ones), so a read does.
    tx.execute("erp_forms.lock_counter", now, entity)
    if tx.one("erp_forms.counter", entity) is None:
        tx.execute("erp_forms.add_counter", entity)  # a database older than its migration's row
    (form_id,) = _allocate_ids(tx, entity, 1)
    values = dict(header, status=mapping.value(entity, "initial_status"), id=form_id)
    placeholder = None
    if pattern.counter == "seq":
        values["form_no"] = pattern.render(form_day, _next_seq(tx, entity, pattern, form_day, now))
    elif form_id is not None:
        values["form_no"] = pattern.render(form_day, form_id)
    else:
        # The number holds the id the ERP is about to give: a unique stand-in first, no
        # longer than the real number will be.
        width = len(pattern.render(form_day, 0))
        placeholder = values["form_no"] = "~" + uuid.uuid4().hex[:max(width - 1, 8)]
    form_id = _insert(tx, entity, _fit(tx, entity, values))
    form_no = values["form_no"]
    if placeholder is not None:
        form_no = pattern.render(form_day, form_id)
        _guarded(tx, entity, {"form_no": form_no}, None,
                 lambda: tx.execute(_query(kind, "set_form_no"), form_no, form_id))
    line_entity = f"{entity}_line"
    ids = _allocate_ids(tx, line_entity, len(lines))
    for n, (line, line_id) in enumerate(zip(lines, ids), start=1):
        _insert(tx, line_entity, _fit(tx, line_entity, dict(line, id=line_id, header_id=form_id, row_no=n)), row=n)
    return form_id, form_no


def customer_card(tx: Transaction, kind: str, customer_code: str) -> dict[str, Any]:
    """The form columns the mapping copies from the customer card (``from_customer``),
    with this customer's values: form column → value (None where the card is empty)."""
    pairs = tx.mapping.entities[FORM_ENTITY[kind]].from_customer
    if not pairs:
        return {}
    stmt = dynamic.customer_card(tx.dialect, list(pairs.values()), customer_code)
    row = tx.one_sql(stmt.sql, *stmt.params) or {}
    return {col: _blank_to_none(row.get(f"c{n}")) for n, col in enumerate(pairs)}


def card_gaps(tx: Transaction, kind: str, card: dict[str, Any]) -> list[tuple[str, str]]:
    """(form column, customer card column) of every value the card lacks although the
    form's column is NOT NULL without a default: approving would be refused."""
    entity = FORM_ENTITY[kind]
    em = tx.mapping.entities[entity]
    columns = tx.db.table_columns(em.table, tx) or {}
    gaps = []
    for col, value in card.items():
        info = _find(columns, col, tx)
        if value is None and info is not None and not info.nullable and info.default is None:
            gaps.append((col, em.from_customer[col]))
    return gaps


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# Free text the plugin may shorten to the ERP column's width (a name, a note); codes and
# numbers are never cut: check-erp reports a column too narrow for them.
_CUTTABLE = ("maker", "remarks")


def _fit(tx: Transaction, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    em = tx.mapping.entities[entity]
    columns = tx.db.table_columns(em.table, tx) or {}
    out = dict(values)
    for fld in _CUTTABLE:
        info = _find(columns, em.columns[fld], tx) if fld in em.columns else None
        if isinstance(out.get(fld), str) and info is not None and info.size and info.size > 0:
            out[fld] = tx.dialect.fit_text(out[fld], info.size)
    return out


# --- ids and numbers -------------------------------------------------------------------
def _allocate_ids(tx: Transaction, entity: str, count: int) -> list[int | None]:
    """``count`` new ids of an entity, or Nones where the ERP's identity column gives them."""
    em = tx.mapping.entities[entity]
    if count == 0:
        return []
    if em.id_source == "allocator":
        update, select = dynamic.allocate_ids(tx.dialect, em.id_allocator, count)
        moved = tx.execute_sql(update.sql, *update.params)
        if moved != 1:
            raise FormRejected(entity, em.id_allocator.table, "allocator", column=em.id_allocator.value,
                               detail=f"{moved} allocator rows match {em.id_allocator.where}")
        last = int(tx.scalar_sql(select.sql, *select.params))
        return list(range(last - count + 1, last + 1))
    if em.id_source == "max_plus_one":
        # Under the counter lock taken by insert_form: no other approval reads the same max.
        stmt = dynamic.max_id(entity)
        last = int(tx.scalar_sql(stmt.sql) or 0)
        return list(range(last + 1, last + count + 1))
    return [None] * count


def _next_seq(tx: Transaction, entity: str, pattern, day: dt.date, now: dt.datetime) -> int:
    """The next ``{seq}`` of the text before it (restarting when that text changes), past
    any number the ERP's own users gave in the same series."""
    prefix = pattern.prefix(day)
    counter = tx.one("erp_forms.counter", entity)
    last = int(counter["last_value"]) if counter and counter["prefix"] == prefix else 0
    stmt = dynamic.highest_form_no(entity, prefix, pattern.digits)
    highest = tx.scalar_sql(stmt.sql, *stmt.params)
    erp_last = pattern.seq_of(highest, day) if isinstance(highest, str) else None
    seq = max(last, erp_last or 0) + 1
    if len(str(seq)) > pattern.digits:
        raise FormRejected(entity, tx.mapping.table(entity), "numbering",
                           column=tx.mapping.column(entity, "form_no"),
                           detail=f"{pattern.text} has no number left for {prefix}")
    tx.execute("erp_forms.set_counter", prefix, seq, now, entity)
    return seq


# --- writing and what the ERP says about it ---------------------------------------------
def _insert(tx: Transaction, entity: str, values: dict[str, Any], row: int | None = None) -> int | None:
    """INSERT one row of a mapped entity; the new id (given or made by the ERP)."""
    sql, params = dynamic.insert_mapped(tx.mapping, tx.dialect, entity, values)
    em = tx.mapping.entities[entity]
    if values.get("id") is not None or "id" not in em.columns:
        _guarded(tx, entity, values, row, lambda: tx.execute_sql(sql, *params))
        return values.get("id")
    return _guarded(tx, entity, values, row, lambda: tx.insert_sql(sql, *params, id_column=em.columns["id"]))


def _guarded(tx: Transaction, entity: str, values: dict[str, Any], row: int | None, run):
    try:
        return run()
    except (IntegrityViolation, DataRejected) as exc:
        raise _rejection(tx, entity, values, row, exc) from exc


_REASONS = (
    ("not_null", re.compile(r"null|default value", re.I)),
    ("foreign_key", re.compile(r"foreign key|reference", re.I)),
    ("too_long", re.compile(r"too long|truncat", re.I)),
    ("type", re.compile(r"invalid input|incorrect|conversion|converting|out of range|syntax", re.I)),
)


def _rejection(tx: Transaction, entity: str, values: dict[str, Any], row: int | None,
               exc: Exception) -> FormRejected:
    em = tx.mapping.entities[entity]
    detail = getattr(exc, "detail", "") or str(exc)
    sqlstate = getattr(exc, "sqlstate", "")
    reason = next((name for name, rx in _REASONS if rx.search(detail)),
                  "too_long" if sqlstate == "22001" else "type" if sqlstate.startswith("22") else "constraint")
    written = _written_columns(tx, entity, values)
    column = _named_column(detail, [*em.columns.values(), *written, *em.insert_defaults])
    if column is None and reason == "too_long":
        column = _too_long_column(tx, em.table, written)
    return FormRejected(entity, em.table, reason, column=column, row=row, sqlstate=sqlstate, detail=detail)


def _written_columns(tx: Transaction, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    em = tx.mapping.entities[entity]
    out = {em.columns[f]: v for f, v in values.items() if f in em.columns}
    out.update(values.get("extra") or {})
    out.update(em.insert_defaults)
    return out


def _named_column(detail: str, columns: list[str]) -> str | None:
    """The column a driver's message names (quoted, or after the table and a dot)."""
    for col in sorted(set(columns), key=len, reverse=True):
        if re.search(rf"""["'`\[.]{re.escape(col)}(["'`\]]|\b)""", detail, re.I):
            return col
    return None


def _too_long_column(tx: Transaction, table: str, written: dict[str, Any]) -> str | None:
    """PostgreSQL does not name the column a too-long value was meant for: the catalog does."""
    columns = tx.db.table_columns(table, tx) or {}
    for col, value in written.items():
        info = _find(columns, col, tx)
        if isinstance(value, str) and info is not None and info.size and len(value) > info.size:
            return col
    return None


def _find(columns: dict, name: str, tx: Transaction):
    same = tx.dialect.same_identifier
    return next((info for col, info in columns.items() if same(col, name, column=True)), None)


def field_of_column(mapping, entity: str, column: str | None) -> str | None:
    """The logical field a physical column of a form holds (None for extra columns)."""
    if column is None:
        return None
    return next((f for f, c in mapping.entities[entity].columns.items() if c.lower() == column.lower()), None)


# --- reading forms back -----------------------------------------------------------------
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

