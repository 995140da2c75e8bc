"""Shared fixtures. See tests/fixtures/ for the pieces."""
from __future__ import annotations

import pytest

from fixtures import engines
from fixtures import erp as erp_fixtures


def pytest_addoption(parser):
    parser.addoption("--engines", default=None,
                     help="comma-separated: sqlite,postgresql,mariadb (default: all, or SCM_TEST_ENGINES)")


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", engines.selected_engines(metafunc.config), scope="session")


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


@pytest.fixture
def db(_prepared_db):
    """The reference ERP with the plugin's tables, reset to the seed before each test."""
    erp_fixtures.reset(_prepared_db)
    return _prepared_db
