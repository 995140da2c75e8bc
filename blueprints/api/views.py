"""The API blueprint of one app: authentication, the error shape, the OpenAPI document,
the caller and their customers, a JSON 404/405 for everything else — and the routes of
the enabled modules (``build_blueprint``)."""
from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import ValidationError as CSRFValidationError
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from scm_plugin import accounts
from scm_plugin.api_errors import api_error
from scm_plugin.auth import SCMUser, get_user, set_api_user
from scm_plugin.i18n import current_locale
from scm_plugin.modules import Module
from scm_plugin.permissions import current_scope
from scm_plugin.state import get_db, get_state

from .schemas import CustomerList, MeOut
from .spec import ApiRoutes, RouteSpec, openapi_document

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

routes = ApiRoutes()


def build_blueprint(modules: Sequence[Module]) -> Blueprint:
    """The API of one app: the shared routes and those of its enabled modules."""
    bp = Blueprint("api", __name__, url_prefix="/api/v1")

    @bp.record_once
    def _exempt_from_form_csrf(setup_state):
        # Bearer requests carry no cookie and need no CSRF token; session requests are
        # checked with the X-CSRFToken header instead of a form field (_authenticate).
        csrf = setup_state.app.extensions.get("csrf")
        if csrf is not None:
            csrf.exempt(bp)

    bp.record_once(_register_converter)
    bp.before_request(_authenticate)
    bp.after_request(_options_allow)
    routes.register(bp)
    for module in modules:
        if module.api is not None:
            module.api.register(bp)
    bp.add_url_rule("/<scm_any_path:_unknown>", endpoint="unknown", view_func=unknown,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    return bp


class _AnyPath(PathConverter):
    """Werkzeug's ``path`` without its blind spot: ``.`` stops at a newline, so a path
    with ``%0A`` escaped the catch-all and got the host application's HTML 404."""

    regex = r"[^/][\s\S]*?"


def _register_converter(setup_state):
    setup_state.app.url_map.converters.setdefault("scm_any_path", _AnyPath)


def _authenticate():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.user_for_token(get_db(), header[7:].strip())
        if user is None or not user["active"]:
            return api_error(401, "unauthorized")
        set_api_user(SCMUser.from_row(user))
        g.scm_api_bearer = True
        return None
    if request.method in _UNSAFE and get_user() is not None:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except CSRFValidationError:
            return api_error(400, "csrf_failed")
    return None


@routes.route("/openapi.json", summary="This document", roles=("public",))
def openapi():
    doc = openapi_document(f"{get_state().url_prefix}/api/v1", _app_routes())
    return jsonify(doc)


def _app_routes() -> list[RouteSpec]:
    """The API routes of this app, in the order they were registered."""
    prefix = f"{request.blueprint}."
    views = current_app.view_functions
    found = []
    for rule in current_app.url_map.iter_rules():
        spec = getattr(views.get(rule.endpoint), "scm_api_spec", None)
        if rule.endpoint.startswith(prefix) and spec is not None and spec not in found:
            found.append(spec)
    return found


@routes.route("/me", summary="The user behind this token or session", response=MeOut)
def me():
    user = get_user()
    return jsonify(MeOut(username=user.username, display_name=user.display_name, role=user.role,
                         customer_code=user.customer_code, erp_name=user.erp_name,
                         locale=current_locale()).model_dump())


@routes.route("/customers", summary="Customers in the caller's scope", response=CustomerList)
def customers():
    scope = current_scope()
    rows = get_db().read(lambda tx: scope.customers(tx))
    return jsonify({"items": rows})


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods() -> list[str]:
    """The methods the API really serves at this path: the catch-all below matches every
    path and method, so Werkzeug's own 405 and ``Allow`` would never be right."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in _METHODS:
        try:
            rule, _ = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if not rule.endpoint.endswith(".api.unknown"):
            allowed.append(method)
    return allowed + ["OPTIONS"] if allowed else []


def _options_allow(resp):
    if request.method == "OPTIONS" and "Allow" in resp.headers:
        allowed = _allowed_methods()
        if not allowed:
            return api_error(404, "not_found")
        resp.headers["Allow"] = ", ".join(allowed)
    return resp


def unknown(_unknown):
    allowed = _allowed_methods()
    if allowed:
        resp = api_error(405, "method_not_allowed")
        resp.headers["Allow"] = ", ".join(allowed)
        return resp
    return api_error(404, "not_found")


unknown.scm_roles = ("public",)
