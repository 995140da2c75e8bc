"""The plugin's app on the U8-shaped ERP (tests/fixtures/u8.py), with the standard users."""
from __future__ import annotations

import pytest

from alert_policy.helpers import Kit
from fixtures import u8
from fixtures import web as web_fixtures


@pytest.fixture
def u8_app(u8_db, tmp_path):
    web_fixtures.create_standard_users(u8_db)
    app = web_fixtures.make_app(u8_db.test_dsn, tmp_path, SCM_ERP_MAPPING=str(u8.U8_MAPPING_PATH),
                                SCM_SMS_BACKEND="log")
    app.test_client_class = web_fixtures.Client
    yield app
    app.extensions["scm"].db.dispose()


@pytest.fixture
def u8_kit(u8_app, u8_db) -> Kit:
    """Orders placed and approved through the API, policies, checker runs (alert_policy.helpers)."""
    return Kit(u8_app, u8_db)


@pytest.fixture
def u8_login(u8_app):
    """``u8_login("rep1")`` → a client logged in as that user on the U8 app."""
    def _login(username: str):
        client = u8_app.test_client()
        resp = client.login(username)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return client
    return _login
