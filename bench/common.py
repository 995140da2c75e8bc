"""Shared pieces of the benchmarks: one benchmark database per engine and scale (created
by ``bench/generate.py``, read by every benchmark), the plain pyodbc floor, timing.

Databases (servers on 127.0.0.1, the tests' admin connections and role, as in
``tests/fixtures/engines.py``):

* SQLite: ``bench/data/bench-s<scale>.db``
* PostgreSQL / MariaDB: ``scm_bench_<engine>_s<scale>`` (e.g. ``scm_bench_mariadb_s0_1``)
* SQL Server (``mssql``): ``scm_bench_mssql_s<scale>`` on the T-SQL server of
  ``SCM_TEST_MSSQL_DSN`` (the tests' admin DSN, which may create databases; a real SQL
  Server or Babelfish for PostgreSQL), reached with that DSN and its DATABASE= replaced

They are kept between runs; ``bench/data/`` is git-ignored. Run from the repository root.
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import pyodbc

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from fixtures import engines  # noqa: E402  (the tests' way to create databases and roles)

from scm_plugin.erp_bridge import Database, Mapping  # noqa: E402

DATA = HERE / "data"
RESULTS = HERE / "results"
ENGINES = ("sqlite", "postgresql", "mariadb", "mssql")
REP = "bench_rep"                  # a rep granted GRANTED customers
ADMIN = "bench_admin"              # granted every customer ('*')
PASSWORD = "bench-password-1"
GRANTED = 100
HOT_ITEM = "1000001"               # in the stock list of every customer: the "rows grow" case


def scale_tag(scale: float) -> str:
    return f"s{scale:g}".replace(".", "_")


def db_name(engine: str, scale: float) -> str:
    return f"scm_bench_{engine}_{scale_tag(scale)}"


def bench_dsn(engine: str, scale: float = 1.0) -> str:
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"DRIVER={{SQLite3}};Database={DATA / f'bench-{scale_tag(scale)}.db'};FKSupport=1"
    name = db_name(engine, scale)
    if engine == "mssql":
        return engines.with_database(_mssql_admin(), name)
    if engine == "postgresql":
        return ("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;"
                f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")
    return ("DRIVER={MariaDB Unicode};SERVER=127.0.0.1;PORT=3306;"
            f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")


def _mssql_admin() -> str:
    if not engines.MSSQL_ADMIN:
        raise SystemExit("the mssql engine needs SCM_TEST_MSSQL_DSN, an admin connection string to a SQL Server "
                         "(docs/sql-server.md)")
    return engines.MSSQL_ADMIN


def recreate(engine: str, scale: float = 1.0) -> str:
    """A new, empty benchmark database; returns its DSN."""
    if engine == "sqlite":
        path = DATA / f"bench-{scale_tag(scale)}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return bench_dsn(engine, scale)
    name = db_name(engine, scale)
    if engine == "mssql":
        engines._drop_mssql_database(name)
        engines._admin(_mssql_admin(), [f"CREATE DATABASE [{name}]"])
    elif engine == "postgresql":
        engines._admin(engines.PG_ADMIN, [
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{engines.TEST_ROLE}') THEN "
            f"CREATE ROLE {engines.TEST_ROLE} LOGIN PASSWORD '{engines.TEST_PASSWORD}'; END IF; END $$"])
        engines._admin(engines.PG_ADMIN, [
            f'CREATE DATABASE "{name}" OWNER {engines.TEST_ROLE} ENCODING \'UTF8\' TEMPLATE template0'])
    else:
        engines._admin(engines.MARIADB_ADMIN, [
            f"DROP DATABASE IF EXISTS `{name}`",
            f"CREATE USER IF NOT EXISTS '{engines.TEST_ROLE}'@'%' IDENTIFIED BY '{engines.TEST_PASSWORD}'",
            f"CREATE USER IF NOT EXISTS '{engines.TEST_ROLE}'@'localhost' IDENTIFIED BY '{engines.TEST_PASSWORD}'",
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{engines.TEST_ROLE}'@'%'",
            f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{engines.TEST_ROLE}'@'localhost'"])
    return bench_dsn(engine, scale)


def database(engine: str, scale: float = 1.0, timeout: int = 900) -> Database:
    return Database(bench_dsn(engine, scale), Mapping.default(), statement_timeout=timeout)


def app_for(engine: str, scale: float = 1.0, **config):
    """The plugin as a host application would create it, on the benchmark database."""
    from scm_plugin import create_app

    base = {"SECRET_KEY": "bench", "SCM_ERP_DSN": bench_dsn(engine, scale), "SCM_STORAGE_DIR": "/tmp/scm-bench-files",
            "SCM_DB_STATEMENT_TIMEOUT": 900, "SCM_LOGIN_SLOWDOWN_SECONDS": 0, "SCM_SMS_BACKEND": "log",
            "SCM_LOG_LEVEL": "WARNING"}
    base.update(config)
    return create_app(base)


def raw_connection(engine: str, scale: float = 1.0, timeout: int = 900):
    """A plain pyodbc connection: the floor the plugin is compared with. Only what the
    engine needs to read Chinese right and to bound a statement."""
    db = database(engine, scale, timeout)
    dsn = db.dialect.prepare_dsn(bench_dsn(engine, scale), timeout)
    db.dispose()
    cnxn = pyodbc.connect(dsn, autocommit=False)
    try:
        cnxn.timeout = timeout
    except pyodbc.Error:
        pass  # psqlODBC has no query timeout attribute; prepare_dsn sets statement_timeout
    if engine == "mariadb":
        cnxn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        cnxn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
        cnxn.setencoding(encoding="utf-8")
    return cnxn


def sql_time(engine: str, value):
    """A date or datetime parameter as the floor passes it: the object itself where the
    driver binds it as a timestamp (psqlODBC, FreeTDS), else ISO text (SQLite, MariaDB
    columns compared as text)."""
    if engine in ("postgresql", "mssql"):
        return value
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()


def page(engine: str, sql: str, limit: int, offset: int = 0) -> tuple[str, list[int]]:
    """``sql`` with a page: T-SQL's OFFSET … FETCH (offset first), LIMIT … OFFSET elsewhere."""
    if engine == "mssql":
        return f"{sql} OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", [offset, limit]
    return f"{sql} LIMIT ? OFFSET ?", [limit, offset]


