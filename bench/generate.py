"""Generate the benchmark database: at scale 1, 2,000 customers, 50,000 items,
200,000 web orders (400,000 lines), their ERP review forms, and 2,000,000 production
progress records. Deterministic (seeded). Bounded: it inserts exactly what it counts.

    python bench/generate.py --engine sqlite --scale 1
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from decimal import Decimal

from common import database, multi_insert, recreate

from scm_plugin import accounts
from scm_plugin.erp_bridge import erp_schema, migrations

STEPS = [("MST", "母盘刻录", 10), ("ELF", "电铸", 20), ("REP", "注塑复制", 30), ("PRT", "印刷", 40),
         ("PCK", "包装", 50), ("WHI", "成品入库", 60)]


def generate(engine: str, scale: float, seed: int = 20261126) -> dict:
    rnd = random.Random(seed)
    n_customers = max(20, int(2000 * scale))
    n_items = max(100, int(50000 * scale))
    n_orders = max(200, int(200000 * scale))
    progress_per_form = 12  # 160k approved forms × 12 ≈ 2M at scale 1 (adjusted below)
    started = time.perf_counter()
    recreate(engine)
    db = database(engine)
    erp_schema.create_reference_schema(db)
    migrations.upgrade(db)
    m = db.mapping
    q = db.dialect.quote

    def cols(entity, *fields):
        return [q(m.column(entity, f)) for f in fields]

    def table(entity):
        return db.dialect.quote_dotted(m.table(entity))

    customers = [f"K{i:05d}" for i in range(1, n_customers + 1)]
    items = [f"{1000000 + i}" for i in range(1, n_items + 1)]
    with db.transaction() as tx:
        multi_insert(tx, table("customer"), cols("customer", "code", "name", "short_name"),
                     [(c, f"客户{c}有限公司", f"客户{c}") for c in customers])
        multi_insert(tx, table("item"), cols("item", "code", "name", "spec", "unit", "master_disc_no", "family", "lead_days"),
                     [(c, f"CD《曲目{c}》", "CD-DA 700MB", "片", f"MD-{c}", rnd.choice(["CD", "DVD", "BD"]),
                       rnd.choice([7, 10, 14])) for c in items])
        multi_insert(tx, table("warehouse"), cols("warehouse", "code", "name", "kind"),
                     [("01", "光盘成品仓库", "光盘成品"), ("02", "材料仓库", "材料"), ("03", "附件包成品仓库", "附件包成品")])
        multi_insert(tx, table("process_step"), cols("process_step", "code", "name", "seq"), STEPS)
        stock = []
        for c in items:
            for wh in rnd.sample(["01", "02", "03"], rnd.choice([1, 2])):
                stock.append((wh, c, Decimal(rnd.randint(0, 50000))))
        multi_insert(tx, table("stock"), cols("stock", "warehouse_code", "inventory_code", "quantity"), stock)
        parts = [(c, f"{c}-P{j:02d}", rnd.choice(items)) for c in customers for j in range(20)]
        multi_insert(tx, table("customer_part"), cols("customer_part", "customer_code", "part_no", "inventory_code"), parts)

    rep_id = accounts.create_user(db, username="bench_rep", role="rep", password="bench-password-1",
                                  email="bench_rep@example.test")
    accounts.grant(db, "bench_rep", customers[:100])
    accounts.create_user(db, username="bench_admin", role="admin", password="bench-password-1")
    accounts.grant(db, "bench_admin", ["*"])

    # orders, lines, forms and progress, in batches so no transaction grows too large
    now = dt.datetime(2026, 11, 26, 8, 0)
    order_id = 0
    form_id = 0
    progress_rows = 0
    batch = 5000
    for start in range(0, n_orders, batch):
        orders, lines, forms, form_lines, progress = [], [], [], [], []
        for _ in range(min(batch, n_orders - start)):
            order_id += 1
            kind = "sample" if rnd.random() < 0.15 else "sales"
            customer = customers[0] if order_id % 50 == 0 else rnd.choice(customers)
            r = rnd.random()
            status = "pending" if r < 0.10 else ("rejected" if r < 0.20 else "approved")
            placed = now - dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 730))
            order_no = f"{'SP' if kind == 'sample' else 'SO'}{placed:%y%m%d}{order_id:06d}"
            erp_form_id = erp_form_no = contract_no = None
            if status == "approved":
                form_id += 1
                erp_form_id = form_id
                erp_form_no = f"{'YP' if kind == 'sample' else 'HT'}{placed:%Y%m%d}{form_id:06d}"
                contract_no = f"C-{form_id:07d}"
            orders.append((order_id, order_no, kind, customer, status, f"PO-{order_id}", (placed + dt.timedelta(days=30)).date(),
                           None, rep_id, placed, erp_form_id, erp_form_no, contract_no,
                           "数量不对" if status == "rejected" else None))
            for n in (1, 2):
                item = rnd.choice(items)
                qty = Decimal(rnd.randint(1, 200) * 100)
                lines.append((order_id, n, item, None, f"CD《曲目{item}》", f"MD-{item}", qty, "片"))
                if erp_form_no:
                    form_lines.append((kind, form_id, n, item, qty))
            if erp_form_no:
                forms.append((kind, form_id, erp_form_no, customer, placed, (placed + dt.timedelta(days=30)).date(),
                              order_no, "2", contract_no))
                total = 0
                for step, _name, _seq in STEPS:
                    for k in range(2):
                        if total >= progress_per_form:
                            break
                        progress.append((erp_form_no, step, Decimal(rnd.randint(100, 5000)),
                                         placed + dt.timedelta(days=1 + STEPS.index((step, _name, _seq)), hours=k)))
                        total += 1
        with db.transaction() as tx:
            multi_insert(tx, "scm_order", ["id", "order_no", "kind", "customer_code", "status", "customer_order_no",
                                           "requested_date", "remarks", "placed_by", "placed_at", "erp_form_id",
                                           "erp_form_no", "contract_no", "reject_reason"], orders, 100)
            multi_insert(tx, "scm_order_line", ["order_id", "line_no", "inventory_code", "customer_part_no",
                                                "item_name", "master_disc_no", "quantity", "unit"], lines, 200)
            for kind, entity in (("sales", "contract_review"), ("sample", "sample_review")):
                mine = [f[1:] for f in forms if f[0] == kind]
                if mine:
                    multi_insert(tx, table(entity), cols(entity, "id", "form_no", "customer_code", "form_date",
                                                         "delivery_date", "source_order_no", "status", "contract_no"),
                                 mine, 100)
                mine_lines = [fl[1:] for fl in form_lines if fl[0] == kind]
                if mine_lines:
                    multi_insert(tx, table(f"{entity}_line"), cols(f"{entity}_line", "header_id", "row_no",
                                                                   "inventory_code", "quantity"), mine_lines, 200)
            multi_insert(tx, table("progress"), cols("progress", "order_ref", "process_code", "quantity", "reported_at"),
                         progress, 250)
        progress_rows += len(progress)
    _fix_sequences(db)
    counts = {"customers": n_customers, "items": n_items, "orders": n_orders, "forms": form_id,
              "progress": progress_rows, "seconds": round(time.perf_counter() - started, 1)}
    db.dispose()
    return counts


def _fix_sequences(db) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's identity sequences past them."""
    if db.dialect.name != "postgresql":
        return
    with db.transaction() as tx:
        for table, column in (("scm_order", "id"),):
            tx.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT MAX({column}) FROM {table}))")
        for entity in ("contract_review", "sample_review"):
            t, c = db.mapping.table(entity), db.mapping.column(entity, "id")
            tx.execute(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), "
                       f"(SELECT COALESCE(MAX(\"{c}\"), 1) FROM \"{t}\"))")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    print(generate(args.engine, args.scale))
