"""The landing page: 客户业务管理 with the nine functions and what waits in the user's scope."""
from flask import Blueprint

bp = Blueprint("home", __name__)

from . import views  # noqa: E402,F401
