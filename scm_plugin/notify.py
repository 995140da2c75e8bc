"""Links in mails and who hears about a customer's things."""
from __future__ import annotations

from werkzeug.routing import BuildError

from .erp_bridge.repos import erp as erp_repo
from .erp_bridge.repos import orders as orders_repo
from .web import scm_url


def link(endpoint: str, **values) -> str | None:
    """An absolute link for a mail; None when that page is switched off."""
    try:
        return scm_url(endpoint, _external=True, **values)
    except (BuildError, RuntimeError):
        return None


def customer_recipients(tx, customer_code: str) -> tuple[dict, list[tuple[str, str | None, str]]]:
    """Who hears about something for a customer company: its active portal users with
    an address, or — without any — the company's address in the ERP. Returns the
    customer and (email, locale, name) per recipient."""
    customer = erp_repo.customer(tx, customer_code) or {"code": customer_code, "name": customer_code, "email": None}
    recipients = [(u["email"], u.get("locale"), u["display_name"] or u["username"])
                  for u in orders_repo.customer_users(tx, customer_code) if u["email"]]
    if not recipients and customer.get("email"):
        recipients = [(customer["email"], None, customer["name"])]
    return customer, recipients
