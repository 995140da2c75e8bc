"""The database going away in the middle of a checker run, without touching the shared
database servers:

* PostgreSQL and MariaDB: the app under test reaches the server through a small TCP
  proxy on 127.0.0.1; stopping the proxy cuts every connection (and refuses new ones)
  exactly as a stopped server does for the client; starting it again is the restart.
* SQLite has no server: the app's connections fail as the driver reports a vanished
  database ("unable to open database") until the outage ends.
"""
from __future__ import annotations

import contextlib
import re
import socket
import threading

from fixtures import web as web_fixtures
from scm_plugin.erp_bridge import connection, errors


class TCPProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<target>; ``stop()`` cuts everything."""

    def __init__(self, target_port: int, port: int = 0):
        self.target_port = target_port
        self.port = port
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener
        stopped = self._stopped = threading.Event()
        threading.Thread(target=self._accept, args=(listener, stopped), daemon=True).start()

    def _accept(self, listener: socket.socket, stopped: threading.Event) -> None:
        while not stopped.is_set():
            try:
                client, _addr = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return  # the listener was closed
            if stopped.is_set():
                client.close()
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            self._stopped.set()
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()


@contextlib.contextmanager
def outage_through_proxy(kit, engine_db, tmp_path, monkeypatch):
    port = int(re.search(r"PORT=(\d+)", engine_db.dsn).group(1))
    proxy = TCPProxy(port)
    proxy.start()
    dsn = re.sub(r"PORT=\d+", f"PORT={proxy.port}", engine_db.dsn)
    app = web_fixtures.make_app(dsn, tmp_path, SCM_SMS_BACKEND="log", SCM_DB_STATEMENT_TIMEOUT=5)
    app.scm_outage_start = proxy.stop

    def restart():
        proxy.start()  # the same port: the "server" is back

    app.scm_outage_end = restart
    try:
        yield app
    finally:
        proxy.stop()
        app.extensions["scm"].db.dispose()


@contextlib.contextmanager
def outage_on_sqlite(kit, engine_db, tmp_path, monkeypatch):
    app = web_fixtures.make_app(engine_db.dsn, tmp_path, SCM_SMS_BACKEND="log")
    db = app.extensions["scm"].db
    down = threading.Event()

    def gone():
        return errors.ConnectionLost(sqlstate="HY000", detail="unable to open database file (simulated outage)")

    real_connect = db._connect
    real_run = connection.Transaction._run

    def connect():
        if down.is_set():
            raise gone()
        return real_connect()

    def run(self, fn):
        if down.is_set() and self.db is db:
            self._broken = True
            raise gone()
        return real_run(self, fn)

    monkeypatch.setattr(db, "_connect", connect)
    monkeypatch.setattr(connection.Transaction, "_run", run)
    app.scm_outage_start = down.set
    app.scm_outage_end = down.clear
    try:
        yield app
    finally:
        down.clear()
        db.dispose()
