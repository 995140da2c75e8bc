"""Reads of the ERP's master data through the mapping."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .. import dynamic
from ..connection import Row, Transaction


def contact_ref(value) -> str | None:
    """A contact id as the plugin carries it: text (``12``, or a customer code such as
    ``C001`` where contacts are kept on the customer card)."""
    if value is None:
        return None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(int(value)) if value == int(value) else str(value)
    return str(value)


def customer(tx: Transaction, code: str) -> Row | None:
    return tx.one("erp.customer_by_code", code)


def all_customers(tx: Transaction) -> list[Row]:
    return tx.all("erp.customers_all")


def process_steps(tx: Transaction) -> list[Row]:
    return tx.all("erp.process_steps")


def contacts_of_customer(tx: Transaction, code: str) -> list[Row]:
    """The customer's contacts, ``id`` as text (``contact_ref``)."""
    rows = tx.all("erp.contacts_of_customer", code)
    for r in rows:
        r["id"] = contact_ref(r["id"])
    return rows


def item(tx: Transaction, code: str) -> Row | None:
    return tx.one("erp.item_by_code", code)


def item_by_customer_part(tx: Transaction, customer_code: str, part_no: str) -> Row | None:
    return tx.one("erp.item_by_customer_part", customer_code, part_no)


def items(tx: Transaction, codes: Sequence[str]) -> dict[str, Row]:
    """The ERP's items by code (those it has), in one statement per IN list."""
    found: dict[str, Row] = {}
    for part in dynamic.chunked(sorted(set(codes))):
        sql, params = dynamic.item_cards(part)
        found.update((row["code"], row) for row in tx.all_sql(sql, *params))
    return found


def customer_parts_of_items(tx: Transaction, customer_code: str, codes: Sequence[str]) -> dict[str, str]:
    """The customer's part number of each of our items it has one for (the lowest, if several)."""
    found: dict[str, str] = {}
    for part in dynamic.chunked(sorted(set(codes))):
        sql, params = dynamic.customer_parts_of_items(customer_code, part)
        found.update((row["inventory_code"], row["part_no"]) for row in tx.all_sql(sql, *params))
    return found
