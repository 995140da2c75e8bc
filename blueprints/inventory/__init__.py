"""Function 5: inventory query (库存查询) — our warehouses, the customers granted to the
user and the suppliers; and the supplier stock import that keeps the supplier figures."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import STAFF

from . import api, messages, views

DEFAULTS = {
    "SCM_INVENTORY_MAX_MATCHES": 20,        # items shown for one name or master-disc no
    "SCM_SUPPLIER_IMPORT_MAX_ROWS": 5000,   # rows per supplier stock sheet
}

module = Module(
    name="inventory",
    blueprint=views.bp,
    api=api.routes,
    messages=messages.MESSAGES,
    menu=(MenuEntry(5, "inventory.query", "Inventory query", STAFF),),
    defaults=DEFAULTS,
)
