"""Function 5: inventory query (库存查询) — our warehouses, the customers granted to the
user and the suppliers; and the supplier stock import that keeps the supplier figures."""
from flask import Blueprint

bp = Blueprint("inventory", __name__, url_prefix="/inventory")

DEFAULTS = {
    "SCM_INVENTORY_MAX_MATCHES": 20,        # items shown for one name or master-disc no
    "SCM_SUPPLIER_IMPORT_MAX_ROWS": 5000,   # rows per supplier stock sheet
}

from . import messages, views  # noqa: E402,F401