def locked(engine: str) -> tuple[str, str]:
    """A row lock for a SELECT: (what follows the table name, what ends the statement).
    T-SQL takes a table hint; SQLite locks the whole file (the caller's first write)."""
    return {"mssql": (" WITH (UPDLOCK, ROWLOCK)", ""), "sqlite": ("", "")}.get(engine, ("", " FOR UPDATE"))


def timed(fn, repeat: int = 20, warmup: int = 2) -> dict:
    """Median and p90 wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": statistics.median(samples), "p90_ms": samples[max(0, int(len(samples) * 0.9) - 1)]}


def compare(plugin, raw, repeat: int, warmup: int = 2) -> dict:
    """Plugin and floor alternately in rounds, so a burst of load from elsewhere on the
    machine hits both sides alike; the ratio of the medians."""
    for _ in range(warmup):
        plugin()
        raw()
    p, r = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        plugin()
        p.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        raw()
        r.append((time.perf_counter() - start) * 1000)
    pm, rm = statistics.median(p), statistics.median(r)
    p.sort()
    return {"plugin_ms": round(pm, 2), "raw_ms": round(rm, 2), "ratio": round(pm / rm, 2),
            "plugin_p90_ms": round(p[max(0, int(len(p) * 0.9) - 1)], 2)}


def statements(db, fn) -> int:
    """How many statements ``fn()`` sent through the bridge (``Database.statement_count``)."""
    before = db.statement_count
    fn()
    return db.statement_count - before


def chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def multi_insert(tx, table_sql: str, columns: list[str], rows: list[tuple], per_statement: int = 200) -> None:
    """INSERT … VALUES (…), (…): many rows per round trip (pyodbc's executemany sends one
    row per round trip on psqlODBC and MariaDB Connector/ODBC, and fails on FreeTDS).
    At most 1,000 rows and 2,100 parameters per statement, T-SQL's limits."""
    width = len(columns)
    for part in chunks(rows, max(1, min(per_statement, 1000, 2100 // width))):
        marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in part)
        tx.execute_sql(f"INSERT INTO {table_sql} ({', '.join(columns)}) VALUES {marks}", *[v for row in part for v in row])
