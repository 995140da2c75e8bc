"""The ERP side as the mapping describes it: create the reference schema, load seed
data, and check a real ERP database (``check_erp``, in erp_check.py).

The reference schema is derived from the mapping and the logical model, so a second,
differently named ERP (another mapping file) gets the same tables under its own names.
Seed data is written in logical terms and inserted through the mapping.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
from typing import Any

from . import dynamic, errors
from .connection import Database
from .erp_check import CheckResult, Problem, check_erp  # noqa: F401  (check-erp lives there)
from .model import ENTITIES
from .schema import Column, ForeignKey, Index, String, Table

log = logging.getLogger(__name__)

# Extra lookup paths the plugin relies on; the reference schema indexes them.
_INDEXES: dict[str, list[tuple[tuple[str, ...], bool]]] = {
    "customer_contact": [(("customer_code",), False)],
    "item": [(("name",), False), (("master_disc_no",), False)],
    "customer_part": [(("inventory_code",), False)],
    "stock": [(("inventory_code",), False)],
    "contract_review": [(("form_no",), True), (("source_order_no",), True), (("contract_no",), False)],
    "sample_review": [(("form_no",), True), (("source_order_no",), True), (("contract_no",), False)],
    "contract_review_line": [(("header_id",), False), (("inventory_code",), False)],
    "sample_review_line": [(("header_id",), False), (("inventory_code",), False)],
    "progress": [(("order_ref", "process_code"), False)],
}

def mapped_entities(mapping) -> list[str]:
    """The entities this mapping has, in creation order (lines after their headers)."""
    return [name for name in ENTITIES if mapping.has(name)]


def reference_tables(db: Database) -> list[Table]:
    mapping = db.mapping
    tables = []
    for name in mapped_entities(mapping):
        entity = ENTITIES[name]
        em = mapping.entities[name]
        cols = [Column(physical, entity.fields[fld].type,
                       nullable=not (entity.fields[fld].required or fld in entity.key))
                for fld, physical in em.columns.items()]
        for extra, literal in em.insert_defaults.items():
            cols.append(Column(extra, String(60), nullable=True))
        pk = tuple(em.columns[k] for k in entity.key if k in em.columns)
        short = em.table.split(".")[-1]
        indexes = [Index(f"ix_{short}_{'_'.join(em.columns[c] for c in ix)}"[:60],
                         tuple(em.columns[c] for c in ix), unique)
                   for ix, unique in _INDEXES.get(name, []) if all(c in em.columns for c in ix)]
        fks = []
        if entity.parent:
            parent = mapping.entities[entity.parent]
            fks.append(ForeignKey((em.columns["header_id"],), parent.table, (parent.columns["id"],)))
        tables.append(Table(em.table, cols, primary_key=pk, indexes=indexes, foreign_keys=fks))
    return tables


def create_reference_schema(db: Database) -> None:
    dialect = db.dialect
    for table in reference_tables(db):
        with db.transaction() as tx:
            for stmt in dialect.create_table(table):
                tx.ddl(stmt)


def drop_reference_schema(db: Database) -> None:
    """Tests only: remove the reference ERP tables (children first)."""
    for table in reversed(reference_tables(db)):
        if db.catalog_columns(table.name) is not None:
            with db.transaction() as tx:
                tx.ddl(db.dialect.drop_table(table.name))


def has_erp_data(db: Database) -> bool:
    """Whether the configured database already holds an ERP (any mapped customer table)."""
    if db.catalog_columns(db.mapping.table("customer")) is None:
        return False
    return db.scalar("erp.customer_count") > 0


def _coerce(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return decimal.Decimal(str(value))
    if kind == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def insert_entity_rows(tx, entity_name: str, rows: list[dict[str, Any]]) -> list[int | None]:
    """Insert rows given in logical field names; returns new ids for identity tables."""
    mapping = tx.mapping
    entity = ENTITIES[entity_name]
    em = mapping.entities[entity_name]
    ids: list[int | None] = []
    for row in rows:
        unknown = set(row) - set(entity.fields)
        if unknown:
            raise errors.MappingError(f"seed {entity_name}: unknown fields {sorted(unknown)}")
        values = {fld: _coerce(value, entity.fields[fld].type.kind) for fld, value in row.items()}
        sql, params = dynamic.insert_mapped(mapping, tx.dialect, entity_name, values)
        if entity.identity and entity.identity in em.columns:  # progress may have no key of its own
            ids.append(tx.insert_sql(sql, *params, id_column=em.columns[entity.identity]))
        else:
            tx.execute_sql(sql, *params)
            ids.append(None)
    return ids


def load_seed(db: Database, seed: dict[str, Any]) -> dict[str, int]:
    """Insert seed data (logical names). Form lines refer to their header by ``form_no``."""
    counts: dict[str, int] = {}
    with db.transaction() as tx:
        header_ids: dict[tuple[str, str], int] = {}
        for name in mapped_entities(db.mapping):
            rows = seed.get(name, [])
            if ENTITIES[name].parent:
                parent = ENTITIES[name].parent
                resolved = []
                for row in rows:
                    row = dict(row)
                    row["header_id"] = header_ids[(parent, row.pop("form_no"))]
                    resolved.append(row)
                rows = resolved
            ids = insert_entity_rows(tx, name, rows)
            if name in ("contract_review", "sample_review"):
                for row, new_id in zip(rows, ids):
                    header_ids[(name, row["form_no"])] = new_id
            counts[name] = len(rows)
    return counts


def reference_seed() -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("scm_plugin.config").joinpath("erp_seed.json").read_text(encoding="utf-8"))
