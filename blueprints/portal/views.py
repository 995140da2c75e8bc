from flask import Blueprint, flash, redirect, render_template, request
from pydantic import ValidationError

from scm_plugin import attachments, orders
from scm_plugin.auth import get_user, require
from scm_plugin.erp_widths import form_widths
from scm_plugin.errors import InvalidInput
from scm_plugin.i18n import _
from scm_plugin.messages import field_messages
from scm_plugin.order_schemas import KINDS, OrderIn, order_as_form_data
from scm_plugin.permissions import current_scope
from scm_plugin.state import get_db
from scm_plugin.validation import validation_fields
from scm_plugin.web import scm_url

from .forms import blank_lines, order_data_from_form, schema_input

bp = Blueprint("portal", __name__, url_prefix="/portal")


PER_PAGE = 20


@bp.route("/")
@require("customer")
def index():
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    status = request.args.get("status") if request.args.get("status") in ("pending", "approved", "rejected") else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = orders.search(get_db(), current_scope(), kind=kind, status=status,
                                limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("scm/portal/index.html", orders=rows, total=total, page=page, per_page=PER_PAGE,
                           kind=kind, status=status)


@bp.route("/orders/new", methods=["GET", "POST"])
@require("customer")
def new_order():
    user = get_user()
    kind = request.values.get("kind") if request.values.get("kind") in KINDS else "sales"
    if request.method == "GET":
        data = {"kind": kind, "customer_order_no": "", "requested_date": "", "remarks": "", "lines": []}
        copy_of = request.args.get("copy")
        if copy_of:
            original = orders.get_order(get_db(), current_scope(), copy_of)
            data = order_as_form_data(original)
            kind = data["kind"]
        data["lines"] = data["lines"] + blank_lines(max(1, 3 - len(data["lines"])))
        return render_template("scm/portal/order_form.html", data=data, kind=kind, errors={}, drafts=[],
                               copy_of=copy_of, widths=form_widths())

    data = order_data_from_form(request.form, kind)
    uploads = attachments.present(request.files.getlist("files"))
    draft_ids = request.form.getlist("draft_ids")
    copy_of = request.form.get("copy_of") or None
    errors: dict[str, str] = {}
    try:
        order_in = OrderIn.model_validate(schema_input(data))
    except ValidationError as exc:
        errors = validation_fields(exc)
        order_in = None
    if order_in is not None:
        try:
            order, _replayed = orders.place_order(
                get_db(), user, current_scope(), order_in, uploads=uploads,
                draft_ids=[d for d in draft_ids if d.isdigit()], copied_from=copy_of,
                idempotency_key=request.form.get("form_token"))
        except InvalidInput as exc:
            errors = exc.fields
        else:
            flash(_("Order %(no)s was placed. A mail to your customer representative is queued for sending.",
                    no=order["order_no"]),
                  "success")
            return redirect(scm_url("portal.order_detail", order_no=order["order_no"]))
    # Keep everything the customer entered, the files included.
    drafts, file_errors = attachments.keep_drafts(get_db(), user, uploads, draft_ids)
    errors.update(file_errors)
    data["lines"] = data["lines"] + blank_lines(1 if data["lines"] else 3)
    return render_template("scm/portal/order_form.html", data=data, kind=kind,
                           errors=field_messages(errors), drafts=drafts, copy_of=copy_of, widths=form_widths()), 400


@bp.route("/orders/<order_no>")
@require("customer")
def order_detail(order_no):
    order = orders.get_order(get_db(), current_scope(), order_no)
    return render_template("scm/portal/order_detail.html", order=order)


@bp.route("/orders/<order_no>/attachments/<int:attachment_id>")
@require("customer")
def attachment(order_no, attachment_id):
    return attachments.download(orders.get_attachment(get_db(), current_scope(), order_no, attachment_id))
