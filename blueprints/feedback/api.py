"""API: customer feedback (function 7) — the same services as the pages."""

from flask import jsonify, request
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin import attachments
from scm_plugin.api_errors import api_error
from scm_plugin.auth import get_user
from scm_plugin.limits import read_json
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.validation import parse

from . import services as feedback

routes = ApiRoutes()


@routes.route("/feedback", "POST", summary="File a complaint or suggestion (customers, for their own company)",
           roles=("customer",), body=feedback.FeedbackIn, response=feedback.FeedbackOut, status=201)
def create_feedback(body: feedback.FeedbackIn):
    fb = feedback.file_feedback(get_db(), get_user(), current_scope(), body)
    resp = jsonify(feedback.to_api(fb))
    resp.status_code = 201
    return resp


@routes.route("/feedback", "GET", summary="Feedback in the caller's scope", roles=("customer", "rep", "admin"),
           query=feedback.FeedbackQuery, response=feedback.FeedbackListOut)
def list_feedback(query: feedback.FeedbackQuery):
    rows, total = feedback.search(get_db(), current_scope(), page=query.page, per_page=query.per_page,
                                  **query.filters())
    return jsonify({"items": [feedback.summary_to_api(r) for r in rows], "page": query.page,
                    "per_page": query.per_page, "total": total})


@routes.route("/feedback/<int:feedback_id>", "GET", summary="One feedback with its replies and files",
           roles=("customer", "rep", "admin"), response=feedback.FeedbackOut)
def get_feedback(feedback_id: int):
    return jsonify(feedback.to_api(feedback.get_feedback(get_db(), current_scope(), feedback_id)))


@routes.route("/feedback/<int:feedback_id>/attachments", "POST",
           summary="Add a file to your own open feedback (customers)", roles=("customer",),
           response=feedback.FileOut, status=201, multipart={"file": "binary"})
def add_feedback_attachment(feedback_id: int):
    att = feedback.add_attachment(get_db(), get_user(), current_scope(), feedback_id, request.files.get("file"))
    resp = jsonify(feedback.file_to_api(att))
    resp.status_code = 201
    return resp


@routes.route("/feedback/<int:feedback_id>/attachments/<int:attachment_id>", "GET",
           summary="Download a file of the feedback or of one of its replies", roles=("customer", "rep", "admin"), download=True)
def get_feedback_attachment(feedback_id: int, attachment_id: int):
    return attachments.download(feedback.get_attachment(get_db(), current_scope(), feedback_id, attachment_id))


@routes.route("/feedback/<int:feedback_id>/replies", "POST",
           summary="Reply (JSON {body, internal} or multipart body, internal, files); the customer is mailed",
           roles=STAFF, response=feedback.ReplyOut, status=201,
           multipart={"body?": "", "internal?": "", "files?": "binary", "file?": "binary"},
           json_alternative=feedback.ReplyIn)
def reply_feedback(feedback_id: int):
    # The feedback is checked before the input is read: outside the scope the answer is
    # 404 whatever was sent.
    feedback.ensure_visible(get_db(), current_scope(), feedback_id)
    if request.mimetype == "multipart/form-data" or request.mimetype == "application/x-www-form-urlencoded":
        body = request.form.get("body")
        internal = request.form.get("internal", "").lower() in ("1", "true", "yes", "on")
        uploads = request.files.getlist("files") + request.files.getlist("file")
    else:
        data = read_json()
        if not isinstance(data, dict):
            return api_error(400, "invalid_input", {"body": "json_object_required"})
        parsed = parse(feedback.ReplyIn, data)
        body, internal, uploads = parsed.body, parsed.internal, []
    reply = feedback.reply(get_db(), get_user(), current_scope(), feedback_id, body, internal=internal,
                           uploads=uploads)
    resp = jsonify(feedback.reply_to_api(reply))
    resp.status_code = 201
    return resp


@routes.route("/feedback/<int:feedback_id>/close", "POST", summary="Close: handled, no further replies",
           roles=STAFF, response=feedback.FeedbackOut)
def close_feedback(feedback_id: int):
    return jsonify(feedback.to_api(feedback.close(get_db(), get_user(), current_scope(), feedback_id)))


@routes.route("/feedback/<int:feedback_id>", "DELETE",
           summary="Delete: gone from both sides' lists, kept in the audit trail", roles=STAFF,
           status=204)
def delete_feedback(feedback_id: int):
    feedback.delete(get_db(), get_user(), current_scope(), feedback_id)
    return "", 204
