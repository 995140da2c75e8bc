import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request

from scm_plugin import attachments, export, orders
from scm_plugin.auth import get_user, require
from scm_plugin.errors import Conflict, ErpRejected, InvalidInput
from scm_plugin.filters import page_query
from scm_plugin.i18n import _
from scm_plugin.messages import error_text, field_messages, message
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.web import add_kind_views, scm_url

from . import services
from .forms import ApproveForm, RejectForm, ReviewQuery

bp = Blueprint("order_review", __name__, url_prefix="/review")


PER_PAGE = 50
EXPORT_LIMIT = 10000


# The page names the customer filter ``customer``.
PAGE_ARGS = {"customer_code": "customer"}


def queue(kind: str):
    query = page_query(ReviewQuery, names=PAGE_ARGS)
    filters, page = query.filters(), query.page
    partial = request.args.get("partial") == "1"
    data = services.queue(get_db(), get_user(), current_scope(), kind, page=page, per_page=PER_PAGE,
                          since=query.since, remember=not partial, **filters)
    context = dict(kind=kind, rows=data["rows"], total=data["total"], page=page, per_page=PER_PAGE,
                   filters=filters, since=data["since"].isoformat(), approve_form=ApproveForm())
    if partial:
        return render_template("scm/order_review/_rows.html", **context)
    customers = get_db().read(lambda tx: current_scope().customers(tx))
    return render_template("scm/order_review/queue.html", customers=customers,
                           refresh_seconds=current_app.config["SCM_REVIEW_REFRESH_SECONDS"], **context)


def export_xlsx(kind: str):
    filters = page_query(ReviewQuery, names=PAGE_ARGS, flag=False).filters()
    data = services.queue(get_db(), get_user(), current_scope(), kind, page=1, per_page=EXPORT_LIMIT,
                          remember=False, **filters)
    status_names = {"pending": _("Pending"), "approved": _("Approved"), "rejected": _("Rejected")}
    headers = [_("Order no"), _("Customer"), _("Customer name"), _("Your order no"), _("Placed"),
               _("Requested date"), _("Lines"), _("Status"), _("ERP form no"), _("Contract no"), _("Reason")]
    rows = ([r["order_no"], r["customer_code"], r["customer_name"], r["customer_order_no"], r["placed_at"],
             r["requested_date"], r["line_count"], status_names.get(r["status"], r["status"]), r["erp_form_no"],
             r["contract_no"], r["reject_reason"]] for r in data["rows"])
    title = _("Sample-order review") if kind == "sample" else _("Sales-order review")
    return export.xlsx_response(f"{title}-{dt.date.today():%Y%m%d}.xlsx", title, headers, rows)


add_kind_views(bp, "queue", queue, STAFF)
add_kind_views(bp, "export", export_xlsx, STAFF, suffix="/export.xlsx")


@bp.route("/orders/<order_no>")
@require(*STAFF)
def detail(order_no):
    order = services.detail(get_db(), current_scope(), order_no)
    return render_template("scm/order_review/detail.html", order=order, approve_form=ApproveForm(),
                           reject_form=RejectForm(), check_text=_check_text)


def _check_text(check) -> str:
    params = {k: (str(v) if not isinstance(v, str) else v) for k, v in check.params.items()}
    return message(check.code, **params)


@bp.route("/orders/<order_no>/approve", methods=["POST"])
@require(*STAFF)
def approve(order_no):
    ApproveForm().validate_on_submit()  # CSRF is checked by CSRFProtect before we get here
    try:
        decision = services.approve(get_db(), get_user(), current_scope(), order_no)
    except (Conflict, ErpRejected) as exc:
        flash(error_text(exc), "error")
        return redirect(scm_url("order_review.detail", order_no=order_no), 303)
    order = decision.order
    flash(_("Approved. ERP form %(form)s was created.", form=order["erp_form_no"]) if not decision.replayed
          else _("This order was already approved into ERP form %(form)s.", form=order["erp_form_no"]), "success")
    return redirect(scm_url("order_review.detail", order_no=order_no), 303)


@bp.route("/orders/<order_no>/reject", methods=["POST"])
@require(*STAFF)
def reject(order_no):
    form = RejectForm()
    if not form.validate_on_submit():
        order = services.detail(get_db(), current_scope(), order_no)
        return render_template("scm/order_review/detail.html", order=order, approve_form=ApproveForm(),
                               reject_form=form, check_text=_check_text), 400
    try:
        decision = services.reject(get_db(), get_user(), current_scope(), order_no, form.reason.data)
    except InvalidInput as exc:
        for text in field_messages(exc.fields).values():
            flash(text, "error")
        return redirect(scm_url("order_review.detail", order_no=order_no), 303)
    except Conflict as exc:
        flash(message(exc.code), "error")
        return redirect(scm_url("order_review.detail", order_no=order_no), 303)
    order = decision.order
    flash(_("Order %(no)s was rejected. The customer sees it in the portal; a mail to the customer is queued "
            "for sending.", no=order_no), "success")
    return redirect(scm_url(f"order_review.queue_{order['kind']}"), 303)


@bp.route("/orders/<order_no>/attachments/<int:attachment_id>")
@require(*STAFF)
def attachment(order_no, attachment_id):
    return attachments.download(orders.get_attachment(get_db(), current_scope(), order_no, attachment_id))

