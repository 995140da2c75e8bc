"""What every plugin page shares: template context, filters, error pages, headers.

Installed on the parent blueprint, so it applies to the plugin's own requests only and
never changes how the host app's pages behave.
"""
from __future__ import annotations

import logging
import re
import uuid

from flask import Blueprint, current_app, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException

from . import i18n, limits
from .api_errors import api_error_text
from .auth import get_user, require
from .erp_bridge import (
    BridgeError,
    ConnectionLost,
    MissingObject,
    StatementTimeout,
    TransactionConflict,
)
from .erp_bridge.repos import orders as orders_repo
from .errors import SCMError
from .messages import error_text, message
from .modules import MenuEntry
from .order_schemas import KINDS
from .permissions import current_scope
from .state import get_state

log = logging.getLogger(__name__)


def scm_url(endpoint: str, **values) -> str:
    """url_for relative to the plugin's parent blueprint, whatever name the host chose."""
    return url_for(f"{get_state().name}.{endpoint}", **values)


def add_kind_views(bp: Blueprint, name: str, view, roles: tuple[str, ...], suffix: str = "") -> None:
    """One endpoint per order kind (``{name}_sales`` at ``/sales{suffix}``, ``{name}_sample``)
    for a view taking the kind: users know the two lists as two functions (1 and 2, 3 and 4)."""
    for kind in KINDS:
        def per_kind(kind=kind):
            return view(kind)
        per_kind.__name__ = f"{name}_{kind}"
        bp.add_url_rule(f"/{kind}{suffix}", per_kind.__name__, require(*roles)(per_kind))


def visible_functions(user) -> list[MenuEntry]:
    """The menu entries of the enabled modules that this user's role may use."""
    if user is None:
        return []
    state = get_state()
    return [e for e in state.menu + state.portal_menu if user.role in e.roles]


def _nav_counts(user, functions) -> dict[str, int]:
    """Pending orders per review list, for the menu badges (one query per page)."""
    if user is None or not any(f.endpoint.startswith("order_review.") for f in functions):
        return {}
    try:
        counts = get_state().db.read(lambda tx: orders_repo.pending_counts(tx, current_scope()))
    except BridgeError:
        return {}  # the menu must render even when the database is having trouble
    return {"order_review.queue_sales": counts["sales"], "order_review.queue_sample": counts["sample"]}


def install(bp: Blueprint) -> None:
    @bp.app_template_filter("scm_datetime")
    def _dt(value, fmt="yyyy-MM-dd HH:mm"):
        return i18n.format_datetime(value, fmt)

    @bp.app_template_filter("scm_date")
    def _date(value):
        return i18n.format_date(value)

    @bp.app_template_filter("scm_qty")
    def _qty(value):
        return i18n.format_quantity(value)

    @bp.context_processor
    def _context():
        user = _user_or_none()
        functions = visible_functions(user)
        return {
            "scm_nav_counts": _nav_counts(user, functions),
            "scm_base_template": current_app.config["SCM_BASE_TEMPLATE"],
            "scm_user": user,
            "scm_url": scm_url,
            "scm_has": lambda endpoint: f"{get_state().name}.{endpoint}" in current_app.view_functions,
            "scm_functions": functions,
            "scm_locale": i18n.current_locale(),
            "scm_locales": [(code, i18n.LOCALE_NAMES.get(code, code))
                            for code in current_app.config["SCM_LOCALES"]],
            "scm_static": lambda filename: scm_url("static", filename=filename),
            "csrf_token": generate_csrf,
            "uuid4": lambda: uuid.uuid4().hex,
            "_": i18n.gettext,
            "gettext": i18n.gettext,
            "ngettext": i18n.ngettext,
        }

    @bp.record_once
    def _limits(setup_state):
        limits.install(setup_state.app, setup_state.name)

    @bp.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @bp.errorhandler(CSRFError)
    def _csrf(exc):
        return _error_page(400, message("csrf_failed"), code="csrf_failed")

    @bp.errorhandler(SCMError)
    def _scm_error(exc: SCMError):
        return _error_page(exc.status, error_text(exc), code=exc.code,
                           fields=getattr(exc, "fields", None))

    @bp.errorhandler(BridgeError)
    def _db_error(exc: BridgeError):
        log.error("database error %s (%s): %s", type(exc).__name__, exc.sqlstate, exc.detail)
        if isinstance(exc, ConnectionLost):
            _forget_user()
            code = "database_lost_at_commit" if exc.outcome_unknown else "database_unavailable"
            return _error_page(503, message(code), code=code)
        if isinstance(exc, (StatementTimeout, TransactionConflict)):
            return _error_page(503, message("database_busy"), code="database_busy")
        if isinstance(exc, MissingObject):
            return _error_page(500, message("erp_object_missing"), code="erp_object_missing")
        return _error_page(500, message("error"), code="error")

    @bp.errorhandler(OverflowError)
    def _huge_id(exc):
        # An id in a URL beyond the database's integer range: pyodbc cannot even send it.
        return _error_page(404, message("not_found"), code="not_found")

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        key = {400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large"}.get(code, "error")
        return _error_page(code, message(key), code=key)


_SECRET_FIELD = re.compile(r"pass|secret|pwd", re.IGNORECASE)


def _user_or_none():
    """The user for the page's menu; None when the database cannot even say who it is
    (an error page must render while the database is down)."""
    try:
        return get_user()
    except BridgeError:
        _forget_user()
        return None


def _forget_user() -> None:
    """Render this response as for nobody: who the user is cannot be read from a database
    that is down (Flask-Login's template context would ask it again and fail the page)."""
    if "scm_user" not in g:
        g.scm_user = None
    manager = getattr(current_app, "login_manager", None)
    if manager is not None and "_login_user" not in g:
        g._login_user = manager.anonymous_user()


def _error_page(status: int, text: str, code: str | None = None, fields: dict | None = None):
    if request.blueprint and request.blueprint.endswith(".api"):
        codes = {400: "invalid_input", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 409: "conflict", 413: "too_large", 503: "database_unavailable"}
        return api_error_text(status, code or codes.get(status, "error"), text, fields)
    g.setdefault("scm_error", text)
    resubmit = had_files = None
    if status == 503 and request.method == "POST" and code != "database_lost_at_commit":
        # Nothing was saved: keep what the user sent on the page, to be sent again as it
        # was (with a fresh CSRF token) once the database is back. Files cannot be kept.
        # Never a password, though: a form with one (the login) is simply typed again.
        # (Lost at the commit, it may have been saved: no one-click resubmit then.)
        sent = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        if not any(_SECRET_FIELD.search(k) for k, _v in sent):
            resubmit = sent
            had_files = any(f and f.filename for f in request.files.values())
    return render_template("scm/error.html", status=status, error_text=text, resubmit=resubmit,
                           had_files=had_files), status
