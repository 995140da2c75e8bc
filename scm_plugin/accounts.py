"""Accounts: users, passwords and lockout, customer grants, API tokens.

Plain functions used alike by the login page, the admin pages, the API and the CLI.
They take the ``Database`` and return results; they never touch ``request``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from enum import Enum

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from . import roles
from .erp_bridge import Database, UniqueViolation
from .erp_bridge.clock import utcnow
from .erp_bridge.repos import erp as erp_repo
from .erp_bridge.repos import users as repo
from .errors import InvalidInput, NotFound
from .sms.numbers import normalise

ROLES = roles.ALL
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,80}$")
MIN_PASSWORD = 8
MAX_ERP_NAME = 40   # scm_user.erp_name; the ERP forms' maker column (model: String(40))

# A hash to check against when the username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


class LoginOutcome(Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: dict | None = None
    locked_until: dt.datetime | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise InvalidInput({"username": "username_invalid"})
    return username


def validate_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise InvalidInput({"password": "password_too_short"})
    return password


def validate_erp_name(erp_name: str | None) -> str | None:
    """The user's operator name in the ERP (written as a review form's maker): stripped,
    at most 40 characters, no control characters; empty means none."""
    erp_name = (erp_name or "").strip()
    if not erp_name:
        return None
    if len(erp_name) > MAX_ERP_NAME:
        raise InvalidInput({"erp_name": "erp_name_too_long"})
    if any(unicodedata.category(ch).startswith("C") for ch in erp_name):
        raise InvalidInput({"erp_name": "erp_name_invalid"})
    return erp_name


def _check_profile(role: str, customer_code: str | None, mobile: str | None, errors: dict[str, str]) -> str | None:
    """A profile's rules beside the name and password: a customer user belongs to a
    customer, staff to none; a mobile number is one an SMS can reach (the SMS layer's
    rule, as for every number). Adds to ``errors``; returns the customer code to keep."""
    if role == "customer" and not customer_code:
        errors["customer_code"] = "customer_required"
    if mobile:
        refused = normalise(mobile, current_app.config.get("SCM_SMS_PHS_PREFIX")).error
        if refused:
            errors["mobile"] = refused
    return customer_code if role == "customer" else None


def _erp_name(erp_name: str | None, errors: dict[str, str]) -> str | None:
    try:
        return validate_erp_name(erp_name)
    except InvalidInput as exc:
        errors.update(exc.fields)
        return None


def _check_customer(tx, customer_code: str | None) -> None:
    if customer_code and erp_repo.customer(tx, customer_code) is None:
        raise InvalidInput({"customer_code": "customer_unknown"})


def update_user(db: Database, user: dict, *, role: str, customer_code: str | None, display_name: str | None,
                email: str | None, mobile: str | None, erp_name: str | None, active: bool, actor: str,
                ip: str | None = None) -> None:
    """An administrator's change of a user's profile (the audit trail says who)."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "role_invalid"
    erp_name = _erp_name(erp_name, errors)
    customer_code = _check_profile(role, customer_code, mobile, errors)
    if errors:
        raise InvalidInput(errors)
    with db.transaction() as tx:
        _check_customer(tx, customer_code)
        repo.update_profile(tx, user["id"], display_name=display_name or user["username"], role=role,
                            customer_code=customer_code, email=email, mobile=mobile, erp_name=erp_name,
                            active=active)
        detail = f"role={role} active={active}"
        if erp_name != (user.get("erp_name") or None):
            detail += f" erp_name={erp_name or '-'}"
        repo.audit(tx, actor=actor, action="user.update", object_type="user", object_id=user["id"],
                   customer_code=None, ip=ip, detail=detail)


def create_user(db: Database, *, username: str, role: str, password: str | None = None,
                customer_code: str | None = None, display_name: str | None = None,
                email: str | None = None, mobile: str | None = None, erp_name: str | None = None,
                actor: str = "cli", ip: str | None = None) -> int:
    """Add a user. Customer users belong to exactly one customer that must exist in the ERP.
    Users without a password can only log in through the trusted header or the host app.
    ``erp_name`` is the user's operator name in the ERP (a review form's maker)."""
    errors: dict[str, str] = {}
    try:
        username = validate_username(username)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if role not in ROLES:
        errors["role"] = "role_invalid"
    if password is not None:
        try:
            validate_password(password)
        except InvalidInput as exc:
            errors.update(exc.fields)
    erp_name = _erp_name(erp_name, errors)
    customer_code = _check_profile(role, customer_code, mobile, errors)
    if errors:
        raise InvalidInput(errors)
    with db.transaction() as tx:
        _check_customer(tx, customer_code)
        try:
            user_id = repo.insert(tx, username=username, role=role,
                                  password_hash=generate_password_hash(password) if password else None,
                                  display_name=display_name, customer_code=customer_code,
                                  email=email, mobile=mobile, erp_name=erp_name)
        except UniqueViolation:
            raise InvalidInput({"username": "username_taken"}) from None
        repo.audit(tx, actor=actor, action="user.create", object_type="user", object_id=user_id,
                   customer_code=customer_code, ip=ip, detail=f"role={role}")
    return user_id


