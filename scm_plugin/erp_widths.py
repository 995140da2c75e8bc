"""How long a code may be: the width of the ERP's columns, read from its catalog.

Inventory codes, customer part numbers and the other codes a user types are accepted up
to the width of every column they are looked up in or written to — the ERP's (the item
table, the review forms' lines …) and the plugin's own (``scm_order_line``, …) — so that
a code longer than the ERP keeps is refused with the limit named, before it reaches the
ERP. A column whose width the catalog does not give (an unmapped optional field, a
``TEXT`` column, a table not there yet) does not count; with none known the limit is
``FALLBACK`` (60, U8's ``cInvCode``).

The widths are read once per app, lazily on first use (the database may be down when
the app starts), and kept on the extension state (``erp_widths(app)``); a read that
fails is not kept, so the next use tries again. Schemas declare a checked field with
``Annotated[str, ErpWidth("inventory_code")]``: it refuses a longer value with the
message code ``code_too_long`` naming the limit, and the OpenAPI document shows the
limit as ``maxLength``.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from flask import current_app, has_app_context
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from .erp_bridge import BridgeError, Database

log = logging.getLogger(__name__)

FALLBACK = 60

# Each kind of code → the mapped ERP columns (entity, field) and the plugin's own columns
# (table, column) it must fit.
SOURCES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "inventory_code": (
        (("item", "code"), ("customer_part", "inventory_code"), ("contract_review_line", "inventory_code"),
         ("sample_review_line", "inventory_code")),
        (("scm_order_line", "inventory_code"), ("scm_customer_stock", "inventory_code"))),
    "customer_part_no": (
        (("customer_part", "part_no"), ("contract_review_line", "customer_part_no"),
         ("sample_review_line", "customer_part_no")),
        (("scm_order_line", "customer_part_no"),)),
    "master_disc_no": (
        (("item", "master_disc_no"), ("contract_review_line", "master_disc_no"),
         ("sample_review_line", "master_disc_no")),
        (("scm_order_line", "master_disc_no"),)),
    "customer_code": (
        (("customer", "code"), ("contract_review", "customer_code"), ("sample_review", "customer_code")),
        (("scm_order", "customer_code"),)),
    "contract_no": (
        (("contract_review", "contract_no"), ("sample_review", "contract_no")),
        (("scm_order", "contract_no"),)),
}


class Widths:
    """The widths of one database's columns, read once."""

    def __init__(self, db: Database):
        self.db = db
        self._widths: dict[str, int] | None = None
        self._lock = threading.Lock()

    def get(self, kind: str) -> int:
        return self.all().get(kind, FALLBACK)

    def all(self) -> dict[str, int]:
        widths = self._widths
        if widths is None:
            with self._lock:
                if self._widths is None:
                    try:
                        self._widths = read_widths(self.db)
                    except BridgeError as exc:
                        log.warning("column widths not read from the database (%s); using %s for now",
                                    exc, FALLBACK)
                        return dict.fromkeys(SOURCES, FALLBACK)
                widths = self._widths
        return widths


def read_widths(db: Database) -> dict[str, int]:
    """Every kind's limit: the narrowest known width of its columns, else ``FALLBACK``."""
    mapping = db.mapping
    catalogs: dict[str, dict | None] = {}

    def width(table: str, column: str) -> int | None:
        if table not in catalogs:
            catalogs[table] = db.catalog_details(table)
        found = catalogs[table] or {}
        for name, col in found.items():
            if db.dialect.same_identifier(name, column, column=True):
                return col.text_width
        return None

    out: dict[str, int] = {}
    for kind, (erp_columns, own_columns) in SOURCES.items():
        sizes = []
        for entity, fld in erp_columns:
            column = mapping.column(entity, fld) if mapping.has(entity) else None
            if column:
                sizes.append(width(mapping.table(entity), column))
        sizes += [width(table, column) for table, column in own_columns]
        known = [s for s in sizes if s]
        out[kind] = min(known) if known else FALLBACK
    return out


def erp_widths(app=None) -> Widths:
    """This app's widths (created on first use, kept on the extension state)."""
    app = app or current_app
    state = app.extensions["scm"]
    widths = state.extra.get("erp_widths")
    if widths is None or widths.db is not state.db:
        widths = state.extra["erp_widths"] = Widths(state.db)
    return widths


def width(kind: str) -> int:
    """The limit of a kind of code in the current app (``FALLBACK`` outside one)."""
    if not has_app_context() or "scm" not in current_app.extensions:
        return FALLBACK
    return erp_widths().get(kind)


def form_widths() -> dict[str, int]:
    """Every kind's limit, for a page's ``maxlength``s."""
    if not has_app_context() or "scm" not in current_app.extensions:
        return dict.fromkeys(SOURCES, FALLBACK)
    return dict(erp_widths().all())


def too_long(value: str | None, kind: str) -> int | None:
    """The limit ``value`` exceeds, or None if it fits (or is None)."""
    limit = width(kind)
    return limit if value is not None and len(value) > limit else None


@dataclass(frozen=True)
class ErpWidth:
    """``Annotated[str, ErpWidth("inventory_code")]``: at most the ERP's width."""

    kind: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        out = handler(schema)
        out["maxLength"] = width(self.kind)
        return out

    def _check(self, value):
        limit = too_long(value, self.kind)
        if limit is not None:
            raise PydanticCustomError("code_too_long", "at most {limit} characters", {"limit": limit})
        return value


# The checked codes, for schemas: ``inventory_code: InventoryCode | None = None``.
InventoryCode = Annotated[str, ErpWidth("inventory_code")]
CustomerPartNo = Annotated[str, ErpWidth("customer_part_no")]
MasterDiscNo = Annotated[str, ErpWidth("master_disc_no")]
CustomerCode = Annotated[str, ErpWidth("customer_code")]
ContractNo = Annotated[str, ErpWidth("contract_no")]
