"""The one permission layer every module uses.

``current_scope()`` is the set of customers the logged-in user may see, as a ``Scope``
the bridge turns into SQL. Object-level checks go through ``ensure_customer`` (404 for
anything outside the scope, the same answer as for a missing id).
"""
from __future__ import annotations

from flask import g

from .auth import SCMUser, get_user
from .erp_bridge.repos import scope as scope_repo
from .erp_bridge.repos.scope import Scope
from .errors import NotFound
from .i18n import local_today
from .roles import STAFF
from .state import get_state


def scope_for(user: SCMUser | None) -> Scope:
    if user is None or not user.active:
        return Scope.nothing()
    if user.role == "customer":
        return Scope("customer", user_id=user.id, customer_code=user.customer_code, today=local_today()) \
            if user.customer_code else Scope.nothing()
    if user.role in STAFF:
        # Grants end after their valid_until day in the configured time zone. Whether one
        # of them is "*" is read once per request, so each query filters by a plain IN.
        today = local_today()
        holds_all = get_state().db.read(lambda tx: scope_repo.holds_all(tx, user.id, today))
        return Scope("grants", user_id=user.id, today=today, all_customers=holds_all)
    return Scope.nothing()


def current_scope() -> Scope:
    if "scm_scope" not in g:
        g.scm_scope = scope_for(get_user())
    return g.scm_scope


def ensure_customer(tx, customer_code: str | None, scope: Scope | None = None) -> None:
    """Raise NotFound unless the customer is in the scope."""
    scope = scope or current_scope()
    if not scope.allows(tx, customer_code):
        raise NotFound("customer")
