"""Per-app plugin state, kept in ``app.extensions["scm"]`` (never on the plugin object)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .erp_bridge import Database


@dataclass
class SCMState:
    name: str                       # the parent blueprint's name, e.g. "scm"
    url_prefix: str
    db: Database
    modules: tuple[str, ...]
    own_login_manager: bool
    extra: dict = field(default_factory=dict)


def get_state(app=None) -> SCMState:
    app = app or current_app
    try:
        return app.extensions["scm"]
    except KeyError:
        raise RuntimeError("scm_plugin is not initialised on this app: call SCMPlugin(app)") from None


def get_db():
    return get_state().db
