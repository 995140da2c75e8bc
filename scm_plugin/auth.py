"""Who is asking: the plugin user behind a request, however they logged in.

* standalone, ``SCM_AUTH=local``: the plugin's own login page and Flask-Login session;
* standalone, ``SCM_AUTH=header``: the intranet's reverse proxy sets a header with the
  username, trusted only when the request comes from an address in
  ``SCM_TRUSTED_PROXIES``;
* mounted in a host app with its own Flask-Login: the host's ``current_user``, matched
  to a plugin user by username (``SCM_HOST_USERNAME_ATTR``);
* the API: ``Authorization: Bearer <token>`` as well as the browser session.

``get_user()`` answers for all of them; ``require(*roles)`` guards views.
"""
from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import UserMixin, current_user
from werkzeug.routing import BuildError

from .api_errors import api_error
from .erp_bridge.repos import users as users_repo
from .roles import ALL, STAFF
from .state import get_state


@dataclass
class SCMUser(UserMixin):
    id: int
    username: str
    display_name: str
    role: str
    customer_code: str | None
    email: str | None
    mobile: str | None
    locale: str | None
    active: bool
    erp_name: str | None = None   # the operator name in the ERP (a review form's maker)

    @classmethod
    def from_row(cls, row: dict) -> SCMUser:
        return cls(id=int(row["id"]), username=row["username"],
                   display_name=row["display_name"] or row["username"], role=row["role"],
                   customer_code=row["customer_code"], email=row["email"], mobile=row["mobile"],
                   locale=row["locale"], active=bool(row["active"]), erp_name=row.get("erp_name") or None)

    # Flask-Login
    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF


def load_user_by_id(user_id: str) -> SCMUser | None:
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    row = get_state().db.read(lambda tx: users_repo.by_id(tx, uid))
    return SCMUser.from_row(row) if row and row["active"] else None


def load_user_by_username(username: str) -> SCMUser | None:
    if not username:
        return None
    row = get_state().db.read(lambda tx: users_repo.by_username(tx, username))
    return SCMUser.from_row(row) if row and row["active"] else None


def request_from_trusted_proxy() -> bool:
    addr = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for net in current_app.config["SCM_TRUSTED_PROXIES"]:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def header_user() -> SCMUser | None:
    """``SCM_AUTH=header``: the proxy's header, believed only from a trusted proxy."""
    name = request.headers.get(current_app.config["SCM_TRUSTED_HEADER"], "").strip()
    if not name or not request_from_trusted_proxy():
        return None
    return load_user_by_username(name)


def get_user() -> SCMUser | None:
    """The plugin user of this request (cached per request), or None."""
    if "scm_user" in g:
        return g.scm_user
    user = None
    state = get_state()
    if state.own_login_manager:
        if current_user and current_user.is_authenticated and isinstance(current_user._get_current_object(), SCMUser):
            user = current_user._get_current_object()
    else:
        host_user = current_user
        if host_user is not None and getattr(host_user, "is_authenticated", False):
            name = getattr(host_user, current_app.config["SCM_HOST_USERNAME_ATTR"], None)
            user = load_user_by_username(str(name)) if name else None
    g.scm_user = user
    return user


def set_api_user(user: SCMUser | None) -> None:
    g.scm_user = user


def require(*roles: str, api: bool = False):
    """View guard: anonymous → login page (pages) or 401 (API); wrong role → 403.
    The roles are recorded on the view as ``scm_roles`` for the URL-map access test."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = get_user()
            if user is None:
                if api:
                    return api_error(401, "unauthorized")
                return redirect(login_url(request.full_path if request.query_string else request.path))
            if roles and user.role not in roles:
                if api:
                    return api_error(403, "forbidden")
                abort(403)
            return view(*args, **kwargs)
        wrapper.scm_roles = roles or ALL
        return wrapper
    return decorate


def public(view):
    """Mark a view as reachable without login (login page, static files)."""
    view.scm_roles = ("public",)
    return view


def login_url(next_path: str | None = None) -> str:
    state = get_state()
    if state.own_login_manager:
        return url_for(f"{state.name}.auth.login", next=safe_next(next_path))
    view = getattr(getattr(current_app, "login_manager", None), "login_view", None)
    if not view:
        return "/"
    try:
        return url_for(view, next=safe_next(next_path))
    except BuildError:  # the host's login view needs values we cannot know
        return "/"


def safe_next(target: str | None) -> str | None:
    """Only a local path may follow login: no scheme, no host, no ``//`` or ``/\\``
    (browsers read both as another host), no control characters."""
    if not target:
        return None
    if any(ord(c) < 32 or c == "\x7f" for c in target) or "\\" in target:
        return None
    decoded = unquote(target)
    if any(ord(c) < 32 or c == "\x7f" for c in decoded) or "\\" in decoded:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if decoded.startswith("//") or urlsplit(decoded).netloc:
        return None
    return target
