"""Pages of functions 3 and 4: the search per kind, the policy of one order (editor,
alarms, the ERP's progress, history), the alarm list, and the admins' checkpoint
templates. Thin: parse, call the policy and template functions, render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request
from pydantic import ValidationError

from scm_plugin import export, i18n
from scm_plugin.auth import get_user, require, safe_next
from scm_plugin.errors import Conflict, InvalidInput
from scm_plugin.filters import page_query
from scm_plugin.i18n import _
from scm_plugin.messages import field_messages, message
from scm_plugin.permissions import current_scope
from scm_plugin.quantities import plain
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.validation import validation_fields
from scm_plugin.web import add_kind_views, scm_url

from . import checkpoint_templates, forms
from . import policy as policies  # not `policy`: that is the name of a view below
from .schemas import PolicyIn
from .steps import process_steps

bp = Blueprint("alert_policy", __name__, url_prefix="/alerts")


PER_PAGE = 50
EXPORT_LIMIT = 10000


# --- the search (订单策略管理 / 样板单策略管理) ---------------------------------------------------
def search(kind: str):
    query = page_query(forms.SearchQuery, names=forms.PAGE_ARGS)
    filters, page = query.filters(), query.page
    rows, total = policies.search(get_db(), current_scope(), kind, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                                  **filters)
    customers = get_db().read(lambda tx: current_scope().customers(tx))
    open_alarms = policies.open_alarm_total(get_db(), current_scope())
    return render_template("scm/alert_policy/search.html", kind=kind, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, filters=filters, customers=customers, open_alarms=open_alarms)


def export_search(kind: str):
    filters = page_query(forms.SearchQuery, names=forms.PAGE_ARGS, flag=False).filters()
    rows, _total = policies.search(get_db(), current_scope(), kind, limit=EXPORT_LIMIT, offset=0, **filters)
    states = {"none": _("No policy"), "active": _("Policy set"), "alarm": _("Alarm")}
    statuses = {"pending": _("Pending"), "approved": _("Approved"), "rejected": _("Rejected")}
    headers = [_("Order no"), _("Customer"), _("Customer name"), _("Your order no"), _("Placed"),
               _("Requested date"), _("Status"), _("ERP form no"), _("Contract no"), _("Alert policy"),
               _("Checkpoints"), _("Open warnings")]
    data = ([r["order_no"], r["customer_code"], r["customer_name"], r["customer_order_no"], r["placed_at"],
             r["requested_date"], statuses.get(r["status"], r["status"]), r["erp_form_no"], r["contract_no"],
             states.get(r["policy_state"], r["policy_state"]), int(r["checkpoint_count"] or 0),
             int(r["open_warnings"] or 0)] for r in rows)
    title = _("Sample-order alert policy") if kind == "sample" else _("Order alert policy")
    return export.xlsx_response(f"{title}-{dt.date.today():%Y%m%d}.xlsx", title, headers, data)


add_kind_views(bp, "search", search, STAFF)
add_kind_views(bp, "export", export_search, STAFF, suffix="/export.xlsx")


# --- one order's policy ------------------------------------------------------------------------
def _local_input(value: dt.datetime | None) -> str:
    return i18n.to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _editor_rows(view: dict) -> tuple[list[dict], dict | None]:
    """What the editor shows: a chosen template, else the saved checkpoints, else the
    best fitting template for a new policy, else empty rows."""
    chosen = request.args.get("template", type=int)
    template = None
    if chosen:
        template = next((t for t in view["templates"] if t["id"] == chosen), None)
    elif not view["checkpoints"] and view["templates"] and not view["policy"]:
        template = view["templates"][0]
    if template is not None:
        rows = [{"due_at": r["due_local"].strftime("%Y-%m-%dT%H:%M") if r["due_local"] else "",
                 "process_step": r["process_step"], "quantity": r["quantity"]}
                for r in checkpoint_templates.prefill(template, view["order"], view["lines"])]
        return rows, template
    return [{"due_at": _local_input(c["due_at"]), "process_step": c["process_code"],
             "quantity": plain(c["quantity"])} for c in view["checkpoints"]], None


def _render_policy(order_no: str, *, rows=None, sms=None, errors=None, template=None, status: int = 200):
    view = policies.policy_view(get_db(), current_scope(), order_no)
    if rows is None:
        rows, template = _editor_rows(view)
    if sms is None:
        user = get_user()
        sms = view["sms_to"] if view["policy"] else ([f"user:{user.username}"] if user.mobile else [])
    user_entries = [e for e in sms if e.startswith("user:")]
    me = f"user:{get_user().username}"
    if me not in user_entries:
        user_entries.insert(0, me)
    other = [e for e in sms if not e.startswith(("user:", "contact:"))]
    return render_template(
        "scm/alert_policy/policy.html", view=view, order=view["order"], rows=rows + forms.blank_checkpoints(1),
        errors=field_messages(errors or {}), template=template, sms=sms, user_entries=user_entries, me=me,
        other_numbers="\n".join(other)), status


@bp.route("/orders/<order_no>")
@require(*STAFF)
def policy(order_no):
    return _render_policy(order_no)


@bp.route("/orders/<order_no>", methods=["POST"])
@require(*STAFF)
def save(order_no):
    data = forms.policy_data_from_form(request.form)
    template_id = request.form.get("template_id", type=int)
    try:
        body = PolicyIn.model_validate(forms.schema_input(data))
        policies.save_policy(get_db(), get_user(), current_scope(), order_no, body, template_id=template_id)
    except ValidationError as exc:
        return _render_policy(order_no, rows=data["checkpoints"], sms=data["sms_to"],
                              errors=validation_fields(exc), status=400)
    except InvalidInput as exc:
        return _render_policy(order_no, rows=data["checkpoints"], sms=data["sms_to"], errors=exc.fields,
                              status=400)
    except Conflict as exc:
        flash(message(exc.code), "error")
        return _render_policy(order_no, status=409)
    flash(_("The alert policy of %(no)s was saved.", no=order_no), "success")
    return redirect(scm_url("alert_policy.policy", order_no=order_no), 303)


# --- alarms ------------------------------------------------------------------------------------
@bp.route("/alarms")
@require(*STAFF)
def alarms():
    query = page_query(forms.AlarmPageQuery, names=forms.PAGE_ARGS)
    filters, page = query.filters(), query.page
    rows, total = policies.alarms(get_db(), current_scope(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                                  **query.service_filters())
    customers = get_db().read(lambda tx: current_scope().customers(tx))
    return render_template("scm/alert_policy/alarms.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, customers=customers)


@bp.route("/alarms/export.xlsx")
@require(*STAFF)
def export_alarms():
    query = page_query(forms.AlarmPageQuery, names=forms.PAGE_ARGS, flag=False)
    rows, _total = policies.alarms(get_db(), current_scope(), limit=EXPORT_LIMIT, offset=0,
                                   **query.service_filters())
    levels = {"alarm": _("Alarm"), "warning": _("Early warning")}
    statuses = {"open": _("Unhandled"), "cancelled": _("Cancelled")}
    headers = [_("Raised"), _("Level"), _("Status"), _("Order no"), _("Contract no"), _("Customer"),
               _("Customer name"), _("Process step"), _("Due"), _("Expected quantity"), _("Reached"),
               _("Cancelled"), _("Cancelled by"), _("Note")]
    data = ([r["raised_at"], levels.get(r["level"], r["level"]), statuses.get(r["status"], r["status"]),
             r["order_no"], r["contract_no"], r["customer_code"], r["customer_name"],
             r["process_name"] or r["process_code"], r["due_at"], r["quantity"], r["reached_qty"],
             r["cancelled_at"], r["cancelled_by_name"], r["cancel_note"]] for r in rows)
    title = _("Alarms")
    return export.xlsx_response(f"{title}-{dt.date.today():%Y%m%d}.xlsx", title, headers, data)


@bp.route("/alarms/<int:alarm_id>/cancel", methods=["POST"])
@require(*STAFF)
def cancel_alarm(alarm_id):
    target = safe_next(request.form.get("next")) or scm_url("alert_policy.alarms")
    try:
        row = policies.cancel_alarm(get_db(), get_user(), current_scope(), alarm_id, request.form.get("note"))
    except InvalidInput as exc:
        for text in field_messages(exc.fields).values():
            flash(text, "error")
        return redirect(target, 303)
    except Conflict as exc:
        flash(message(exc.code), "error")
        return redirect(target, 303)
    flash(_("The alarm on %(no)s was cancelled.", no=row["order_no"]), "success")
    return redirect(target, 303)


# --- checkpoint templates (admins) --------------------------------------------------------------
def _render_templates(*, editing=None, rows=None, values=None, errors=None, status: int = 200):
    db = get_db()
    if rows is None:
        rows = [{"step": r.step, "days_before": str(r.days_before), "amount": r.amount_text()}
                for r in (editing["rows"] if editing else [])]
    values = values or {"name": editing["name"] if editing else "",
                        "family": (editing["family"] or "") if editing else ""}
    steps = db.read(process_steps)
    return render_template("scm/alert_policy/templates.html", templates=checkpoint_templates.templates(db), editing=editing,
                           rows=rows + [{"step": "", "days_before": "", "amount": ""} for _ in range(2)],
                           values=values, errors=field_messages(errors or {}), steps=steps,
                           families=checkpoint_templates.item_families(db)), status


@bp.route("/templates")
@require("admin")
def templates():
    return _render_templates()


@bp.route("/templates", methods=["POST"])
@require("admin")
def template_create():
    return _save_template(None)


@bp.route("/templates/<int:template_id>")
@require("admin")
def template_edit(template_id):
    return _render_templates(editing=checkpoint_templates.get_template(get_db(), template_id))


@bp.route("/templates/<int:template_id>", methods=["POST"])
@require("admin")
def template_update(template_id):
    checkpoint_templates.get_template(get_db(), template_id)
    return _save_template(template_id)


def _save_template(template_id: int | None):
    rows = forms.template_rows_from_form(request.form)
    values = {"name": request.form.get("name", ""), "family": request.form.get("family", "")}
    try:
        checkpoint_templates.save_template(get_db(), get_user(), template_id, name=values["name"], family=values["family"],
                               rows=rows)
    except InvalidInput as exc:
        editing = checkpoint_templates.get_template(get_db(), template_id) if template_id else None
        return _render_templates(editing=editing, rows=rows, values=values, errors=exc.fields, status=400)
    flash(_("The checkpoint template was saved."), "success")
    return redirect(scm_url("alert_policy.templates"), 303)


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@require("admin")
def template_delete(template_id):
    checkpoint_templates.delete_template(get_db(), get_user(), template_id)
    flash(_("The checkpoint template was deleted."), "success")
    return redirect(scm_url("alert_policy.templates"), 303)

