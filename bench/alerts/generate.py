"""Generate the alert-checker benchmark database: 25,000 approved orders with an alert
policy of 4 checkpoints each (100,000 checkpoints) and 80 production-progress records
per order (2,000,000 records), all through the reference mapping. Deterministic (seeded)
and bounded: it inserts exactly what it counts.

    python bench/alerts/generate.py --engine sqlite            # bench/alerts/data/alerts.db
    python bench/alerts/generate.py --engine postgresql        # database scm_bench_alerts_postgresql

Every order is due by ``EVAL_AT`` (the worst case: a first run, or a run catching up
after a long outage evaluates all 100k at once). Roughly ``--late`` of the orders fall
behind at one step, so their checkpoint there is missed; the rest are met.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests"))

from fixtures import engines  # noqa: E402  (the tests' way to create databases and roles)

from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations  # noqa: E402

DATA = HERE / "data"
ERP_TZ = ZoneInfo("Asia/Shanghai")
STEPS = [("MST", "母盘刻录", 10), ("ELF", "电铸", 20), ("REP", "注塑复制", 30), ("PRT", "印刷", 40),
         ("PCK", "包装", 50), ("WHI", "成品入库", 60)]
# per order: (step, reports); 1 + 1 + 38 + 20 + 20 = 80
REPORTS = [("MST", 1), ("ELF", 1), ("REP", 38), ("PRT", 20), ("PCK", 20)]
# per order: (step, due day after the start, share of the order quantity; None = 1 piece)
CHECKPOINTS = [("MST", 2, None), ("REP", 5, Decimal("0.5")), ("PRT", 8, Decimal("0.8")), ("PCK", 10, Decimal(1))]
START = dt.datetime(2026, 6, 1, 0, 0)          # UTC; orders start over 60 days from here
EVAL_AT = START + dt.timedelta(days=75)         # every checkpoint is due by then


def bench_dsn(engine: str) -> str:
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        return f"DRIVER={{SQLite3}};Database={DATA / 'alerts.db'};FKSupport=1"
    name = f"scm_bench_alerts_{engine}"
    if engine == "postgresql":
        return ("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=5432;"
                f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")
    return ("DRIVER={MariaDB Unicode};SERVER=127.0.0.1;PORT=3306;"
            f"DATABASE={name};UID={engines.TEST_ROLE};PWD={engines.TEST_PASSWORD}")


def recreate(engine: str) -> str:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'alerts.db'}{suffix}").unlink(missing_ok=True)
        return bench_dsn(engine)
    name = f"scm_bench_alerts_{engine}"
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
            f"CREATE USER IF NOT EXISTS '{engines.TEST_ROLE}'@'localhost' IDENTIFIED BY '{engines.TEST_PASSWORD}'",
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{engines.TEST_ROLE}'@'%'",
            f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{engines.TEST_ROLE}'@'localhost'"])
    return bench_dsn(engine)


def database(engine: str) -> Database:
    return Database(bench_dsn(engine), Mapping.default(), statement_timeout=900)


def erp_local(utc: dt.datetime) -> dt.datetime:
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(ERP_TZ).replace(tzinfo=None)


def multi_insert(tx, table_sql: str, columns: list[str], rows: list[tuple], per_statement: int) -> None:
    """INSERT … VALUES (…), (…): many rows per round trip."""
    width = len(columns)
    for i in range(0, len(rows), per_statement):
        part = rows[i:i + per_statement]
        marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in part)
        tx.execute(f"INSERT INTO {table_sql} ({', '.join(columns)}) VALUES {marks}",
                   *[v for row in part for v in row])


def generate(engine: str, orders: int = 25000, late: float = 0.03, seed: int = 20261127) -> dict:
    rnd = random.Random(seed)
    started = time.perf_counter()
    recreate(engine)
    db = database(engine)
    erp_schema.create_reference_schema(db)
    migrations.upgrade(db)
    m, q = db.mapping, db.dialect.quote

    def table(entity):
        return db.dialect.quote_dotted(m.table(entity))

    def cols(entity, *fields):
        return [q(m.column(entity, f)) for f in fields]

    customers = [f"K{i:04d}" for i in range(1, 201)]
    with db.transaction() as tx:
        multi_insert(tx, table("customer"), cols("customer", "code", "name"),
                     [(c, f"客户{c}有限公司") for c in customers], 100)
        multi_insert(tx, table("process_step"), cols("process_step", "code", "name", "seq"), STEPS, 10)
    n_progress = n_checkpoints = n_late = 0
    batch = 1000
    seq_of = {s: n for s, _name, n in STEPS}
    for first in range(1, orders + 1, batch):
        order_rows, policy_rows, cp_rows, progress_rows = [], [], [], []
        for oid in range(first, min(first + batch, orders + 1)):
            start = START + dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 60))
            form_no = f"HT{start:%Y%m%d}{oid:06d}"
            qty = Decimal(rnd.randint(10, 50) * 1000)
            order_rows.append((oid, f"SO{start:%y%m%d}{oid:06d}", "sales", rnd.choice(customers), "approved",
                               start - dt.timedelta(days=2), start, form_no))
            policy_rows.append((oid, oid, "[\"13800138000\"]", start))
            lag_step = rnd.choice(["REP", "PRT", "PCK"]) if rnd.random() < late else None
            n_late += lag_step is not None
            window = start
            for seq, (step, day, share) in enumerate(CHECKPOINTS, start=1):
                due = start + dt.timedelta(days=day)
                need = Decimal(1) if share is None else (qty * share).quantize(Decimal(1))
                cp_rows.append((oid, seq, due, erp_local(due), window, window + (due - window) / 2, step, need,
                                "pending"))
                window = due
            for step, count in REPORTS:
                # each step reports in the days before its checkpoint; a late order's
                # lagging step (and every later one) reports two days later
                cp_day = {"MST": 2, "ELF": 3, "REP": 5, "PRT": 8, "PCK": 10}[step]
                lag = dt.timedelta(days=2) if lag_step and seq_of[step] >= seq_of[lag_step] else dt.timedelta(0)
                per = Decimal(1) if step in ("MST", "ELF") else (qty * Decimal("1.02") / count).quantize(Decimal(1))
                for k in range(count):
                    at = start + dt.timedelta(days=cp_day) - dt.timedelta(hours=2 + (count - k) * 2) + lag
                    progress_rows.append((form_no, step, per, erp_local(at), "车间"))
        with db.transaction() as tx:
            multi_insert(tx, "scm_order", ["id", "order_no", "kind", "customer_code", "status", "placed_at",
                                           "reviewed_at", "erp_form_no"], order_rows, 200)
            multi_insert(tx, "scm_alert_policy", ["id", "order_id", "sms_to", "updated_at"], policy_rows, 250)
            multi_insert(tx, "scm_checkpoint", ["policy_id", "seq", "due_at", "due_at_erp", "window_start", "warn_from",
                                                "process_code", "quantity", "state"], cp_rows, 100)
            multi_insert(tx, table("progress"), cols("progress", "order_ref", "process_code", "quantity",
                                                     "reported_at", "reporter"), progress_rows, 200)
        n_progress += len(progress_rows)
        n_checkpoints += len(cp_rows)
    # fresh statistics, as a production database has them
    with db.transaction() as tx:
        if db.dialect.name == "postgresql":
            tx.ddl("ANALYZE")
        elif db.dialect.name == "mysql":
            for t in ("scm_order", "scm_alert_policy", "scm_checkpoint", m.table("progress"), m.table("process_step")):
                tx.all(f"ANALYZE TABLE {db.dialect.quote_dotted(t)}")
        else:
            tx.ddl("ANALYZE")
    counts = {"engine": engine, "orders": orders, "checkpoints": n_checkpoints, "progress": n_progress,
              "late_orders": n_late, "seconds": round(time.perf_counter() - started, 1)}
    db.dispose()
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--orders", type=int, default=25000, help="4 checkpoints and 80 reports each")
    parser.add_argument("--late", type=float, default=0.03, help="share of orders behind at one step")
    args = parser.parse_args()
    print(generate(args.engine, args.orders, args.late))
