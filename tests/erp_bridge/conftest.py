"""Fixtures of the bridge's own tests, on top of tests/conftest.py.

* ``erp_db`` — the ERP database under the reference mapping *and* under the second,
  differently named ERP (``alt_mapping.toml``): tests that read or write ERP tables use
  it, so they run on both mappings and on every engine.
* ``make_database`` — a new, empty database of the engine under test, for tests that
  need one (migrations from nothing, check-erp on an empty or damaged schema).
* ``server`` — what an administrator does to the server under test: end one of our
  sessions, stop and start it.
"""
from __future__ import annotations

import os
import subprocess
import time
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pyodbc
import pytest

from fixtures import engines
from fixtures import erp as erp_fixtures
from fixtures.toml_text import dump_toml
from scm_plugin.erp_bridge import Database, Mapping

from fixtures.erp import ALT_MAPPING_PATH  # noqa: E402  (shared with the web tests)
MAPPINGS = ("reference", "alt")


def load_mapping(name: str) -> Mapping:
    return Mapping.default() if name == "reference" else Mapping.load(ALT_MAPPING_PATH)


@pytest.fixture(params=MAPPINGS)
def erp_db(request, engine) -> Database:
    """The ERP with the plugin's tables, reset to the seed, under each mapping in turn."""
    if request.param == "reference":
        db = request.getfixturevalue("db")
        db.test_dsn = request.getfixturevalue("engine_db").dsn
        db.test_mapping_arg = "reference"
        return db
    db = request.getfixturevalue("_alt_prepared_db")
    erp_fixtures.reset(db)
    db.test_mapping_arg = str(ALT_MAPPING_PATH)
    return db


@pytest.fixture
def mapping_arg(erp_db) -> str:
    """How a separate process names ``erp_db``'s mapping: "reference" or the TOML path."""
    return erp_db.test_mapping_arg


