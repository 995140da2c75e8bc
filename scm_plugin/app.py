"""Standalone app: ``flask --app scm_plugin.app run`` / gunicorn ``scm_plugin.app:create_app()``.

Settings, in order: the plugin's defaults, the Python file named by ``SCM_SETTINGS``,
then ``FLASK_SCM_*`` environment variables (``FLASK_SCM_ERP_DSN`` → ``SCM_ERP_DSN``;
values are read as JSON when they parse, else as text).
"""
from __future__ import annotations

import json
import logging
import os

from flask import Flask, redirect

from .extension import SCMPlugin


def _env_settings() -> dict:
    settings = {}
    for key, raw in os.environ.items():
        if not key.startswith("FLASK_SCM_"):
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        settings[key[len("FLASK_"):]] = value
    return settings


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask("scm_plugin")
    settings_file = os.environ.get("SCM_SETTINGS")
    if settings_file:
        app.config.from_pyfile(os.path.abspath(settings_file))
    app.config.update(_env_settings())
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
