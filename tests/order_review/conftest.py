import pytest

from fixtures import erp as erp_fixtures
from fixtures import web as web_fixtures


@pytest.fixture(params=["reference", "alt"])
def mapped(request, engine, tmp_path):
    """The app, its database and standard users on the reference ERP and on the second,
    differently named ERP (alt_mapping.toml)."""
    if request.param == "reference":
        db = request.getfixturevalue("db")
        dsn, mapping = request.getfixturevalue("engine_db").dsn, None
    else:
        db = request.getfixturevalue("_alt_prepared_db")
        erp_fixtures.reset(db)
        dsn, mapping = db.test_dsn, str(erp_fixtures.ALT_MAPPING_PATH)
    web_fixtures.create_standard_users(db)
    app = web_fixtures.make_app(dsn, tmp_path, SCM_ERP_MAPPING=mapping)
    app.test_client_class = web_fixtures.Client
    yield app, db
    app.extensions["scm"].db.dispose()
