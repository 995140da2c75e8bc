"""Who hears about something that happened for a customer, and the mail they get.

A call site says what happened (a mail template in ``scm/emails/`` and its facts) and to
whom: the customer's reps (``mail_reps``) or the customer (``mail_customer``). This
module finds the people, renders each mail in the recipient's language with the
customer and an absolute link, and queues it through the outbox in the caller's
transaction: the mail goes out exactly when what it tells of is committed.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from werkzeug.routing import BuildError

from . import i18n
from .erp_bridge.repos import erp as erp_repo
from .erp_bridge.repos import orders as orders_repo
from .erp_bridge.repos import users as users_repo
from .outbox import enqueue_mail
from .web import scm_url


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str | None
    name: str


def link(endpoint: str, *, fallback: str | None = None, **values) -> str | None:
    """An absolute link for a mail; when that page's module is switched off, the link
    of the ``fallback`` page (without values), else None."""
    for target, args in ((endpoint, values), (fallback, {})):
        if target is None:
            continue
        try:
            return scm_url(target, _external=True, **args)
        except (BuildError, RuntimeError):  # RuntimeError: no request or SERVER_NAME to build from
            continue
    return None


def mail_reps(tx, customer_code: str, template: str, *, about: tuple[str, int], link: str | None,
              setting: str, per_customer: bool = False, **facts) -> int:
    """Mail each rep granted the customer today who has an address, unless ``setting``
    is off (``per_customer``: the customer's own preference overrides it). Returns how
    many mails were queued."""
    on = bool(current_app.config.get(setting, True))
    if per_customer:
        on = orders_repo.customer_notify(tx, customer_code, on)
    if not on:
        return 0
    reps = [Recipient(r["email"], r.get("locale"), _name(r))
            for r in users_repo.reps_of_customer(tx, customer_code, i18n.local_today()) if r["email"]]
    return _send(tx, customer_code, reps, template, about, link, facts)


def mail_customer(tx, customer_code: str, template: str, *, about: tuple[str, int], link: str | None,
                  setting: str | None = None, prefer_user_id: int | None = None, **facts) -> int:
    """Mail the customer: ``prefer_user_id`` alone when that is one of its active portal
    users with an address; otherwise its active portal users with an address, or —
    without any — the company's address in the ERP. Nothing when ``setting`` is off."""
    if setting and not current_app.config.get(setting, True):
        return 0
    return _send(tx, customer_code, _customer_recipients(tx, customer_code, prefer_user_id), template, about,
                 link, facts)


def _customer_recipients(tx, customer_code: str, prefer_user_id: int | None) -> list[Recipient]:
    if prefer_user_id is not None:
        user = users_repo.by_id(tx, prefer_user_id)
        if user and user["active"] and user["email"] and user["customer_code"] == customer_code:
            return [Recipient(user["email"], user.get("locale"), _name(user))]
    users = [Recipient(u["email"], u.get("locale"), _name(u))
             for u in orders_repo.customer_users(tx, customer_code) if u["email"]]
    if users:
        return users
    customer = _customer(tx, customer_code)
    return [Recipient(customer["email"], None, customer["name"])] if customer.get("email") else []


def _send(tx, customer_code: str, recipients: Iterable[Recipient], template: str, about: tuple[str, int],
          link: str | None, facts: dict) -> int:
    recipients = list(recipients)
    if not recipients:
        return 0
    customer = _customer(tx, customer_code)
    ref_type, ref_id = about
    for r in recipients:
        with i18n.force_locale(r.locale):
            enqueue_mail(tx, to=r.email, template=template,
                         context=dict(facts, name=r.name, customer=customer, link=link),
                         ref_type=ref_type, ref_id=ref_id, customer_code=customer_code)
    return len(recipients)


def _customer(tx, customer_code: str) -> dict:
    """The customer as the ERP has it; its code stands in for a name the ERP lacks."""
    return erp_repo.customer(tx, customer_code) or {"code": customer_code, "name": customer_code, "email": None}


def _name(user: dict) -> str:
    return user["display_name"] or user["username"]
