"""Function 6: customer stock upkeep (客户库存维护) — the customers' stock figures kept
by their reps, with history, consumption rate and days of cover."""
from flask import Blueprint

bp = Blueprint("customer_stock", __name__, url_prefix="/customer-stock")

DEFAULTS = {
    "SCM_STOCK_RATE_WINDOW_DAYS": 90,   # consumption rate over this many days of history
}

from . import views  # noqa: E402,F401
