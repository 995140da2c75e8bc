"""Modules are declared, not registered by import: what an app gets depends on its own
SCM_ENABLED_MODULES only, and two apps in one process do not see each other's jobs,
routes, commands or menus."""
from __future__ import annotations

import pytest
from flask import Flask

from scm_plugin import SCMPlugin
from scm_plugin.blueprints import declared_modules
from scm_plugin.scheduler import jobs_of

from fixtures.web import cli_runner


def _app(engine_db, tmp_path, modules):
    app = Flask(f"host_{'_'.join(modules) or 'none'}")
    app.config.update(SECRET_KEY="s", TESTING=True, SCM_ERP_DSN=engine_db.dsn,
                      SCM_STORAGE_DIR=str(tmp_path / "files"), SCM_ENABLED_MODULES=tuple(modules))
    SCMPlugin(app)
    return app


def _rules(app) -> set[str]:
    return {r.rule for r in app.url_map.iter_rules()}


def _api_paths(app) -> set[str]:
    with app.test_client() as client:
        return set(client.get("/scm/api/v1/openapi.json").json["paths"])


def test_api_without_alert_policy_has_no_alert_job_route_or_command(db, engine_db, tmp_path):
    app = _app(engine_db, tmp_path, ["order_review", "api"])
    assert "alerts" not in jobs_of(app)
    assert set(jobs_of(app)) == {"outbox", "drafts", "contract_sync"}
    rules = _rules(app)
    assert not any("alert-policy" in r or r.endswith("/alarms") or "/alerts" in r for r in rules)
    assert "/scm/api/v1/process-steps" not in rules
    assert "/scm/api/v1/orders/<order_no>/approve" in rules
    paths = _api_paths(app)
    assert "/scm/api/v1/orders" in paths and not any("alarm" in p or "alert" in p for p in paths)
    # the command is known to `flask scm --help`, but refuses an app without its module
    result = cli_runner(app).invoke(args=["scm", "run-alerts"])
    assert result.exit_code == 2
    assert "alert_policy is not enabled" in result.output
    assert "Traceback" not in result.output


def test_two_apps_in_one_process_are_independent(db, engine_db, tmp_path):
    small = _app(engine_db, tmp_path, ["inventory", "api"])
    full = _app(engine_db, tmp_path, ["order_review", "alert_policy", "inventory", "customer_stock",
                                      "feedback", "documents", "sms", "portal", "admin", "api"])
    again = _app(engine_db, tmp_path, ["inventory", "api"])
    assert "alerts" in jobs_of(full) and "alerts" not in jobs_of(small)
    assert _rules(small) == _rules(again)                      # the full app left nothing behind
    assert not any(r.startswith("/scm/review") or r.startswith("/scm/sms") for r in _rules(small))
    small_api, full_api = _api_paths(small), _api_paths(full)
    assert small_api < full_api
    assert "/scm/api/v1/inventory" in small_api and "/scm/api/v1/sms" not in small_api
    assert [e.endpoint for e in small.extensions["scm"].menu] == ["inventory.query"]
    assert [e.number for e in full.extensions["scm"].menu] == list(range(1, 10))
    # message codes of a module the app has not enabled are not its codes
    assert "policy_locked" in full.extensions["scm"].messages
    assert "policy_locked" not in small.extensions["scm"].messages


def test_every_module_declares_itself_without_registering(engine_db, tmp_path):
    names = [m.name for m in declared_modules()]
    assert names[:2] == ["home", "auth"]
    assert set(names[2:]) == {"order_review", "alert_policy", "inventory", "customer_stock", "feedback",
                              "documents", "sms", "portal", "admin", "api"}


@pytest.mark.parametrize("modules", [["api"], ["portal", "api"], ["admin"]])
def test_an_app_with_few_modules_serves_its_pages(db, engine_db, tmp_path, modules):
    app = _app(engine_db, tmp_path, modules)
    with app.test_client() as client:
        assert client.get("/scm/login").status_code == 200
        assert client.get("/scm/api/v1/openapi.json").status_code == (200 if "api" in modules else 404)
