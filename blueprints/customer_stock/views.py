from flask import Blueprint, flash, redirect, render_template, request

from scm_plugin import export
from scm_plugin.auth import get_user, require
from scm_plugin.erp_widths import width
from scm_plugin.errors import InvalidInput
from scm_plugin.i18n import _, format_quantity, local_today
from scm_plugin.items import NoSuchItem
from scm_plugin.messages import message
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.web import scm_url

from . import services
from .forms import StockForm

bp = Blueprint("customer_stock", __name__, url_prefix="/customer-stock")


@bp.route("/")
@require(*STAFF)
def index():
    """选择客户: the customers granted to the user."""
    chosen = request.args.get("customer", "").strip()
    if chosen:
        return redirect(scm_url("customer_stock.customer", customer_code=chosen))
    customers = services.customers(get_db(), current_scope())
    return render_template("scm/customer_stock/index.html", customers=customers)


@bp.route("/<customer_code>")
@require(*STAFF)
def customer(customer_code):
    data = services.stock_list(get_db(), current_scope(), customer_code, sort=request.args.get("sort", ""))
    customers = services.customers(get_db(), current_scope())
    return render_template("scm/customer_stock/list.html", customers=customers, **data)


@bp.route("/<customer_code>/export.xlsx")
@require(*STAFF)
def export_xlsx(customer_code):
    data = services.stock_list(get_db(), current_scope(), customer_code, sort=request.args.get("sort", ""))
    cust = data["customer"]
    headers = [_("Customer"), _("Customer name"), _("Inventory code"), _("Inventory name"), _("Specification"),
               _("Master-disc no"), _("Stock quantity"), _("Unit"), _("Remarks"), _("Last updated"),
               _("Updated by"), _("Use per day"), _("Days of cover"), _("Runs out on")]
    rows = ([cust["code"], cust["name"], r["inventory_code"], r["item_name"], r["spec"], r["master_disc_no"],
             r["quantity"], r["unit"], r["remarks"], r["updated_at"], r["updated_by_display"] or r["updated_by_name"],
             r["consumption"].per_day, r["consumption"].days_of_cover, r["consumption"].runs_out_on]
            for r in data["rows"])
    title = _("Customer stock upkeep")
    return export.xlsx_response(f"{title}-{cust['code']}-{local_today():%Y%m%d}.xlsx", title, headers, rows)


def _errors_into(form: StockForm, fields: dict[str, str]) -> None:
    for name, code in fields.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [message(code)]
        else:
            flash(message(code), "error")


def _save(form: StockForm, customer_code: str, inventory_code: str):
    """Save the figure; returns a redirect, or None with the messages on the form."""
    try:
        saved = services.record(get_db(), get_user(), current_scope(), customer_code, inventory_code,
                                form.quantity.data, form.remarks.data)
    except NoSuchItem:
        _errors_into(form, {"inventory_code": "no_such_item"})
        return None
    except InvalidInput as exc:
        _errors_into(form, exc.fields)
        return None
    flash(_("Saved: %(code)s %(name)s, stock %(qty)s.", code=saved["inventory_code"],
            name=saved["item"]["name"] or "", qty=format_quantity(saved["quantity"])), "success")
    return redirect(scm_url("customer_stock.customer", customer_code=saved["customer_code"],
                            _anchor=f"item-{saved['inventory_code']}"), 303)


@bp.route("/<customer_code>/new", methods=["GET", "POST"])
@require(*STAFF)
def new(customer_code):
    """新增货品: our inventory code → 查询 fills the item's details from the ERP; then the
    stock quantity and remarks → 保存."""
    db, scope = get_db(), current_scope()
    cust = services.customer(db, scope, customer_code)
    posted = request.method == "POST"
    form = StockForm(formdata=request.form if posted else request.args)
    code = form.inventory_code.data
    item, status = None, 200
    if posted and request.form.get("action") == "save":
        done = _save(form, cust["code"], code)
        if done is not None:
            return done
        status = 400
    if code is not None and not form.inventory_code.errors:
        # 查询 (or a save that failed on another field): the item's details from the ERP
        try:
            item = services.lookup_item(db, scope, cust["code"], code)
        except NoSuchItem:
            form.inventory_code.errors = [message("no_such_item")]
    return render_template("scm/customer_stock/new.html", customer=cust, form=form, item=item,
                           code_width=width("inventory_code")), status


@bp.route("/<customer_code>/items/<inventory_code>", methods=["GET", "POST"])
@require(*STAFF)
def item(customer_code, inventory_code):
    """维护: the item's figure, its history, and a new figure."""
    db, scope = get_db(), current_scope()
    data = services.item_detail(db, scope, customer_code, inventory_code)
    form = StockForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            done = _save(form, data["customer"]["code"], data["item"]["code"])
            if done is not None:
                return done
        status = 400
    else:
        form.remarks.data = data["current"]["remarks"] or ""
    return render_template("scm/customer_stock/item.html", form=form, **data), status
