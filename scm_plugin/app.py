"""Standalone app: ``flask --app scm_plugin.app run`` / gunicorn ``scm_plugin.app:create_app()``.

Settings, in order: the plugin's defaults, the Python file named by ``SCM_SETTINGS``,
then ``FLASK_*`` environment variables as in any Flask app (``from_prefixed_env``:
``FLASK_SECRET_KEY`` → ``SECRET_KEY``, ``FLASK_SCM_ERP_DSN`` → ``SCM_ERP_DSN``,
``FLASK_MAIL_SERVER`` → ``MAIL_SERVER``; values are read as JSON when they parse, else
as text).
"""
from __future__ import annotations

import logging
import os

from flask import Flask, redirect

from .errors import ConfigError
from .extension import SCMPlugin


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("scm_plugin")
    settings_file = os.environ.get("SCM_SETTINGS")
    if settings_file:
        path = os.path.abspath(settings_file)
        if not os.path.isfile(path):
            raise ConfigError(f"SCM_SETTINGS names {path}, which is not a file: "
                              "point it at the settings file (Python syntax) or unset it")
        try:
            app.config.from_pyfile(path)
        except SyntaxError as exc:
            raise ConfigError(f"SCM_SETTINGS {path}, line {exc.lineno}: {exc.msg}") from None
        except Exception as exc:  # the file is Python: any error in it is a configuration error
            raise ConfigError(f"SCM_SETTINGS {path}: {type(exc).__name__}: {exc}") from None
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    if not app.logger.handlers or app.config.get("SCM_LOG_LEVEL"):
        logging.basicConfig(level=app.config.get("SCM_LOG_LEVEL", "INFO"),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    SCMPlugin(app)
    prefix = app.config["SCM_URL_PREFIX"]
    if prefix:
        @app.route("/")
        def _root():
            return redirect(f"{prefix}/")
        _root.scm_roles = ("public",)
    return app
