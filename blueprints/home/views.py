from flask import Blueprint, current_app, redirect, render_template

from scm_plugin.auth import get_user, require
from scm_plugin.permissions import current_scope
from scm_plugin.state import get_db
from scm_plugin.web import scm_url

from . import services

bp = Blueprint("home", __name__)


@bp.route("/")
@require()
def index():
    user = get_user()
    if user.role == "customer":
        if f"{current_app.extensions['scm'].name}.portal.index" in current_app.view_functions:
            return redirect(scm_url("portal.index"))
        return render_template("scm/home/portal_home.html",
                               customers=services.customers_in_scope(get_db(), current_scope()))
    scope = current_scope()
    return render_template("scm/home/index.html",
                           counts=services.counts(get_db(), scope),
                           customers=services.customers_in_scope(get_db(), scope))
