"""Fixtures for the alert policies (helpers in ``helpers.py``)."""
from __future__ import annotations

import pytest

from alert_policy.helpers import Kit
from fixtures import erp as erp_fixtures
from fixtures import web as web_fixtures


@pytest.fixture
def app_config():
    return {"SCM_SMS_BACKEND": "log"}


@pytest.fixture
def kit(app, db, users):
    return Kit(app, db)


@pytest.fixture(params=["reference", "alt"])
def mapped_kit(request, engine, tmp_path, app_config):
    """A kit on the reference ERP and on the second, differently named ERP (alt_mapping.toml)."""
    if request.param == "reference":
        db = request.getfixturevalue("db")
        dsn, mapping = request.getfixturevalue("engine_db").dsn, None
    else:
        db = request.getfixturevalue("_alt_prepared_db")
        erp_fixtures.reset(db)
        dsn, mapping = db.test_dsn, str(erp_fixtures.ALT_MAPPING_PATH)
    web_fixtures.create_standard_users(db)
    app = web_fixtures.make_app(dsn, tmp_path, SCM_ERP_MAPPING=mapping, **app_config)
    app.test_client_class = web_fixtures.Client
    yield Kit(app, db)
    app.extensions["scm"].db.dispose()
