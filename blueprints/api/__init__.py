"""JSON API v1 at ``{prefix}/api/v1``: bearer tokens or the browser session (then
writes need ``X-CSRFToken``), the error format of API.md, and an OpenAPI document
generated from the same pydantic schemas that validate requests.

Every module of this package (``orders.py``, ``inventory.py``…) adds its routes to ``bp``.
"""
import importlib
import pkgutil

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402,F401  (core routes and the catch-all 404)

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    if _info.name not in ("views", "spec", "schemas"):
        importlib.import_module(f"{__name__}.{_info.name}")
