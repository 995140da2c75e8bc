import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request

from scm_plugin import export, storage
from scm_plugin.auth import get_user, require
from scm_plugin.errors import InvalidInput
from scm_plugin.i18n import _, local_today
from scm_plugin.messages import message
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db
from scm_plugin.web import scm_url

from . import services, supplier_import
from .forms import ImportForm

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


ECHO_MAX = 300  # an over-long input is shown back cut to this length


def key_labels() -> dict[str, str]:
    return {"inventory_code": _("Inventory code"), "item_name": _("Inventory name"),
            "master_disc_no": _("Master-disc no")}


def kind_labels() -> dict[str | None, str]:
    return {"disc": _("Disc finished goods"), "material": _("Materials"),
            "accessory": _("Accessory-pack finished goods"), None: _("Other warehouse")}


def holder_labels() -> dict[str, str]:
    return {"own": _("Our warehouse"), "customer": _("Customer"), "supplier": _("Supplier")}


def _asked() -> tuple[str, str | None]:
    key = request.args.get("by")
    return (key if key in services.KEYS else "inventory_code"), request.args.get("q")


@bp.route("/")
@require(*STAFF)
def query():
    """库存查询: one complete key → the item and its stock; anything else → 无此货品信息."""
    key, raw = _asked()
    answers, not_found = [], False
    if raw is not None:
        try:
            answers = services.query(get_db(), current_scope(), key, raw)
        except services.NoSuchItem:
            not_found = True
    return render_template("scm/inventory/query.html", key=key, q=(raw or "")[:ECHO_MAX],
                           answers=answers, not_found=not_found, no_item_text=message("no_such_item"),
                           key_labels=key_labels(), kind_labels=kind_labels())


@bp.route("/export.xlsx")
@require(*STAFF)
def export_xlsx():
    key, raw = _asked()
    try:
        answers = services.query(get_db(), current_scope(), key, raw)
    except services.NoSuchItem:
        # back to the query, which answers 无此货品信息 for the same input
        return redirect(scm_url("inventory.query", by=key, q=(raw or "")[:ECHO_MAX]), 303)
    holders, kinds = holder_labels(), kind_labels()
    headers = [_("Inventory code"), _("Inventory name"), _("Master-disc no"), _("Held by"), _("Code"), _("Name"),
               _("Warehouse code"), _("Warehouse"), _("Warehouse kind"), _("Stock quantity"), _("Unit"),
               _("Last updated"), _("Updated by"), _("Remarks")]
    rows = []
    for row in services.export_rows(answers):
        row[3] = holders[row[3]]
        row[8] = kinds.get(row[8]) if row[3] == holders["own"] else None
        rows.append(row)
    title = _("Inventory query")
    code = answers[0].item["code"]
    return export.xlsx_response(f"{title}-{code}-{local_today():%Y%m%d}.xlsx", title, headers, rows)


# --- supplier stock ---------------------------------------------------------------------
@bp.route("/supplier-stock", methods=["GET", "POST"])
@require(*STAFF)
def supplier_stock():
    form = ImportForm()
    report = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("file")
        try:
            filename, data = _read_upload(upload)
        except InvalidInput as exc:
            form.file.errors = [message(exc.fields["file"])]
            status = 400
        else:
            report = supplier_import.run(get_db(), get_user(), filename, data)
            if report.imported:
                flash(_("%(n)s supplier stock figures were imported.", n=len(report.rows)), "success")
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    imports = supplier_import.recent_imports(get_db())
    return render_template("scm/inventory/supplier_stock.html", form=form, report=report, imports=imports,
                           problem_text=_problem_text, column_labels=_column_labels()), status


def _read_upload(upload) -> tuple[str, bytes]:
    if upload is None or not upload.filename:
        raise InvalidInput({"file": "file_required"})
    limit = storage.max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput({"file": "file_too_large"})
    if not data:
        raise InvalidInput({"file": "file_empty"})
    # The name is recorded with the import: it follows the content like every upload's.
    kind = storage.XLSX if data.startswith(b"PK\x03\x04") else storage.CSV
    return storage.check_name(storage.clean_name(upload.filename), kind), data


def _column_labels() -> dict:
    return {"supplier_code": _("Supplier code"), "inventory_code": _("Inventory code"),
            "quantity": _("Stock quantity"), None: ""}


def _problem_text(problem) -> str:
    return message(problem.code, **problem.params)


@bp.route("/supplier-stock/imports/<int:import_id>")
@require(*STAFF)
def supplier_import_detail(import_id):
    head = supplier_import.import_detail(get_db(), import_id)
    return render_template("scm/inventory/supplier_import.html", imp=head)


@bp.route("/supplier-stock/template.xlsx")
@require(*STAFF)
def supplier_template():
    """An empty sheet with the columns the import reads, and one example row."""
    headers = [supplier_import.HEADER_TEXT[c] for c in supplier_import.COLUMNS] + [_("Remarks")]
    example = [["V001", "2001001", 1250.5, _("Example row: replace it with your figures")]]
    return export.xlsx_response(f"{_('Supplier stock')}-{dt.date.today():%Y%m%d}.xlsx", _("Supplier stock"),
                                headers, example)
