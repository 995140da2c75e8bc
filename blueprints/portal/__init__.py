"""The customers' side (客户服务): place sales and sample orders with documents, follow
their status, download their own files, re-place a rejected order as a copy."""
from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from . import views  # noqa: E402,F401
