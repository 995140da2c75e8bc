import datetime as dt

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
)

from scm_plugin import export, sms
from scm_plugin.auth import get_user, public, require
from scm_plugin.errors import InvalidInput
from scm_plugin.i18n import _
from scm_plugin.messages import field_messages, message
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.web import scm_url

from . import services
from .forms import ComposeForm

bp = Blueprint("sms", __name__, url_prefix="/sms")


PER_PAGE = 50


@bp.record_once
def _exempt_reports_from_csrf(setup_state):
    # The gateway calls the report route; it proves itself with the message's secret.
    csrf = setup_state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(dlr)


@bp.context_processor
def _sms_context():
    return {"sms_reason": services.reason}


def _compose_page(form, *, preview=None, errors=None, selected=(), status=200):
    search = request.args.get("q", "").strip()[:40]
    groups, cut = services.contacts(get_db(), current_scope(), search=search or None)
    return render_template("scm/sms/compose.html", form=form, groups=groups, cut=cut, search=search,
                           preview=preview, errors=errors or {}, selected=set(selected),
                           settings=sms.settings()), status


@bp.route("/", methods=["GET", "POST"])
@require(*STAFF)
def compose():
    form = ComposeForm()
    if request.method == "GET":
        return _compose_page(form)
    selected = services.contact_ids(request.form.getlist("contact"))
    recipients = services.recipients_of(selected, form.numbers.data)
    if request.form.get("action") == "preview":
        return _compose_page(form, preview=services.preview(get_db(), current_scope(), recipients),
                             selected=selected)
    try:
        result = services.send(get_db(), get_user(), current_scope(), text=form.text.data, recipients=recipients)
    except InvalidInput as exc:
        preview = services.preview(get_db(), current_scope(), recipients) if recipients else None
        return _compose_page(form, preview=preview, errors=field_messages(exc.fields), selected=selected,
                             status=400)
    queued = sum(1 for m in result["messages"] if m["status"] == "queued")
    invalid = len(result["messages"]) - queued
    flash(message("sms_queued", n=queued), "success")
    if invalid:
        flash(message("sms_some_invalid", n=invalid), "error")
    return redirect(scm_url("sms.batch", batch_id=result["batch_id"]), 303)


@bp.route("/preview", methods=["POST"])
@require(*STAFF)
def preview():
    """The numbers as they will be sent (the compose page asks while the rep picks)."""
    selected = services.contact_ids(request.form.getlist("contact"))
    recipients = services.recipients_of(selected, request.form.get("numbers", "")[:4000])
    return render_template("scm/sms/_preview.html",
                           preview=services.preview(get_db(), current_scope(), recipients))


@bp.route("/batches")
@require(*STAFF)
def batches():
    page = max(1, request.args.get("page", 1, type=int) or 1)
    source = request.args.get("source") if request.args.get("source") in ("manual", "alarm") else None
    rows, total = services.batches(get_db(), get_user(), current_scope(), source=source, page=page,
                                   per_page=PER_PAGE)
    return render_template("scm/sms/batches.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           source=source)


@bp.route("/batches/<int:batch_id>")
@require(*STAFF)
def batch(batch_id):
    head = services.batch(get_db(), get_user(), current_scope(), batch_id)
    if request.args.get("partial") == "1":
        return render_template("scm/sms/_batch_status.html", batch=head)
    return render_template("scm/sms/batch.html", batch=head,
                           refresh_seconds=int(current_app.config["SCM_SMS_REFRESH_SECONDS"]))


@bp.route("/batches/<int:batch_id>/export.xlsx")
@require(*STAFF)
def batch_export(batch_id):
    head = services.batch(get_db(), get_user(), current_scope(), batch_id)
    kinds = {"mobile": _("Mobile"), "phs": _("PHS")}
    headers = [_("Recipient"), _("Customer"), _("Contact"), _("Number as sent"), _("Kind"), _("Status"),
               _("Reason"), _("Sent"), _("Delivered")]
    rows = ([m["input"], m["customer_code"], m["contact_name"], m["number"], kinds.get(m["kind"], ""),
             _status_name(m["status"]), m["reason"], m["sent_at"], m["delivered_at"]] for m in head["messages"])
    return export.xlsx_response(f"SMS-{batch_id}-{dt.date.today():%Y%m%d}.xlsx", _("Send SMS"), headers, rows)


def _status_name(status: str) -> str:
    return {"queued": _("Queued"), "sent": _("Sent"), "delivered": _("Delivered"), "failed": _("Failed"),
            "invalid": _("Cannot receive")}.get(status, status)


@bp.route("/dlr/<int:message_id>/<token>", methods=["GET", "POST"])
@public
def dlr(message_id, token):
    """Kannel's delivery report for one message (``dlr-url``). Public in role terms but
    answered only with the message's own secret; anything else is a bare 404 that tells
    nothing about the message."""
    report_type = request.values.get("type", type=int)
    outcome = sms.record_report(get_db(), message_id, token[:100], report_type, request.values.get("reason", "")[:200])
    if outcome is None:
        return Response("", status=404, mimetype="text/plain")
    return Response("OK", mimetype="text/plain")
