import pytest

from fixtures import erp as erp_fixtures
from fixtures import web as web_fixtures


@pytest.fixture
def text_of(app):
    """``text_of("no_such_item")``: the message as a Chinese user reads it (the module's
    translations are merged into the catalogs centrally; until then the English msgid)."""
    from scm_plugin.messages import message

    def _text(code, locale="zh_CN", **variables):
        with app.test_request_context(headers={"Accept-Language": locale.replace("_", "-")}):
            return message(code, **variables)
    return _text


@pytest.fixture
def record_stock(app, db, users):
    """``record_stock("rep1", "C001", "1001001", "1500.5", at=None, remarks=None)`` through
    the upkeep service, as that rep."""
    from scm_plugin.blueprints.customer_stock import services
    from scm_plugin.erp_bridge.repos.scope import Scope

    def _record(username, customer, code, quantity, *, at=None, remarks=None):
        user = type("U", (), {"id": users[username]})
        with app.test_request_context():
            return services.record(app.extensions["scm"].db, user, Scope("grants", user_id=users[username]),
                                   customer, code, quantity, remarks, at=at)
    return _record


@pytest.fixture
def import_supplier_sheet(app, login):
    """``import_supplier_sheet(rep_client, filename, data)`` → the response."""
    import io

    def _import(client, filename, data):
        return client.form("/scm/inventory/supplier-stock", {"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    return _import


@pytest.fixture(params=["reference", "alt"])
def mapped(request, engine, tmp_path):
    """The app and its database on the reference ERP and on the second, differently
    named ERP (alt_mapping.toml), with the standard users."""
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
