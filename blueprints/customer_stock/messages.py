"""Message codes of customer stock upkeep (function 6)."""
from scm_plugin.i18n import _l
from scm_plugin.messages import register

register({
    "customer_stock_unknown": _l("No stock of this item is recorded for this customer."),
})
