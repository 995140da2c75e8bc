"""Functions 1 and 2: sales-order review (销售订单审核) and sample-order review (样板订单审核)."""
from flask import Blueprint

bp = Blueprint("order_review", __name__, url_prefix="/review")

from . import jobs, views  # noqa: E402,F401