def authenticate(db: Database, username: str, password: str, *, max_failures: int,
                 lock_minutes: int, slowdown: float, ip: str | None = None) -> LoginResult:
    """Check a password; count failures; lock after ``max_failures`` for ``lock_minutes``.
    After the third failure every attempt is slowed (capped), to blunt guessing."""
    now = utcnow()
    with db.transaction() as tx:
        user = repo.by_username(tx, (username or "").strip())
        if user is None or not user["password_hash"]:
            check_password_hash(_DUMMY_HASH, password or "")
            repo.audit(tx, actor=username[:80] if username else None, action="login.failed",
                       object_type="user", object_id=None, customer_code=None, ip=ip,
                       detail="unknown user")
            return LoginResult(LoginOutcome.BAD_CREDENTIALS)
        if user["locked_until"] and user["locked_until"] > now:
            return LoginResult(LoginOutcome.LOCKED, locked_until=user["locked_until"])
        if not check_password_hash(user["password_hash"], password or ""):
            failures = int(user["failed_logins"] or 0) + 1
            locked = now + dt.timedelta(minutes=lock_minutes) if failures >= max_failures else None
            repo.login_failed(tx, user["id"], locked)
            repo.audit(tx, actor=user["username"], action="login.failed", object_type="user",
                       object_id=user["id"], customer_code=None, ip=ip,
                       detail=f"failures={failures}" + (" locked" if locked else ""))
            delay = min(3.0, slowdown * max(0, failures - 3))
        else:
            if not user["active"]:
                return LoginResult(LoginOutcome.INACTIVE)
            repo.login_succeeded(tx, user["id"])
            repo.audit(tx, actor=user["username"], action="login", object_type="user",
                       object_id=user["id"], customer_code=None, ip=ip, detail=None)
            return LoginResult(LoginOutcome.OK, user=user)
    if delay:
        time.sleep(delay)
    if locked:
        return LoginResult(LoginOutcome.LOCKED, locked_until=locked)
    return LoginResult(LoginOutcome.BAD_CREDENTIALS)


def find_user(db: Database, username: str) -> dict:
    user = db.read(lambda tx: repo.by_username(tx, (username or "").strip()))
    if user is None:
        raise NotFound("user")
    return user


def parse_until(value: str | dt.date | None) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput({"valid_until": "date_invalid"}) from None


def grant(db: Database, username: str, customer_codes: list[str], *, until=None,
          actor: str = "cli", ip: str | None = None) -> list[tuple[str, str]]:
    """Grant customers to a rep or admin (``*`` = all). Unknown customers are refused
    before anything changes. Returns (code, created|updated) per customer."""
    user = find_user(db, username)
    if user["role"] not in roles.STAFF:
        raise InvalidInput({"username": "grants_for_staff_only"})
    valid_until = parse_until(until)
    codes = [c.strip() for c in customer_codes if c and c.strip()]
    if not codes:
        raise InvalidInput({"customer_codes": "customer_required"})
    results = []
    with db.transaction() as tx:
        unknown = [c for c in codes if c != "*" and erp_repo.customer(tx, c) is None]
        if unknown:
            raise InvalidInput({"customer_codes": "customer_unknown"}, detail=", ".join(unknown))
        for code in codes:
            outcome = repo.upsert_grant(tx, user["id"], code, valid_until, actor)
            repo.audit(tx, actor=actor, action=f"grant.{outcome}", object_type="user",
                       object_id=user["id"], customer_code=None if code == "*" else code, ip=ip,
                       detail=f"{user['username']} ← {code}" + (f" until {valid_until}" if valid_until else ""))
            results.append((code, outcome))
    return results


def revoke(db: Database, username: str, customer_codes: list[str], *, actor: str = "cli",
           ip: str | None = None) -> list[tuple[str, bool]]:
    user = find_user(db, username)
    results = []
    with db.transaction() as tx:
        for code in [c.strip() for c in customer_codes if c and c.strip()]:
            removed = repo.delete_grant(tx, user["id"], code)
            if removed:
                repo.audit(tx, actor=actor, action="grant.revoke", object_type="user",
                           object_id=user["id"], customer_code=None if code == "*" else code,
                           ip=ip, detail=f"{user['username']} ✕ {code}")
            results.append((code, removed))
    return results


def create_token(db: Database, username: str, name: str = "api", *, actor: str = "cli") -> str:
    """A new API token, returned once; only its SHA-256 is stored."""
    user = find_user(db, username)
    token = "scm_" + secrets.token_urlsafe(32)
    with db.transaction() as tx:
        repo.insert_token(tx, user["id"], token_hash(token), name[:80])
        repo.audit(tx, actor=actor, action="token.create", object_type="user", object_id=user["id"],
                   customer_code=None, ip=None, detail=name[:80])
    return token


def user_for_token(db: Database, token: str) -> dict | None:
    with db.transaction() as tx:
        user_id = repo.user_id_for_token(tx, token_hash(token))
        return repo.by_id(tx, user_id) if user_id else None


def set_password(db: Database, username: str, password: str, *, actor: str = "cli") -> None:
    user = find_user(db, username)
    validate_password(password)
    with db.transaction() as tx:
        repo.set_password(tx, user["id"], generate_password_hash(password))
        repo.audit(tx, actor=actor, action="user.password", object_type="user", object_id=user["id"],
                   customer_code=None, ip=None, detail=None)
