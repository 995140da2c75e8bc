"""``SCMPlugin``: switch the plugin on inside a Flask app (a host intranet app or the
standalone ``create_app``).

    from scm_plugin import SCMPlugin
    SCMPlugin(app, url_prefix="/scm")

Defaults are set with ``setdefault`` so the host's values win; required keys are
checked with a clear message; state lives in ``app.extensions["scm"]``; the host's
LoginManager, CSRFProtect and Mail are reused when present. The scheduler is never
started here (see ``scheduler.py`` and ``flask scm scheduler``).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from . import messages
from .auth import header_user, load_user_by_id
from .blueprints import build_blueprint, declared_modules
from .config.defaults import DEFAULTS, MODULES
from .core import CORE
from .erp_bridge import Database, Mapping, MappingError
from .erp_bridge.dialects import DIALECTS
from .errors import ConfigError
from .modules import Module
from .quantities import unit_decimals_problem
from .state import SCMState

log = logging.getLogger(__name__)


class SCMPlugin:
    def __init__(self, app: Flask | None = None, **options):
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask, url_prefix: str | None = None, name: str | None = None,
                 enabled_modules: Iterable[str] | None = None) -> None:
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        if url_prefix is not None:
            app.config["SCM_URL_PREFIX"] = url_prefix
        if name is not None:
            app.config["SCM_BLUEPRINT_NAME"] = name
        if enabled_modules is not None:
            app.config["SCM_ENABLED_MODULES"] = tuple(enabled_modules)
        name = app.config["SCM_BLUEPRINT_NAME"]
        declared = declared_modules(_module_names(app.config))
        for module in declared:
            for key, value in module.defaults.items():
                app.config.setdefault(key, value)
        if "scm" in app.extensions:
            mounted = app.extensions["scm"].name
            raise ConfigError(f"scm_plugin is already mounted on this app as {mounted!r}; "
                              "it can be mounted once per app")
        if name in app.blueprints:
            raise ConfigError(f"a blueprint named {name!r} already exists in this app; "
                              "pass name=... to SCMPlugin or set SCM_BLUEPRINT_NAME")
        modules = _validate(app.config)

        mapping = _load_mapping(app.config["SCM_ERP_MAPPING"])
        db = Database(app.config["SCM_ERP_DSN"], mapping,
                      dialect=app.config["SCM_ERP_DIALECT"],
                      statement_timeout=int(app.config["SCM_DB_STATEMENT_TIMEOUT"]),
                      pool_size=int(app.config["SCM_DB_POOL_SIZE"]),
                      timezone=app.config["SCM_TIMEZONE"])

        own_login = _setup_login(app)
        if "csrf" not in app.extensions:
            CSRFProtect(app)
        if "mail" not in app.extensions:
            Mail(app)

        state = _state(name, app.config["SCM_URL_PREFIX"], db, modules, own_login, declared)
        app.extensions["scm"] = state
        app.register_blueprint(build_blueprint(name, declared), url_prefix=state.url_prefix or None)


def _state(name: str, url_prefix: str, db: Database, modules: tuple[str, ...], own_login: bool,
           declared: list[Module]) -> SCMState:
    """What the core and the enabled modules declared, gathered for this one app."""
    everything = (CORE, *declared)
    return SCMState(
        name=name, url_prefix=url_prefix, db=db, modules=modules, own_login_manager=own_login,
        declarations=tuple(declared),
        jobs={job.name: job for m in everything for job in m.jobs},
        channels={channel.name: channel for m in everything for channel in m.channels},
        messages=messages.merge(*(m.messages for m in everything)),
        menu=tuple(sorted((e for m in declared for e in m.menu), key=lambda e: e.number)),
        portal_menu=tuple(sorted((e for m in declared for e in m.portal_menu), key=lambda e: e.number)),
    )


def _module_names(config) -> tuple[str, ...]:
    raw = config.get("SCM_ENABLED_MODULES") or ()
    if isinstance(raw, str):
        raw = _split_names(raw)
    return tuple(m for m in raw if m in MODULES)


def _split_names(text: str) -> list[str]:
    """``"order_review, api"`` or ``"order_review api"`` (as typed in an environment variable)."""
    return [name for name in re.split(r"[\s,]+", text) if name]


def _setup_login(app: Flask) -> bool:
    """Reuse the host's LoginManager if it has one; otherwise the plugin's own.
    Returns whether the plugin owns it (standalone login page and user loader)."""
    if getattr(app, "login_manager", None) is not None:
        return False
    lm = LoginManager()
    lm.init_app(app)
    lm.user_loader(load_user_by_id)
    lm.session_protection = "strong"
    if app.config["SCM_AUTH"] == "header":
        lm.request_loader(lambda _req: header_user())
    name = app.config["SCM_BLUEPRINT_NAME"]
    lm.login_view = f"{name}.auth.login"
    return True


def _load_mapping(path: str | None) -> Mapping:
    try:
        return Mapping.load(path) if path else Mapping.default()
    except MappingError as exc:
        raise ConfigError(f"SCM_ERP_MAPPING: {exc}") from None


def _validate(config) -> tuple[str, ...]:
    problems = []
    dsn = config.get("SCM_ERP_DSN")
    if not dsn or not isinstance(dsn, str):
        problems.append("SCM_ERP_DSN is required: an ODBC connection string such as "
                        "DRIVER={SQLite3};Database=/path/erp.db")
    elif "driver=" not in dsn.lower() and "dsn=" not in dsn.lower():
        problems.append("SCM_ERP_DSN must contain DRIVER=... or DSN=...")
    dialect = config.get("SCM_ERP_DIALECT")
    if dialect and dialect not in DIALECTS:
        problems.append(f"SCM_ERP_DIALECT must be one of {', '.join(sorted(DIALECTS))}, not {dialect!r}")
    prefix = config.get("SCM_URL_PREFIX")
    if prefix and (not isinstance(prefix, str) or not prefix.startswith("/") or prefix.endswith("/")):
        problems.append("SCM_URL_PREFIX must start with / and not end with / (e.g. /scm), or be empty")
    if config.get("SCM_AUTH") not in ("local", "header"):
        problems.append("SCM_AUTH must be 'local' or 'header'")
    raw_modules = config.get("SCM_ENABLED_MODULES")
    if isinstance(raw_modules, str):
        raw_modules = _split_names(raw_modules)
    modules = tuple(raw_modules or ())
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        problems.append(f"SCM_ENABLED_MODULES: unknown module(s) {', '.join(unknown)}; "
                        f"known: {', '.join(MODULES)}")
    for key in ("SCM_MAX_UPLOAD_MB", "SCM_MAX_JSON_KB", "SCM_MAX_FORM_PARTS", "SCM_REVIEW_REFRESH_SECONDS",
                "SCM_ALERT_INTERVAL_SECONDS", "SCM_SMS_MAX_CHARS", "SCM_DB_STATEMENT_TIMEOUT"):
        if key not in config:
            continue   # a setting of a module this app has not enabled
        value = config.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            problems.append(f"{key} must be a positive whole number, not {value!r}")
    unit_problem = unit_decimals_problem(config.get("SCM_UNIT_DECIMALS"))
    if unit_problem:
        problems.append(unit_problem)
    try:
        ZoneInfo(str(config.get("SCM_TIMEZONE")))
    except Exception:
        problems.append(f"SCM_TIMEZONE {config.get('SCM_TIMEZONE')!r} is not a known time zone")
    if not config.get("SECRET_KEY"):
        problems.append("SECRET_KEY is required (sessions and CSRF tokens are signed with it)")
    if problems:
        raise ConfigError("scm_plugin configuration: " + "; ".join(problems))
    return modules
