from flask import g, jsonify, request
from flask_wtf.csrf import ValidationError as CSRFValidationError
from flask_wtf.csrf import validate_csrf

from scm_plugin import accounts
from scm_plugin.api_errors import api_error
from scm_plugin.auth import SCMUser, get_user, set_api_user
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.i18n import current_locale
from scm_plugin.permissions import current_scope
from scm_plugin.state import get_db, get_state

from . import bp
from .schemas import CustomerList, MeOut, ProcessStepList
from .spec import api_route, openapi_document

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@bp.record_once
def _exempt_from_form_csrf(setup_state):
    # Bearer requests carry no cookie and need no CSRF token; session requests are
    # checked below with the X-CSRFToken header instead of a form field.
    csrf = setup_state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


@bp.before_request
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


@api_route(bp, "/openapi.json", summary="This document", roles=("public",))
def openapi():
    doc = openapi_document(f"{get_state().url_prefix}/api/v1")
    return jsonify(doc)


@api_route(bp, "/me", summary="The user behind this token or session", response=MeOut)
def me():
    user = get_user()
    return jsonify(MeOut(username=user.username, display_name=user.display_name, role=user.role,
                         customer_code=user.customer_code, locale=current_locale()).model_dump())


@api_route(bp, "/customers", summary="Customers in the caller's scope", response=CustomerList)
def customers():
    scope = current_scope()
    rows = get_db().read(lambda tx: scope.customers(tx))
    return jsonify({"items": rows})


@api_route(bp, "/process-steps", summary="The ERP's process steps, in route order",
           roles=("rep", "admin"), response=ProcessStepList)
def process_steps():
    rows = get_db().read(erp_repo.process_steps)
    return jsonify({"items": [{"code": r["code"], "name": r["name"], "seq": int(r["seq"])} for r in rows]})


@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_unknown):
    return api_error(404, "not_found")


unknown.scm_roles = ("public",)
