"""Documents pages: the reps' list with read receipts, the upload form (资料上传: 文档主题,
选择客户, 上传), a document's page and withdrawal; the customers' list and downloads."""
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
from .forms import document_data

bp = Blueprint("documents", __name__, url_prefix="/documents")


EXPORT_LIMIT = 10000
# The page names the customer filter ``customer``; the API ``customer_code``.
PAGE_ARGS = {"customer_code": "customer"}


def _per_page() -> int:
    return int(current_app.config["SCM_PAGE_SIZE"])


# --- the reps' side ---------------------------------------------------------------------------
@bp.route("/")
@require(*STAFF)
def index():
    query = page_query(services.DocumentQuery, names=PAGE_ARGS)
    filters, page = query.filters(), query.page
    scope, db = current_scope(), get_db()
    rows, total = services.search(db, scope, page=page, per_page=_per_page(), **filters)
    customers = db.read(lambda tx: scope.customers(tx))
    return render_template("scm/documents/index.html", rows=rows, total=total, page=page, per_page=_per_page(),
                           filters=filters, customers=customers)


@bp.route("/export.xlsx")
@require(*STAFF)
def export_xlsx():
    filters = page_query(services.DocumentQuery, names=PAGE_ARGS, flag=False).filters()
    rows, _total = services.search(get_db(), current_scope(), page=1, per_page=EXPORT_LIMIT, **filters)
    headers = [_("No."), _("Document subject"), _("File"), _("Uploaded"), _("Uploaded by"), _("Last day"),
               _("Customer"), _("Customer name"), _("First download"), _("Downloaded by"), _("Downloads")]
    data = ([r["id"], r["subject"], r["original_name"], r["created_at"], r["uploaded_by_name"], r["last_day"],
             t["customer_code"], t["customer_name"], t["first_download_at"], t["first_download_by_name"],
             int(t["download_count"] or 0)] for r in rows for t in r["targets"])
    title = _("Document upload")
    return export.xlsx_response(f"{title}-{dt.date.today():%Y%m%d}.xlsx", title, headers, data)


def _form_page(data: dict, *, errors=None, drafts=(), status: int = 200):
    scope = current_scope()
    customers = get_db().read(lambda tx: scope.customers(tx))
    return render_template("scm/documents/new.html", data=data, customers=customers, errors=errors or {},
                           drafts=list(drafts)), status


@bp.route("/new", methods=["GET", "POST"])
@require(*STAFF)
def new():
    if request.method == "GET":
        return _form_page({"subject": "", "customer_codes": [], "expires_on": ""})
    user, db = get_user(), get_db()
    data = document_data(request.form)
    upload = request.files.get("file")
    draft_ids = request.form.getlist("draft_ids")
    draft_id = draft_ids[-1] if draft_ids and not attachments.present([upload]) else None
    try:
        parsed = parse(services.DocumentIn, schema_input(data))
        doc = services.share(db, user, current_scope(), parsed, upload, draft_id=draft_id)
    except InvalidInput as exc:
        new_file = attachments.present([upload])
        drafts, file_errors = attachments.keep_drafts(db, user, new_file, [] if new_file or not draft_id else [draft_id],
                                                      field="file")
        return _form_page(data, errors=field_messages({**exc.fields, **file_errors}), drafts=drafts, status=400)
    flash(_("%(subject)s was shared with %(n)s customers.", subject=doc["subject"], n=len(doc["targets"])),
          "success")
    return redirect(scm_url("documents.detail", document_id=doc["id"]), 303)


@bp.route("/<int:document_id>")
@require(*STAFF)
def detail(document_id):
    doc = services.get_document(get_db(), current_scope(), document_id, history=True)
    return render_template("scm/documents/detail.html", doc=doc)


@bp.route("/<int:document_id>/file")
@require(*STAFF)
def file(document_id):
    return attachments.download(services.download(get_db(), get_user(), current_scope(), document_id))


@bp.route("/<int:document_id>/withdraw", methods=["POST"])
@require(*STAFF)
def withdraw(document_id):
    try:
        services.withdraw(get_db(), get_user(), current_scope(), document_id)
    except Conflict as exc:
        flash(message(exc.code), "error")
        return redirect(scm_url("documents.detail", document_id=document_id), 303)
    flash(_("The document was withdrawn; customers no longer see it."), "success")
    return redirect(scm_url("documents.index"), 303)


# --- the customers' side ----------------------------------------------------------------------
@bp.route("/portal/")
@require("customer")
def portal_list():
    page = page_query(services.DocumentQuery).page
    rows, total = services.search(get_db(), current_scope(), page=page, per_page=_per_page())
    return render_template("scm/documents/portal_list.html", rows=rows, total=total, page=page,
                           per_page=_per_page())


@bp.route("/portal/<int:document_id>/file")
@require("customer")
def portal_file(document_id):
    return attachments.download(services.download(get_db(), get_user(), current_scope(), document_id))
