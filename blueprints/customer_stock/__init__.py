"""Function 6: customer stock upkeep (客户库存维护) — the customers' stock figures kept
by their reps, with history, consumption rate and days of cover."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import STAFF

from . import api, views

DEFAULTS = {
    "SCM_STOCK_RATE_WINDOW_DAYS": 90,   # consumption rate over this many days of history
}

module = Module(
    name="customer_stock",
    blueprint=views.bp,
    api=api.routes,
    menu=(MenuEntry(6, "customer_stock.index", "Customer stock upkeep", STAFF),),
    defaults=DEFAULTS,
)