@pytest.fixture
def edit_mapping():
    """``edit_mapping(change, path=None)`` → the reference mapping (or the TOML at ``path``)
    as a dict, passed to ``change(data)``, written back and loaded with ``Mapping.loads``."""
    def edit(change, path: Path | None = None) -> Mapping:
        if path is None:
            text = files("scm_plugin.config").joinpath("erp_mapping.toml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
        change(data)
        return Mapping.loads(dump_toml(data), source="erp_mapping.toml")
    return edit


@pytest.fixture(params=MAPPINGS)
def mapping(request) -> Mapping:
    """Each mapping in turn (for tests that make their own database); ``.test_name`` says which."""
    m = load_mapping(request.param)
    m.test_name = request.param
    return m


@pytest.fixture
def make_database(engine, tmp_path):
    """``make_database(mapping=None, **Database kwargs)`` → a Database on a new, empty
    database of the engine under test; dropped after the test."""
    made: list[tuple[Database, engines.EngineDatabase]] = []

    def make(mapping: Mapping | None = None, **kwargs) -> Database:
        created = engines.create_database(engine, tmp_path, label="x")
        db = Database(created.dsn, mapping or Mapping.default(), **kwargs)
        db.test_dsn = created.dsn
        made.append((db, created))
        return db

    yield make
    for db, created in made:
        db.dispose()
        created.drop()


@pytest.fixture
def other_handle():
    """``other_handle(db, **Database kwargs)`` → a second, independent Database (its own
    connections: another web worker) on the same data; disposed after the test."""
    made: list[Database] = []

    def make(db: Database, **kwargs) -> Database:
        other = Database(db.test_dsn, db.mapping, **kwargs)
        made.append(other)
        return other

    yield make
    for other in made:
        other.dispose()


# --- the server under test, as an administrator sees it --------------------------------

@dataclass
class Server:
    """PostgreSQL and MariaDB are this machine's own servers; a SQL Server (``mssql``) is
    whatever ``SCM_TEST_MSSQL_DSN`` names, so stopping and starting it takes the shell
    commands its administrator gives in ``SCM_TEST_MSSQL_STOP`` / ``SCM_TEST_MSSQL_START``
    (without them the restart tests are skipped, saying so)."""
    engine: str
    session_id_sql: str = ""

    @property
    def admin_dsn(self) -> str:
        return {"postgresql": engines.PG_ADMIN, "mariadb": engines.MARIADB_ADMIN,
                "mssql": engines.MSSQL_ADMIN}[self.engine]

    def session_id(self, tx) -> int:
        """The server's id of the session a transaction runs on."""
        return int(tx.scalar_sql(self.session_id_sql))

    def end_session(self, session_id: int) -> None:
        """What a DBA or a crashed network does: the server drops that session."""
        if self.engine == "postgresql":
            _admin(self.admin_dsn, "SELECT pg_terminate_backend(?)", session_id)
        else:
            _admin(self.admin_dsn, f"KILL {'CONNECTION ' if self.engine == 'mariadb' else ''}{int(session_id)}")
        # The session is gone once the server no longer lists it (bounded wait).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._alive(session_id):
            time.sleep(0.05)

    def _alive(self, session_id: int) -> bool:
        sql = {"postgresql": "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?",
               "mariadb": "SELECT COUNT(*) FROM information_schema.processlist WHERE id = ?",
               "mssql": "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE session_id = ?"}[self.engine]
        cnxn = pyodbc.connect(self.admin_dsn, autocommit=True, timeout=5)
        try:
            return cnxn.execute(sql, session_id).fetchone()[0] > 0
        finally:
            cnxn.close()

    # Stopping and starting the real server (the slow tests) ------------------------
    def require_control(self) -> None:
        """Skip the calling test when this server cannot be stopped and started from here."""
        if self.engine == "mssql" and not (os.environ.get("SCM_TEST_MSSQL_STOP")
                                           and os.environ.get("SCM_TEST_MSSQL_START")):
            pytest.skip("set SCM_TEST_MSSQL_STOP and SCM_TEST_MSSQL_START to let the tests "
                        "stop and start the SQL Server")

    def stop(self) -> None:
        if self.engine == "postgresql":
            _run(["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "stop"])
        elif self.engine == "mssql":
            _run(["sh", "-c", os.environ["SCM_TEST_MSSQL_STOP"]])
        else:
            _run(["start-stop-daemon", "--stop", "--oknodo", "--retry", "30", "--exec", "/usr/sbin/mariadbd"])

    def start(self) -> None:
        """Start the server if it is not running, and wait (≤ 60 s) until it accepts connections."""
        if not self.accepts_connections():
            if self.engine == "postgresql":
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "start"],
                               timeout=60, check=False, capture_output=True)
            elif self.engine == "mssql":
                _run(["sh", "-c", os.environ["SCM_TEST_MSSQL_START"]])
            else:
                _run(["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"])
        self.wait_until_up()

    def restart(self) -> None:
        if self.engine == "postgresql":
            _run(["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "restart"])
            self.wait_until_up()
        else:
            self.stop()
            self.start()

    def wait_until_up(self, limit_s: float = 60) -> None:
        deadline = time.monotonic() + limit_s
        while not self.accepts_connections():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.engine} did not accept connections within {limit_s} s")
            time.sleep(0.25)

    def accepts_connections(self) -> bool:
        try:
            pyodbc.connect(self.admin_dsn, autocommit=True, timeout=2).close()
        except pyodbc.Error:
            return False
        return True


def _admin(dsn: str, sql: str, *params) -> None:
    cnxn = pyodbc.connect(dsn, autocommit=True, timeout=5)
    try:
        cnxn.execute(sql, *params)
    finally:
        cnxn.close()


def _pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, timeout=90, capture_output=True)


_SESSION_ID_SQL = {
    "postgresql": "SELECT pg_backend_pid() AS session_id",
    "mariadb": "SELECT CONNECTION_ID() AS session_id",
    "mssql": "SELECT @@SPID AS session_id",
}


@pytest.fixture
def server(engine) -> Server:
    """The database server under test (PostgreSQL, MariaDB or SQL Server; SQLite has none)."""
    if engine not in _SESSION_ID_SQL:
        pytest.skip(f"{engine} is embedded: there is no server session to lose")
    return Server(engine, _SESSION_ID_SQL[engine])
