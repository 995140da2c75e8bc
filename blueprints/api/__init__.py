"""JSON API v1 at ``{prefix}/api/v1``: bearer tokens or the browser session (then
writes need ``X-CSRFToken``), the error format of API.md, and an OpenAPI document
generated from the same pydantic schemas that validate requests."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402,F401
from . import orders  # noqa: E402,F401
