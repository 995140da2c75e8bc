from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import login_user, logout_user
from scm_plugin.erp_bridge.repos import users as users_repo

from scm_plugin import accounts
from scm_plugin.auth import SCMUser, get_user, header_user, public, safe_next
from scm_plugin.i18n import format_datetime
from scm_plugin.messages import message
from scm_plugin.state import get_state
from scm_plugin.web import scm_url

from .forms import LoginForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    state = get_state()
    target = safe_next(request.values.get("next"))
    if not state.own_login_manager:
        # Mounted: the host app logs people in.
        return redirect(target or scm_url("home.index"))
    if get_user() is not None:
        return redirect(target or scm_url("home.index"))
    config = current_app.config
    if config["SCM_AUTH"] == "header":
        user = header_user()
        if user is not None:
            login_user(user)
            return redirect(target or scm_url("home.index"))
        return render_template("scm/auth/login.html", form=None, header_mode=True), 401
    form = LoginForm()
    if request.method == "GET":
        form.next.data = target or ""
    error = None
    if form.validate_on_submit():
        result = accounts.authenticate(
            state.db, form.username.data, form.password.data,
            max_failures=config["SCM_LOGIN_MAX_FAILURES"], lock_minutes=config["SCM_LOGIN_LOCK_MINUTES"],
            slowdown=config["SCM_LOGIN_SLOWDOWN_SECONDS"], ip=request.remote_addr)
        if result.outcome is accounts.LoginOutcome.OK:
            session.clear()  # no session fixation across the login boundary
            login_user(SCMUser.from_row(result.user))
            return redirect(safe_next(form.next.data) or scm_url("home.index"))
        if result.outcome is accounts.LoginOutcome.LOCKED:
            error = message("account_locked", until=format_datetime(result.locked_until))
        elif result.outcome is accounts.LoginOutcome.INACTIVE:
            error = message("account_inactive")
        else:
            error = message("bad_credentials")
    status = 401 if error else 200
    return render_template("scm/auth/login.html", form=form, error=error, header_mode=False), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if get_state().own_login_manager:
        logout_user()
        session.pop("scm_locale", None)
    return redirect(scm_url("auth.login"))


@bp.route("/locale", methods=["POST"])
@public
def set_locale():
    locale = request.form.get("locale", "")
    if locale in current_app.config["SCM_LOCALES"]:
        session["scm_locale"] = locale
        user = get_user()
        if user is not None:
            with get_state().db.transaction() as tx:
                users_repo.set_locale(tx, user.id, locale)
    return redirect(safe_next(request.form.get("next")) or scm_url("home.index"))
