"""Reads of the ERP's master data through the mapping."""
from __future__ import annotations

from decimal import Decimal

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


def customer_part_of_item(tx: Transaction, customer_code: str, inventory_code: str) -> str | None:
    """The customer's part number for one of our items (the lowest, if they keep several)."""
    return tx.scalar("erp.customer_part_of_item", customer_code, inventory_code)
