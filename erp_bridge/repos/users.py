"""Users, customer grants, API tokens and the audit log (plugin-owned tables)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..clock import utcnow
from ..connection import Row, Transaction
from ..errors import UniqueViolation


def by_username(tx: Transaction, username: str) -> Row | None:
    return tx.one("users.by_username", username)


def by_id(tx: Transaction, user_id: int) -> Row | None:
    return tx.one("users.by_id", user_id)


def all_users(tx: Transaction) -> list[Row]:
    return tx.all("users.all_users")


def insert(tx: Transaction, *, username: str, role: str, password_hash: str | None,
           display_name: str | None = None, customer_code: str | None = None,
           email: str | None = None, mobile: str | None = None, locale: str | None = None,
           erp_name: str | None = None) -> int:
    """Returns the new id; raises UniqueViolation when the username is taken."""
    return tx.insert("users.insert", username, display_name or username, role, customer_code,
                     password_hash, email, mobile, locale, erp_name, utcnow())


def update_profile(tx: Transaction, user_id: int, *, display_name: str, role: str,
                   customer_code: str | None, email: str | None, mobile: str | None,
                   erp_name: str | None, active: bool) -> None:
    tx.execute("users.update_profile", display_name, role, customer_code, email, mobile, erp_name,
               active, user_id)


def set_password(tx: Transaction, user_id: int, password_hash: str) -> None:
    tx.execute("users.set_password", password_hash, user_id)


def set_locale(tx: Transaction, user_id: int, locale: str) -> None:
    tx.execute("users.set_locale", locale, user_id)


def login_failed(tx: Transaction, user_id: int, locked_until: dt.datetime | None) -> None:
    tx.execute("users.login_failed", locked_until, user_id)


def login_succeeded(tx: Transaction, user_id: int) -> None:
    tx.execute("users.login_succeeded", utcnow(), user_id)


# --- grants -----------------------------------------------------------------
def grants_of_user(tx: Transaction, user_id: int) -> list[Row]:
    return tx.all("users.grants_of_user", user_id)


def all_grants(tx: Transaction) -> list[Row]:
    return tx.all("users.all_grants")


def upsert_grant(tx: Transaction, user_id: int, customer_code: str,
                 valid_until: dt.date | None, granted_by: str) -> str:
    """Returns "created" or "updated"."""
    existing = tx.one("users.grant_find", user_id, customer_code)
    if existing:
        tx.execute("users.grant_update", valid_until, granted_by, existing["id"])
        return "updated"
    try:
        tx.execute("users.grant_insert", user_id, customer_code, valid_until, granted_by, utcnow())
    except UniqueViolation:  # a concurrent grant of the same pair: same outcome
        tx.execute("users.grant_update", valid_until, granted_by,
                   tx.one("users.grant_find", user_id, customer_code)["id"])
        return "updated"
    return "created"


def delete_grant(tx: Transaction, user_id: int, customer_code: str) -> bool:
    return tx.execute("users.grant_delete", user_id, customer_code) > 0


def reps_of_customer(tx: Transaction, customer_code: str, today: dt.date) -> list[Row]:
    return tx.all("users.reps_of_customer", customer_code, today)


# --- API tokens --------------------------------------------------------------
def insert_token(tx: Transaction, user_id: int, token_hash: str, name: str) -> int:
    return tx.insert("users.token_insert", user_id, token_hash, name, utcnow())


def user_id_for_token(tx: Transaction, token_hash: str) -> int | None:
    row = tx.one("users.token_user", token_hash)
    if row is None:
        return None
    tx.execute("users.token_touch", utcnow(), row["token_id"])
    return int(row["id"])


# --- audit -------------------------------------------------------------------
def audit(tx: Transaction, *, actor: str | None, action: str, object_type: str | None,
          object_id: Any, customer_code: str | None, ip: str | None, detail: str | None) -> None:
    tx.execute("users.audit_insert", utcnow(), actor, action, object_type,
               None if object_id is None else str(object_id), customer_code, ip, detail)


def audit_of_object(tx: Transaction, object_type: str, object_id: Any) -> list[Row]:
    return tx.all("users.audit_of_object", object_type, str(object_id))
