"""The plugin's modules: one parent ``scm`` blueprint with a child per module.

The parent is built per app (its name and prefix are the host's choice); each module
package exports a module-level ``bp`` that is nested under it. Endpoints read
``scm.<module>.<view>``.
"""
from __future__ import annotations

import importlib
from importlib.resources import files

from flask import Blueprint

# Modules always present, then the switchable ones (SCM_ENABLED_MODULES), in menu order.
CORE = ("home", "auth")
PACKAGES = {
    "home": "scm_plugin.blueprints.home",
    "auth": "scm_plugin.blueprints.auth",
    "order_review": "scm_plugin.blueprints.order_review",
    "portal": "scm_plugin.blueprints.portal",
    "admin": "scm_plugin.blueprints.admin",
    "api": "scm_plugin.blueprints.api",
}


def build_blueprint(name: str, enabled: tuple[str, ...]) -> Blueprint:
    from scm_plugin import web

    parent = Blueprint(
        name, "scm_plugin",
        template_folder=str(files("scm_plugin.templates")),
        static_folder=str(files("scm_plugin").joinpath("static")),
        static_url_path="/static",
    )
    web.install(parent)
    for module in CORE + tuple(m for m in enabled if m in PACKAGES):
        package = importlib.import_module(PACKAGES[module])
        parent.register_blueprint(package.bp)
    return parent


def registered_modules(enabled: tuple[str, ...]) -> tuple[str, ...]:
    return CORE + tuple(m for m in enabled if m in PACKAGES)
