"""Feedback pages: the reps' list and detail (阅览 / 回复 / 删除, close, reopen) and the
customers' portal pages (file, follow, download). Thin: parse, call the services, render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request

from scm_plugin import attachments, export
from scm_plugin.auth import get_user, require
from scm_plugin.errors import Conflict, InvalidInput
from scm_plugin.filters import page_query
from scm_plugin.i18n import _
from scm_plugin.messages import field_messages, message
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.validation import parse, schema_input
from scm_plugin.web import scm_url

from . import services
from .forms import feedback_data

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


EXPORT_LIMIT = 10000
# The pages name the customer filter ``customer``; the API ``customer_code``.
PAGE_ARGS = {"customer_code": "customer"}
PORTAL_FILTERS = ("fb_type", "status", "date_from", "date_to")   # a customer neither sorts nor picks a customer


def _per_page() -> int:
    return int(current_app.config["SCM_PAGE_SIZE"])


def type_names() -> dict[str, str]:
    return {"complaint": _("Complaint"), "suggestion": _("Suggestion")}


def status_names() -> dict[str, str]:
    return {"new": _("New"), "replied": _("Replied"), "closed": _("Closed")}


@bp.context_processor
def _labels():
    return {"feedback_types": type_names(), "feedback_statuses": status_names()}


# --- the reps' side ---------------------------------------------------------------------------
@bp.route("/")
@require(*STAFF)
def index():
    query = page_query(services.FeedbackQuery, names=PAGE_ARGS)
    filters, page = query.filters(), query.page
    scope, db = current_scope(), get_db()
    rows, total = services.search(db, scope, page=page, per_page=_per_page(), **filters)
    customers = db.read(lambda tx: scope.customers(tx))
    return render_template("scm/feedback/index.html", rows=rows, total=total, page=page, per_page=_per_page(),
                           filters=filters, customers=customers, counts=services.status_counts(db, scope))


@bp.route("/export.xlsx")
@require(*STAFF)
def export_xlsx():
    filters = page_query(services.FeedbackQuery, names=PAGE_ARGS, flag=False).filters()
    rows, _total = services.search(get_db(), current_scope(), page=1, per_page=EXPORT_LIMIT, **filters)
    types, statuses = type_names(), status_names()
    headers = [_("No."), _("Customer"), _("Customer name"), _("Type"), _("Subject"), _("Filed"), _("Filed by"),
               _("Replies"), _("Last reply"), _("Status")]
    data = ([r["id"], r["customer_code"], r["customer_name"], types.get(r["fb_type"], r["fb_type"]), r["subject"],
             r["created_at"], r["created_by_name"], int(r["reply_count"] or 0), r["last_reply_at"],
             statuses.get(r["status"], r["status"])] for r in rows)
    title = _("Customer feedback")
    return export.xlsx_response(f"{title}-{dt.date.today():%Y%m%d}.xlsx", title, headers, data)


def _detail_page(feedback_id: int, *, status: int = 200, errors=None, drafts=(), body: str = "",
                 internal: bool = False):
    fb = services.get_feedback(get_db(), current_scope(), feedback_id, history=True)
    return render_template("scm/feedback/detail.html", fb=fb, errors=errors or {}, drafts=list(drafts),
                           reply_body=body, internal=internal), status


@bp.route("/<int:feedback_id>")
@require(*STAFF)
def detail(feedback_id):
    return _detail_page(feedback_id)


@bp.route("/<int:feedback_id>/reply", methods=["POST"])
@require(*STAFF)
def reply(feedback_id):
    user, db = get_user(), get_db()
    uploads = attachments.present(request.files.getlist("files"))
    draft_ids = request.form.getlist("draft_ids")
    body = request.form.get("body", "")
    internal = request.form.get("internal") == "1"
    try:
        services.reply(db, user, current_scope(), feedback_id, body, internal=internal, uploads=uploads,
                       draft_ids=draft_ids)
    except InvalidInput as exc:
        drafts, file_errors = attachments.keep_drafts(db, user, uploads, draft_ids)
        errors = {**exc.fields, **file_errors}
        return _detail_page(feedback_id, status=400, errors=field_messages(errors), drafts=drafts, body=body,
                            internal=internal)
    except Conflict as exc:
        flash(message(exc.code), "error")
        return redirect(scm_url("feedback.detail", feedback_id=feedback_id), 303)
    flash(_("The internal note was saved; the customer does not see it.") if internal
          else _("Your reply was saved. The customer sees it in the portal; a mail to the customer is queued for "
                 "sending."), "success")
    return redirect(scm_url("feedback.detail", feedback_id=feedback_id), 303)


@bp.route("/<int:feedback_id>/close", methods=["POST"])
@require(*STAFF)
def close(feedback_id):
    services.close(get_db(), get_user(), current_scope(), feedback_id)
    flash(_("The feedback was closed."), "success")
    return redirect(scm_url("feedback.detail", feedback_id=feedback_id), 303)


@bp.route("/<int:feedback_id>/reopen", methods=["POST"])
@require(*STAFF)
def reopen(feedback_id):
    services.reopen(get_db(), get_user(), current_scope(), feedback_id)
    flash(_("The feedback was reopened."), "success")
    return redirect(scm_url("feedback.detail", feedback_id=feedback_id), 303)


@bp.route("/<int:feedback_id>/delete", methods=["POST"])
@require(*STAFF)
def delete(feedback_id):
    services.delete(get_db(), get_user(), current_scope(), feedback_id)
    flash(_("The feedback was deleted. It stays in the audit trail."), "success")
    return redirect(scm_url("feedback.index"), 303)


@bp.route("/<int:feedback_id>/files/<int:attachment_id>")
@require(*STAFF)
def attachment(feedback_id, attachment_id):
    return attachments.download(services.get_attachment(get_db(), current_scope(), feedback_id, attachment_id))


# --- the customers' side ----------------------------------------------------------------------
@bp.route("/portal/")
@require("customer")
def portal_list():
    query = page_query(services.FeedbackQuery)
    filters, page = {k: v for k, v in query.filters().items() if k in PORTAL_FILTERS}, query.page
    rows, total = services.search(get_db(), current_scope(), page=page, per_page=_per_page(), **filters)
    return render_template("scm/feedback/portal_list.html", rows=rows, total=total, page=page,
                           per_page=_per_page(), filters=filters)


@bp.route("/portal/new", methods=["GET", "POST"])
@require("customer")
def portal_new():
    if request.method == "GET":
        kind = request.args.get("type")
        data = {"type": kind if kind in services.TYPES else "complaint", "subject": "", "body": ""}
        return render_template("scm/feedback/portal_new.html", data=data, errors={}, drafts=[])
    user, db = get_user(), get_db()
    data = feedback_data(request.form)
    uploads = attachments.present(request.files.getlist("files"))
    draft_ids = request.form.getlist("draft_ids")
    try:
        parsed = parse(services.FeedbackIn, schema_input(data))
        fb = services.file_feedback(db, user, current_scope(), parsed, uploads=uploads, draft_ids=draft_ids)
    except InvalidInput as exc:
        drafts, file_errors = attachments.keep_drafts(db, user, uploads, draft_ids)
        errors = {**exc.fields, **file_errors}
        return render_template("scm/feedback/portal_new.html", data=data, errors=field_messages(errors),
                               drafts=drafts), 400
    flash(_("Thank you. Your %(type)s was sent to your customer representative.",
            type=type_names()[fb["fb_type"]]), "success")
    return redirect(scm_url("feedback.portal_detail", feedback_id=fb["id"]), 303)


@bp.route("/portal/<int:feedback_id>")
@require("customer")
def portal_detail(feedback_id):
    fb = services.get_feedback(get_db(), current_scope(), feedback_id)
    return render_template("scm/feedback/portal_detail.html", fb=fb)


@bp.route("/portal/<int:feedback_id>/files/<int:attachment_id>")
@require("customer")
def portal_attachment(feedback_id, attachment_id):
    return attachments.download(services.get_attachment(get_db(), current_scope(), feedback_id, attachment_id))
