"""The plugin's modules: one parent ``scm`` blueprint with a child per module.

Each module is a package ``scm_plugin.blueprints.<module>`` exposing one declaration,
``module`` (``scm_plugin.modules.Module``): importing it registers nothing. The parent
is built per app (its name and prefix are the host's choice) from the enabled modules'
declarations. Endpoints read ``scm.<module>.<view>``.
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence
from importlib.resources import files

from flask import Blueprint
from scm_plugin.config.defaults import MODULES

from scm_plugin import web
from scm_plugin.modules import Module

# Always present, before the switchable modules (SCM_ENABLED_MODULES) in menu order.
CORE = ("home", "auth")


def declaration(name: str) -> Module:
    return importlib.import_module(f"{__name__}.{name}").module


def declared_modules(enabled: Sequence[str] = MODULES) -> list[Module]:
    """The declarations of the core pages and of the ``enabled`` modules, in menu order."""
    return [declaration(name) for name in CORE + tuple(m for m in MODULES if m in enabled)]


def build_blueprint(name: str, modules: Sequence[Module]) -> Blueprint:
    parent = Blueprint(
        name, "scm_plugin",
        template_folder=str(files("scm_plugin.templates")),
        static_folder=str(files("scm_plugin").joinpath("static")),
        static_url_path="/static",
    )
    web.install(parent)
    for module in modules:
        child = module.blueprint if isinstance(module.blueprint, Blueprint) else module.blueprint(modules)
        if child is not None:
            parent.register_blueprint(child)
    return parent
