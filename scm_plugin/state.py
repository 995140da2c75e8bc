"""Per-app plugin state, kept in ``app.extensions["scm"]`` (never on the plugin object)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app

from .erp_bridge import Database
from .errors import ConfigError
from .modules import Channel, Job, MenuEntry, Module


@dataclass
class SCMState:
    name: str                       # the parent blueprint's name, e.g. "scm"
    url_prefix: str
    db: Database
    modules: tuple[str, ...]        # the enabled switchable modules (SCM_ENABLED_MODULES)
    own_login_manager: bool
    # What the core and the enabled modules declared (scm_plugin.modules):
    declarations: tuple[Module, ...] = ()
    jobs: dict[str, Job] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: Mapping[str, object] = field(default_factory=dict)
    menu: tuple[MenuEntry, ...] = ()
    portal_menu: tuple[MenuEntry, ...] = ()
    extra: dict = field(default_factory=dict)


def get_state(app=None) -> SCMState:
    app = app or current_app
    try:
        return app.extensions["scm"]
    except KeyError:
        raise ConfigError("scm_plugin is not initialised on this app: call SCMPlugin(app)") from None


def get_db():
    return get_state().db
