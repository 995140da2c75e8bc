"""Mounting in a host intranet app: its LoginManager, CSRFProtect, Mail and layout."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_login import LoginManager, UserMixin, login_user
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader

from scm_plugin import SCMPlugin
from scm_plugin.errors import ConfigError

HOST_LAYOUT = """<!doctype html><html><head><title>{% block title %}{% endblock %}</title></head>
<body><div id="host-header">内网门户</div>{% block content %}{% endblock %}</body></html>"""


class HostUser(UserMixin):
    def __init__(self, username):
        self.id = username
        self.username = username


def make_host(dsn, tmp_path, **options):
    app = Flask("host_intranet")
    app.config.update(SECRET_KEY="host-secret", TESTING=True, SCM_ERP_DSN=dsn,
                      SCM_STORAGE_DIR=str(tmp_path / "files"), SCM_BASE_TEMPLATE="host_layout.html")
    app.jinja_loader = DictLoader({
        "host_layout.html": HOST_LAYOUT,
        # the host overrides one plugin page by placing a template at the same path
        "scm/admin/grants.html": "{% extends 'host_layout.html' %}{% block content %}HOST GRANTS PAGE{% endblock %}",
    })
    lm = LoginManager(app)
    lm.login_view = "host_login"
    lm.user_loader(lambda uid: HostUser(uid))
    csrf = CSRFProtect(app)
    Mail(app)
    mail = app.extensions["mail"]  # Flask-Mail keeps its state object here

    @app.route("/host-login")
    def host_login():
        return "the host's login page"

    @app.route("/host-login-as/<name>")
    def host_login_as(name):
        login_user(HostUser(name))
        return "ok"

    @app.route("/host-page")
    def host_page():
        return render_template_string("host page")

    SCMPlugin(app, **options)
    return app, lm, csrf, mail


@pytest.fixture
def host(db, engine_db, tmp_path, users):
    app, lm, csrf, mail = make_host(engine_db.dsn, tmp_path, url_prefix="/intranet/kh")
    yield app
    app.extensions["scm"].db.dispose()


def test_plugin_reuses_host_extensions(db, engine_db, tmp_path):
    app, lm, csrf, mail = make_host(engine_db.dsn, tmp_path)
    assert app.login_manager is lm
    assert app.extensions["csrf"] is csrf
    assert app.extensions["mail"] is mail
    assert not app.extensions["scm"].own_login_manager
    app.extensions["scm"].db.dispose()


def test_pages_render_inside_host_layout_with_host_user(host):
    client = host.test_client()
    assert client.get("/host-login-as/rep1").status_code == 200
    resp = client.get("/intranet/kh/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "内网门户" in html and 'id="host-header"' in html
    assert "C001" in html and "C003" not in html


def test_host_template_at_same_path_wins(host):
    client = host.test_client()
    client.get("/host-login-as/admin")
    resp = client.get("/intranet/kh/admin/grants")
    assert resp.status_code == 200
    assert "HOST GRANTS PAGE" in resp.get_data(as_text=True)


def test_host_user_without_plugin_account_sees_nothing(host):
    client = host.test_client()
    client.get("/host-login-as/stranger")
    resp = client.get("/intranet/kh/")
    assert resp.status_code == 302
    assert "/host-login" in resp.headers["Location"]


def test_anonymous_goes_to_host_login(host):
    resp = host.test_client().get("/intranet/kh/admin/users")
    assert resp.status_code == 302
    assert "/host-login?next=" in resp.headers["Location"]


def test_prefix_and_name_options(db, engine_db, tmp_path):
    app, *_ = make_host(engine_db.dsn, tmp_path, url_prefix="/custbiz", name="custbiz")
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert "custbiz.home.index" in endpoints
    assert any(r.rule == "/custbiz/" for r in app.url_map.iter_rules())
    app.extensions["scm"].db.dispose()


def test_disabled_module_is_absent_from_url_map(db, engine_db, tmp_path):
    app, *_ = make_host(engine_db.dsn, tmp_path, enabled_modules=["admin"])
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert "scm.admin.users" in endpoints
    assert not any(e.startswith("scm.api.") for e in endpoints)
    app.extensions["scm"].db.dispose()


def test_second_mount_fails_clearly(db, engine_db, tmp_path):
    app, *_ = make_host(engine_db.dsn, tmp_path)
    with pytest.raises(ConfigError, match="already mounted"):
        SCMPlugin(app, name="scm2")
    app.extensions["scm"].db.dispose()


@pytest.mark.parametrize("config, needle", [
    ({"SCM_ERP_DSN": None}, "SCM_ERP_DSN is required"),
    ({"SCM_ERP_DSN": "Database=/x.db"}, "DRIVER="),
    ({"SCM_ERP_DIALECT": "oracle"}, "SCM_ERP_DIALECT"),
    ({"SCM_URL_PREFIX": "scm/"}, "SCM_URL_PREFIX"),
    ({"SCM_AUTH": "kerberos"}, "SCM_AUTH"),
    ({"SCM_ENABLED_MODULES": ["order_review", "crm"]}, "crm"),
    ({"SCM_MAX_UPLOAD_MB": -1}, "SCM_MAX_UPLOAD_MB"),
    ({"SCM_TIMEZONE": "Mars/Olympus"}, "SCM_TIMEZONE"),
    ({"SECRET_KEY": None}, "SECRET_KEY"),
    ({"SCM_ERP_MAPPING": "/nonexistent/mapping.toml"}, "SCM_ERP_MAPPING"),
])
def test_wrong_config_fails_with_a_clear_message(config, needle):
    app = Flask("host")
    app.config.update(SECRET_KEY="k", SCM_ERP_DSN="DRIVER={SQLite3};Database=/tmp/never.db")
    app.config.update(config)
    with pytest.raises(ConfigError, match=needle):
        SCMPlugin(app)
    assert "scm" not in app.extensions
