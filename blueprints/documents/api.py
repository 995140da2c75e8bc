"""API: documents for customers (function 8) — the same services as the pages."""

from flask import jsonify, request
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin import attachments
from scm_plugin.auth import get_user
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.validation import parse, schema_input

from . import forms
from . import services as documents

routes = ApiRoutes()


@routes.route("/documents", "POST",
           summary="Share a document: multipart subject, customer_codes[] (repeated), file, expires_on (optional)",
           roles=STAFF, response=documents.DocumentOut, status=201,
           multipart={"subject": "", "customer_codes[]?": "", "customer_codes?": "", "file": "binary",
                      "expires_on?": "date"})
def create_document():
    data = parse(documents.DocumentIn, schema_input(forms.document_data(request.form)))
    doc = documents.share(get_db(), get_user(), current_scope(), data, request.files.get("file"))
    resp = jsonify(documents.to_api(doc))
    resp.status_code = 201
    return resp


@routes.route("/documents", "GET", summary="Documents in the caller's scope (customers: the current ones)",
           roles=("customer", "rep", "admin"), query=documents.DocumentQuery, response=documents.DocumentListOut)
def list_documents(query: documents.DocumentQuery):
    rows, total = documents.search(get_db(), current_scope(), page=query.page, per_page=query.per_page,
                                   **query.filters())
    return jsonify({"items": [documents.to_api(r) for r in rows], "page": query.page, "per_page": query.per_page,
                    "total": total})


@routes.route("/documents/<int:document_id>", "GET", summary="One document with its read receipts",
           roles=("customer", "rep", "admin"), response=documents.DocumentOut)
def get_document(document_id: int):
    return jsonify(documents.to_api(documents.get_document(get_db(), current_scope(), document_id)))


@routes.route("/documents/<int:document_id>/file", "GET",
           summary="The file (a customer's download is recorded as the read receipt)",
           roles=("customer", "rep", "admin"), download=True)
def download_document(document_id: int):
    return attachments.download(documents.download(get_db(), get_user(), current_scope(), document_id))


@routes.route("/documents/<int:document_id>", "DELETE",
           summary="Withdraw: customers no longer see it; kept in the audit trail", roles=STAFF,
           status=204)
def withdraw_document(document_id: int):
    documents.withdraw(get_db(), get_user(), current_scope(), document_id)
    return "", 204
