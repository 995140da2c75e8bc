"""Fixtures of the fault tests: the mail server, Kannel and the database stopped and
restarted while the plugin is in use.

Reused, not copied: the real SMTP server (``smtp`` in tests/conftest.py,
tests/fixtures/smtp.py), the real Kannel (tests/fixtures/kannel.py) and the database
outage through a TCP proxy or its SQLite analogue (tests/alert_policy/proxy.py).
Every wait is bounded; every server started here is stopped in the fixture's teardown.
"""
from __future__ import annotations

import datetime as dt

import pytest

from fixtures import web as web_fixtures
from fixtures.waiting import wait_until  # noqa: F401  (the tests here import it from this module)
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.outbox import relay




def make_due(db) -> None:
    """End every back-off, as if the retry time had come."""
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET next_attempt_at = ? WHERE status = 'pending'",
                       utcnow() - dt.timedelta(seconds=1))


def relay_once(app, db=None, due: bool = False) -> dict:
    if due:
        make_due(db or app.extensions["scm"].db)
    with app.app_context():
        return relay(app)


# --- Kannel: `kannel` and `kannel_up` come from tests/fixtures/kannel.py (one per module) -----


@pytest.fixture
def smtp_back(smtp):
    """The ``smtp`` server, restarted at teardown if a test failed while it was stopped
    (so the conftest's own teardown stops a running server)."""
    yield smtp
    if smtp.controller is None:
        smtp.start()


# --- the database going away ----------------------------------------------------------------
@pytest.fixture
def outage_app(engine, engine_db, db, users, tmp_path, monkeypatch):
    """An app whose database can be stopped and started: ``app.scm_outage_start()`` /
    ``app.scm_outage_end()`` (through a TCP proxy for PostgreSQL and MariaDB, the driver's
    "unable to open database" for SQLite)."""
    if engine == "sqlite":
        from alert_policy.proxy import outage_on_sqlite as outage
    else:
        from alert_policy.proxy import outage_through_proxy as outage
    with outage(None, engine_db, tmp_path, monkeypatch) as app:
        app.test_client_class = web_fixtures.Client
        start, end, down = app.scm_outage_start, app.scm_outage_end, []

        def outage_start():
            start()
            down.append(True)

        def outage_end():
            if down:
                end()
                down.clear()

        app.scm_outage_start, app.scm_outage_end = outage_start, outage_end
        yield app
        outage_end()  # whatever the test did, the database is back before the teardown


class MuteProxy:
    """Forwards requests to ``target_port`` but never passes an answer back: the gateway
    takes the message and the caller times out (the ambiguous failure)."""

    def __init__(self, target_port: int):
        import socket
        import threading

        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._sockets: list = []
        self._thread = threading.Thread(target=self._accept, daemon=True, name="mute-proxy")
        self._thread.start()

    def _accept(self):
        import socket
        import threading

        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.requests += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._drain, args=(upstream,), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            src.settimeout(5)
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    @staticmethod
    def _drain(sock):          # read and drop the gateway's answer
        try:
            sock.settimeout(10)
            while sock.recv(65536):
                pass
        except OSError:
            pass

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        for s in self._sockets + [self.listener]:
            try:
                s.close()
            except OSError:
                pass


@pytest.fixture
def mute_proxy(kannel):
    proxy = MuteProxy(kannel.sendsms_port)
    yield proxy
    proxy.close()
