from flask import Blueprint, flash, redirect, render_template, request
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import orders as orders_repo
from scm_plugin.erp_bridge.repos import outbox as outbox_repo
from scm_plugin.erp_bridge.repos import users as users_repo

from scm_plugin import accounts, audit
from scm_plugin.auth import get_user, require
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.forms import choice
from scm_plugin.i18n import _
from scm_plugin.messages import field_messages
from scm_plugin.permissions import current_scope, ensure_customer
from scm_plugin.state import get_db
from scm_plugin.web import scm_url

from .forms import EditUserForm, GrantForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _customer_choices():
    customers = get_db().read(erp_repo.all_customers)
    return [choice("", "—")] + [choice(c["code"], f"{c['code']} {c['name']}") for c in customers]


def _apply_errors(form, exc: InvalidInput):
    for name, text in field_messages(exc.fields).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [text + (f" ({exc.detail})" if exc.detail else "")]
        else:
            flash(text, "error")


@bp.route("/users", methods=["GET", "POST"])
@require("admin")
def users():
    form = UserForm()
    form.customer_code.choices = _customer_choices()
    if form.validate_on_submit():
        try:
            accounts.create_user(get_db(), username=form.username.data, role=form.role.data,
                                 password=form.password.data or None,
                                 customer_code=form.customer_code.data or None,
                                 display_name=form.display_name.data or None,
                                 email=form.email.data or None, mobile=form.mobile.data or None,
                                 erp_name=form.erp_name.data or None,
                                 actor=get_user().username, ip=request.remote_addr)
        except InvalidInput as exc:
            _apply_errors(form, exc)
        else:
            flash(_("User %(name)s created.", name=form.username.data), "success")
            return redirect(scm_url("admin.users"))
    rows = get_db().read(users_repo.all_users)
    status = 400 if form.errors else 200
    return render_template("scm/admin/users.html", form=form, users=rows), status


def _user_or_404(user_id: int) -> dict:
    row = get_db().read(lambda tx: users_repo.by_id(tx, user_id))
    if row is None:
        raise NotFound("user")
    return row


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    form = EditUserForm(data=None if request.method == "POST" else {
        **user, "active": bool(user["active"]), "password": ""})
    form.customer_code.choices = _customer_choices()
    grant_form = GrantForm(prefix="g")
    grant_form.customer_codes.choices = [choice("*", _("All customers"))] + _customer_choices()[1:]
    if request.method == "POST" and form.validate_on_submit():
        try:
            _save_user(user, form)
        except InvalidInput as exc:
            _apply_errors(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(scm_url("admin.user_detail", user_id=user_id))
    grants = get_db().read(lambda tx: users_repo.grants_of_user(tx, user_id))
    audit = get_db().read(lambda tx: users_repo.audit_of_object(tx, "user", user_id))
    status = 400 if form.errors else 200
    return render_template("scm/admin/user_detail.html", user=user, form=form, grant_form=grant_form,
                           grants=grants, audit=audit[-50:]), status


def _save_user(user: dict, form: EditUserForm) -> None:
    accounts.update_user(get_db(), user, role=form.role.data, customer_code=form.customer_code.data or None,
                         display_name=form.display_name.data or None, email=form.email.data or None,
                         mobile=form.mobile.data or None, erp_name=form.erp_name.data or None,
                         active=bool(form.active.data),
                         actor=get_user().username, ip=request.remote_addr)


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
@require("admin")
def grant(user_id: int):
    user = _user_or_404(user_id)
    form = GrantForm(prefix="g")
    form.customer_codes.choices = []
    if form.validate_on_submit():
        try:
            accounts.grant(get_db(), user["username"], form.customer_codes.data,
                           until=form.valid_until.data, actor=get_user().username, ip=request.remote_addr)
        except InvalidInput as exc:
            for text in field_messages(exc.fields).values():
                flash(text + (f" ({exc.detail})" if exc.detail else ""), "error")
        else:
            flash(_("Customers granted."), "success")
    else:
        for errors in form.errors.values():
            for text in errors:
                flash(text, "error")
    return redirect(scm_url("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/grants/revoke", methods=["POST"])
@require("admin")
def revoke(user_id: int):
    user = _user_or_404(user_id)
    code = request.form.get("customer_code", "")
    accounts.revoke(get_db(), user["username"], [code], actor=get_user().username, ip=request.remote_addr)
    flash(_("Grant removed."), "success")
    return redirect(scm_url("admin.user_detail", user_id=user_id))


@bp.route("/grants")
@require("admin")
def grants():
    rows = get_db().read(users_repo.all_grants)
    return render_template("scm/admin/grants.html", grants=rows)


@bp.route("/customers", methods=["GET", "POST"])
@require("admin")
def customers():
    """Per customer: whether its reps are mailed when it places an order."""
    db = get_db()
    if request.method == "POST":
        code = request.form.get("customer_code", "")
        notify = request.form.get("notify_reps") == "1"
        with db.transaction() as tx:
            ensure_customer(tx, code)
            orders_repo.set_customer_notify(tx, code, notify, get_user().username)
            audit.record(tx, "customer.notify", "customer", code, customer_code=code, detail=f"notify_reps={notify}")
        flash(_("Saved."), "success")
        return redirect(scm_url("admin.customers"))
    rows = db.read(lambda tx: orders_repo.customer_prefs(tx, current_scope()))
    return render_template("scm/admin/customers.html", customers=rows)


@bp.route("/outbox")
@require("admin")
def outbox():
    status = request.args.get("status") or None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = get_db().read(lambda tx: outbox_repo.listing(tx, current_scope(), status, 50, (page - 1) * 50))
    return render_template("scm/admin/outbox.html", rows=rows, total=total, page=page, per_page=50, status=status)


@bp.route("/outbox/<int:row_id>/retry", methods=["POST"])
@require("admin")
def outbox_retry(row_id: int):
    with get_db().transaction() as tx:
        row = outbox_repo.row_in_scope(tx, current_scope(), row_id)
        if row is None:
            raise NotFound("outbox")
        if outbox_repo.retry_failed(tx, row_id):
            audit.record(tx, "outbox.retry", "outbox", row_id, customer_code=row["customer_code"])
            flash(_("It will be sent again shortly."), "success")
    return redirect(scm_url("admin.outbox", status="failed"))
