"""The plugin's modules: one parent ``scm`` blueprint with a child per module.

The parent is built per app (its name and prefix are the host's choice); each module
is a package ``scm_plugin.blueprints.<module>`` exporting a module-level ``bp`` that is
nested under it, and optionally ``DEFAULTS`` (its ``SCM_*`` settings). Endpoints read
``scm.<module>.<view>``.
"""
from __future__ import annotations

import importlib
import importlib.util
from importlib.resources import files
from types import ModuleType

from flask import Blueprint

# Always present, before the switchable modules (SCM_ENABLED_MODULES) in menu order.
CORE = ("home", "auth")


def module_packages(enabled: tuple[str, ...]) -> list[tuple[str, ModuleType]]:
    """The enabled modules that exist as packages, imported."""
    found = []
    for name in CORE + tuple(enabled):
        qualified = f"{__name__}.{name}"
        if importlib.util.find_spec(qualified) is not None:
            found.append((name, importlib.import_module(qualified)))
    return found


def build_blueprint(name: str, enabled: tuple[str, ...]) -> Blueprint:
    from scm_plugin import web

    parent = Blueprint(
        name, "scm_plugin",
        template_folder=str(files("scm_plugin.templates")),
        static_folder=str(files("scm_plugin").joinpath("static")),
        static_url_path="/static",
    )
    web.install(parent)
    for _module, package in module_packages(enabled):
        parent.register_blueprint(package.bp)
    return parent
