"""Generate the inventory benchmark database (its own, apart from bench/generate.py's):
at scale 1, 2,000 customers, 200 suppliers, 50,000 items (every name shared by two
items, as reprints are), ~75,000 rows of our warehouses' current stock, 200,000
customer stock figures with 1,000,000 history rows, and 50,000 supplier figures.
Deterministic (seeded) and bounded: it inserts exactly what it counts.

    python bench/inventory/generate.py --engine postgresql --scale 1

Databases: ``scm_bench_inv_<engine>`` on the servers on 127.0.0.1 (the tests' role),
``bench/inventory/data/bench.db`` for SQLite; kept for reruns of bench.py.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyodbc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from fixtures import engines  # noqa: E402  (the tests' admin connections, role and password)

from scm_plugin import accounts  # noqa: E402
from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations  # noqa: E402

DATA = HERE / "data"
ENGINES = ("sqlite", "postgresql", "mariadb")
REP = "bench_inv_rep"
GRANTED = 100                 # customers granted to the benchmark rep
ITEMS_PER_CUSTOMER = 100      # customer stock figures per customer
FIGURES_PER_ITEM = 5          # history rows per customer figure
HOT_ITEM = "1000001"          # held by many customers: the "rows grow" case


def dsn(engine: str) -> str:
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"DRIVER={{SQLite3}};Database={DATA / 'bench.db'};FKSupport=1"
    name = f"scm_bench_inv_{engine}"
    if engine == "postgresql":
        return ("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;"
                f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")
    return ("DRIVER={MariaDB Unicode};SERVER=127.0.0.1;PORT=3306;"
            f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")


def recreate(engine: str) -> str:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'bench.db'}{suffix}").unlink(missing_ok=True)
        return dsn(engine)
    name = f"scm_bench_inv_{engine}"
    if engine == "postgresql":
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
    return dsn(engine)


def database(engine: str) -> Database:
    return Database(dsn(engine), Mapping.default(), statement_timeout=600)


def raw_connection(engine: str):
    """A plain pyodbc connection with only what the engine needs to read Chinese right."""
    cnxn = pyodbc.connect(dsn(engine) + (";CHARSET=utf8mb4" if engine == "mariadb" else ""), autocommit=False)
    if engine == "mariadb":
        cnxn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
        cnxn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
        cnxn.setencoding(encoding="utf-8")
    return cnxn


def _insert(tx, table_sql: str, columns: list[str], rows: list[tuple], per_statement: int = 200) -> None:
    """Many rows per INSERT (one round trip each); executemany is broken on two drivers."""
    width = len(columns)
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in part)
        tx.execute(f"INSERT INTO {table_sql} ({', '.join(columns)}) VALUES {marks}", *[v for r in part for v in r])


def generate(engine: str, scale: float, seed: int = 20261126) -> dict:
    rnd = random.Random(seed)
    n_customers = max(20, int(2000 * scale))
    n_suppliers = max(5, int(200 * scale))
    n_items = max(200, int(50000 * scale)) // 2 * 2
    started = time.perf_counter()
    recreate(engine)
    db = database(engine)
    erp_schema.create_reference_schema(db)
    migrations.upgrade(db)
    m, q = db.mapping, db.dialect.quote

    def cols(entity, *fields):
        return [q(m.column(entity, f)) for f in fields]

    def table(entity):
        return db.dialect.quote_dotted(m.table(entity))

    customers = [f"K{i:05d}" for i in range(1, n_customers + 1)]
    suppliers = [f"V{i:04d}" for i in range(1, n_suppliers + 1)]
    items = [f"{1000000 + i}" for i in range(1, n_items + 1)]
    counts = {"customers": n_customers, "suppliers": n_suppliers, "items": n_items}
    with db.transaction() as tx:
        _insert(tx, table("customer"), cols("customer", "code", "name", "short_name"),
                [(c, f"客户{c}有限公司", f"客户{c}") for c in customers])
        _insert(tx, table("supplier"), cols("supplier", "code", "name"), [(s, f"供应商{s}有限公司") for s in suppliers])
        # every name and master-disc no is shared by two items (a disc and its reprint)
        _insert(tx, table("item"), cols("item", "code", "name", "spec", "unit", "master_disc_no", "family", "lead_days"),
                [(c, f"CD《曲目{(i // 2):05d}》", "CD-DA 700MB", "片", f"MD-{(i // 2):05d}", "CD", 10)
                 for i, c in enumerate(items)])
        _insert(tx, table("warehouse"), cols("warehouse", "code", "name", "kind"),
                [("01", "光盘成品仓库", "光盘成品"), ("02", "材料仓库", "材料"), ("03", "附件包成品仓库", "附件包成品")])
        stock = [(wh, c, Decimal(rnd.randint(0, 50000))) for c in items
                 for wh in rnd.sample(["01", "02", "03"], rnd.choice([1, 2]))]
        _insert(tx, table("stock"), cols("stock", "warehouse_code", "inventory_code", "quantity"), stock)
    counts["own_stock"] = len(stock)

    rep_id = accounts.create_user(db, username=REP, role="rep", password="bench-password-1")
    accounts.grant(db, REP, customers[:GRANTED])

    # customer figures: each customer keeps ITEMS_PER_CUSTOMER items, the hot item for all
    now = dt.datetime(2026, 11, 26, 8, 0)
    n_figures = n_history = 0
    for start in range(0, n_customers, 100):
        figures, history = [], []
        for c in customers[start:start + 100]:
            held = [HOT_ITEM] + rnd.sample(items[1:], ITEMS_PER_CUSTOMER - 1)
            for code in held:
                qty = Decimal(rnd.randint(1000, 20000))
                at = now - dt.timedelta(days=FIGURES_PER_ITEM * 14)
                old = None
                for _ in range(FIGURES_PER_ITEM):
                    at += dt.timedelta(days=14)
                    history.append((c, code, old, qty, None, rep_id, at))
                    old, qty = qty, max(Decimal(0), qty - rnd.randint(0, 800) + (3000 if rnd.random() < .2 else 0))
                figures.append((c, code, old, "bench", rep_id, at))
        with db.transaction() as tx:
            _insert(tx, "scm_customer_stock", ["customer_code", "inventory_code", "quantity", "remarks",
                                               "updated_by", "updated_at"], figures)
            _insert(tx, "scm_customer_stock_history", ["customer_code", "inventory_code", "old_quantity",
                                                       "new_quantity", "remarks", "changed_by", "changed_at"], history)
        n_figures += len(figures)
        n_history += len(history)
    counts["customer_figures"], counts["customer_history"] = n_figures, n_history

    # supplier figures: one import, each supplier ~250 items
    with db.transaction() as tx:
        import_id = tx.insert("INSERT INTO scm_supplier_import (filename, row_count, imported_by, imported_at) "
                              "VALUES (?, ?, ?, ?)", "bench.csv", 0, rep_id, now)
        rows = []
        for s in suppliers:
            for code in [HOT_ITEM] + rnd.sample(items[1:], 249):
                rows.append((s, code, Decimal(rnd.randint(0, 9000)) / 4, import_id, now))
        _insert(tx, "scm_supplier_stock", ["supplier_code", "inventory_code", "quantity", "import_id", "updated_at"],
                rows)
    counts["supplier_figures"] = len(rows)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    db.dispose()
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    print(generate(args.engine, args.scale))
