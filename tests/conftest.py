"""Shared fixtures. See tests/fixtures/ for the pieces."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from scm_plugin.erp_bridge import Mapping

pytest_plugins = ["fixtures.orders", "fixtures.kannel"]

from fixtures import card_erp, engines
from fixtures import erp as erp_fixtures
from fixtures import smtp as smtp_fixtures
from fixtures import u8 as u8_fixtures
from fixtures import web as web_fixtures


def pytest_addoption(parser):
    parser.addoption("--engines", default=None,
                     help="comma-separated: sqlite,postgresql,mariadb,mssql (default: the first three, "
                          "mssql too when SCM_TEST_MSSQL_DSN is set; or SCM_TEST_ENGINES)")


def pytest_terminal_summary(terminalreporter, config):
    note = engines.not_run_note(config)
    if note:
        terminalreporter.write_line(note)


def pytest_exception_interact(node, call, report):
    """A failing test shows what the driver said, which BridgeError keeps out of str()."""
    exc = call.excinfo.value if call.excinfo else None
    detail = getattr(exc, "detail", "")
    if detail and report.longrepr is not None:
        report.sections.append(("driver", f"SQLSTATE {getattr(exc, 'sqlstate', '')}: {detail}"))


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        chosen = engines.selected_engines(metafunc.config)
        if "browser" in metafunc.definition.path.parts:
            chosen = chosen[:1]  # the user's path through the pages, on one engine
        metafunc.parametrize("engine", chosen, scope="session")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def engine_db(engine, tmp_path_factory):
    """An empty database of the engine under test, created for this run and dropped after."""
    created = engines.create_database(engine, tmp_path_factory.mktemp(engine))
    yield created
    created.drop()


@pytest.fixture(scope="session")
def _prepared_db(engine_db):
    db = erp_fixtures.prepare(engine_db.dsn)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def alt_mapping() -> Mapping:
    return Mapping.load(erp_fixtures.ALT_MAPPING_PATH)


@pytest.fixture(scope="session")
def _alt_prepared_db(engine, tmp_path_factory, alt_mapping):
    """The second ERP (other table and column names) in a database of its own."""
    created = engines.create_database(engine, tmp_path_factory.mktemp(f"{engine}-alt"), label="alt")
    db = erp_fixtures.prepare(created.dsn, alt_mapping)
    db.test_dsn = created.dsn
    yield db
    db.dispose()
    created.drop()


@pytest.fixture(scope="session")
def u8_mapping() -> Mapping:
    """The mapping of the U8-shaped ERP (tests/erp_bridge/u8_mapping.toml)."""
    return u8_fixtures.load_mapping()


@pytest.fixture(scope="session")
def _u8_prepared_db(engine, tmp_path_factory, u8_mapping):
    """The third ERP: U8's own tables from hand-written DDL (tests/fixtures/u8_schema),
    its seed and the plugin's tables, in a database of its own."""
    created = engines.create_database(engine, tmp_path_factory.mktemp(f"{engine}-u8"), label="u8")
    db = u8_fixtures.prepare(engine, created.dsn, u8_mapping)
    db.test_dsn = created.dsn
    db.test_engine = engine
    yield db
    db.dispose()
    created.drop()


@pytest.fixture(scope="session")
def _card_erp(engine, tmp_path_factory):
    """A third ERP in a database of its own (tests/fixtures/card_erp.py): progress filed
    under the contract number in a table without a key, contacts on the customer card.
    ``test_dsn`` and ``test_mapping_path`` say how an app reaches it."""
    directory = tmp_path_factory.mktemp(f"{engine}-card")
    path, mapping = card_erp.write_mapping(directory)
    created = engines.create_database(engine, directory, label="card")
    db = card_erp.prepare(created.dsn, mapping)
    db.test_dsn, db.test_mapping_path = created.dsn, str(path)
    yield db
    db.dispose()
    created.drop()


@pytest.fixture
def u8_db(_u8_prepared_db):
    """The U8-shaped ERP reset to its seed (UA_Identity included) before each test."""
    u8_fixtures.reset(_u8_prepared_db)
    return _u8_prepared_db


@pytest.fixture
def card_db(_card_erp):
    """The card ERP with the plugin's tables, reset to the seed before each test."""
    card_erp.reset(_card_erp)
    return _card_erp


@pytest.fixture
def db(_prepared_db):
    """The reference ERP with the plugin's tables, reset to the seed before each test."""
    erp_fixtures.reset(_prepared_db)
    return _prepared_db


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); ``smtp.stop()`` / ``smtp.start()``."""
    server = smtp_fixtures.SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_config(smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "scm@example.test", "SCM_MAIL_TIMEOUT_SECONDS": 3}


@pytest.fixture
def app_config():
    """Extra settings for the ``app`` fixture; override in a test module."""
    return {}


@pytest.fixture
def app(db, engine_db, tmp_path, app_config):
    app = web_fixtures.make_app(engine_db.dsn, tmp_path, **app_config)
    app.test_client_class = web_fixtures.Client
    yield app
    app.extensions["scm"].db.dispose()


@pytest.fixture
def users(db):
    """The standard users (see tests/fixtures/web.py); returns username → id."""
    return web_fixtures.create_standard_users(db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app, users):
    """``login("rep1")`` → a client logged in as that user."""
    def _login(username):
        c = app.test_client()
        resp = c.login(username)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return c
    return _login


@pytest.fixture
def live_server(app):
    """The app on http://127.0.0.1:<free port>, in a thread, for one test (the browser,
    and Kannel's delivery reports, reach it there)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def runner(app):
    return web_fixtures.cli_runner(app)
