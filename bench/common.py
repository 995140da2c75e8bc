"""Shared pieces of the benchmarks: databases of each engine, a data generator at the
issue's scale (200k orders, 2M progress records, 50k items, 2k customers), timing.

Run from the repository root, e.g.::

    python bench/generate.py --engine postgresql --scale 1
    python bench/bench_orders.py --engine postgresql

Databases are created under names ``scm_bench_<engine>`` (servers on 127.0.0.1, as in
the tests) or ``bench/data/<engine>.db`` for SQLite, and kept for reruns.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyodbc

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "tests"))

from fixtures import engines  # noqa: E402  (the tests' way to create databases and roles)

from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations  # noqa: E402

DATA = ROOT / "data"


def bench_dsn(engine: str) -> str:
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"DRIVER={{SQLite3}};Database={DATA / 'bench.db'};FKSupport=1"
    name = f"scm_bench_{engine}"
    if engine == "postgresql":
        return ("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;"
                f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")
    return ("DRIVER={MariaDB Unicode};SERVER=127.0.0.1;PORT=3306;"
            f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")


def recreate(engine: str) -> str:
    """A new, empty benchmark database; returns its DSN."""
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'bench.db'}{suffix}").unlink(missing_ok=True)
        return bench_dsn(engine)
    name = f"scm_bench_{engine}"
    if engine == "postgresql":
        engines._admin(engines.PG_ADMIN, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
        engines._admin(engines.PG_ADMIN, [
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{engines.TEST_ROLE}') THEN "
            f"CREATE ROLE {engines.TEST_ROLE} LOGIN PASSWORD '{engines.TEST_PASSWORD}'; END IF; END $$",
            f'CREATE DATABASE "{name}" OWNER {engines.TEST_ROLE} ENCODING \'UTF8\' TEMPLATE template0'])
    else:
        engines._admin(engines.MARIADB_ADMIN, [
            f"DROP DATABASE IF EXISTS `{name}`",
            f"CREATE USER IF NOT EXISTS '{engines.TEST_ROLE}'@'%' IDENTIFIED BY '{engines.TEST_PASSWORD}'",
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{engines.TEST_ROLE}'@'%'"])
    return bench_dsn(engine)


def database(engine: str) -> Database:
    return Database(bench_dsn(engine), Mapping.default(), statement_timeout=600)


def raw_connection(engine: str):
    """A plain pyodbc connection: the floor the plugin is compared with."""
    db = database(engine)
    dsn = db.dialect.prepare_dsn(bench_dsn(engine), 600)
    cnxn = pyodbc.connect(dsn, autocommit=False)
    if engine == "mariadb":
        cnxn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        cnxn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
        cnxn.setencoding(encoding="utf-8")
    db.dispose()
    return cnxn


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
    return {"median_ms": statistics.median(samples), "p90_ms": samples[int(len(samples) * 0.9) - 1]}


def chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def multi_insert(tx, table_sql: str, columns: list[str], rows: list[tuple], per_statement: int = 200) -> None:
    """INSERT … VALUES (…), (…) — many rows per round trip (executemany is broken on two drivers)."""
    width = len(columns)
    for part in chunks(rows, per_statement):
        marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in part)
        params = [v for row in part for v in row]
        tx.execute(f"INSERT INTO {table_sql} ({', '.join(columns)}) VALUES {marks}", *params)


__all__ = ["Decimal", "dt", "random", "os"]
