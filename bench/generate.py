"""Generate the benchmark database, the one every benchmark reads. At scale 1:

* 2,000 customers, 200 suppliers, 50,000 items (every name and master-disc no shared by
  two items, as a disc and its reprint), ~75,000 rows of our warehouses' stock,
  40,000 customer part numbers;
* 200,000 web orders (15 % sample orders; 10 % pending, 10 % rejected, 80 % approved)
  with 400,000 lines, and for each approved order its ERP review form with lines;
* 12 production-progress records per approved order: ~1,920,000 records;
* alert policies on 20,000 approved sales orders, 4 checkpoints each (80,000), all due
  at ``EVAL_AT``; 3 % of them are set beyond what was reported, so they are missed;
* 200,000 customer stock figures (100 items per customer, ``HOT_ITEM`` at every
  customer) with 1,000,000 history rows, 50,000 supplier figures;
* users ``bench_rep`` (granted 100 customers) and ``bench_admin`` (granted ``*``).

Every count scales with ``--scale`` (within small minimums). Deterministic (seeded) and
bounded: it inserts exactly what it counts. Many rows per INSERT through the bridge.

    python bench/generate.py --engine sqlite --scale 1
    python bench/generate.py --engine postgresql --scale 0.1
    python bench/generate.py --engine mssql --scale 0.1     # SCM_TEST_MSSQL_DSN set

A stamp ``bench/data/<engine>-s<scale>.json`` records what was generated; ``ensure``
regenerates only when the stamp is missing, from an older generator, or the database
does not hold what it says.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from decimal import Decimal

from common import (ADMIN, DATA, ENGINES, GRANTED, HOT_ITEM, PASSWORD, REP, database, multi_insert, raw_connection,
                    recreate, scale_tag)

from scm_plugin import accounts
from scm_plugin.erp_bridge import erp_schema, migrations

VERSION = 3                       # bump when the data changes: stamps of older versions regenerate
STEPS = [("MST", "母盘刻录", 10), ("ELF", "电铸", 20), ("REP", "注塑复制", 30), ("PRT", "印刷", 40),
         ("PCK", "包装", 50), ("WHI", "成品入库", 60)]
SEQ = {code: seq for code, _name, seq in STEPS}
REPORTS_PER_STEP = 2              # 6 steps × 2 = 12 progress records per approved order
NOW = dt.datetime(2026, 11, 26, 8, 0)           # "now" of the data (ERP local time = UTC + 8)
ERP_OFFSET = dt.timedelta(hours=8)              # Asia/Shanghai, no DST
EVAL_AT = NOW + dt.timedelta(days=10)           # UTC; every checkpoint is due by then
# alert checkpoints: (step, due day after placing, share of what that step had reported)
CHECKPOINTS = [("MST", 2, None), ("REP", 4, Decimal("0.9")), ("PRT", 5, Decimal("0.9")), ("PCK", 6, Decimal("0.9"))]
LATE = 0.03                       # share of checkpoints set beyond what was reported
ITEMS_PER_CUSTOMER = 100
FIGURES_PER_ITEM = 5


def counts_for(scale: float) -> dict:
    return {"customers": max(20, int(2000 * scale)), "suppliers": max(5, int(200 * scale)),
            "items": max(400, int(50000 * scale)) // 2 * 2, "orders": max(500, int(200000 * scale)),
            "alert_orders": max(50, int(20000 * scale))}


def generate(engine: str, scale: float, seed: int = 20261126) -> dict:
    rnd = random.Random(seed)
    n = counts_for(scale)
    started = time.perf_counter()
    recreate(engine, scale)
    db = database(engine, scale)
    erp_schema.create_reference_schema(db)
    migrations.upgrade(db)
    m, q = db.mapping, db.dialect.quote

    def cols(entity, *fields):
        return [q(m.column(entity, f)) for f in fields]

    def table(entity):
        return db.dialect.quote_dotted(m.table(entity))

    customers = [f"K{i:05d}" for i in range(1, n["customers"] + 1)]
    suppliers = [f"V{i:04d}" for i in range(1, n["suppliers"] + 1)]
    items = [f"{1000000 + i}" for i in range(1, n["items"] + 1)]
    with db.transaction() as tx:
        multi_insert(tx, table("customer"), cols("customer", "code", "name", "short_name"),
                     [(c, f"客户{c}有限公司", f"客户{c}") for c in customers])
        multi_insert(tx, table("supplier"), cols("supplier", "code", "name"), [(s, f"供应商{s}有限公司") for s in suppliers])
        multi_insert(tx, table("item"), cols("item", "code", "name", "spec", "unit", "master_disc_no", "family", "lead_days"),
                     [(c, f"CD《曲目{(i // 2):05d}》", "CD-DA 700MB", "片", f"MD-{(i // 2):05d}",
                       rnd.choice(["CD", "DVD", "BD"]), rnd.choice([7, 10, 14])) for i, c in enumerate(items)])
        multi_insert(tx, table("warehouse"), cols("warehouse", "code", "name", "kind"),
                     [("01", "光盘成品仓库", "光盘成品"), ("02", "材料仓库", "材料"), ("03", "附件包成品仓库", "附件包成品")])
        multi_insert(tx, table("process_step"), cols("process_step", "code", "name", "seq"), STEPS)
        stock = [(wh, c, Decimal(rnd.randint(0, 50000))) for c in items
                 for wh in rnd.sample(["01", "02", "03"], rnd.choice([1, 2]))]
        multi_insert(tx, table("stock"), cols("stock", "warehouse_code", "inventory_code", "quantity"), stock)
        parts = [(c, f"{c}-P{j:02d}", rnd.choice(items)) for c in customers for j in range(20)]
        multi_insert(tx, table("customer_part"), cols("customer_part", "customer_code", "part_no", "inventory_code"), parts)
    out = {"customers": len(customers), "suppliers": len(suppliers), "items": len(items), "own_stock": len(stock)}

    rep_id = accounts.create_user(db, username=REP, role="rep", password=PASSWORD, email="bench_rep@example.test")
    accounts.grant(db, REP, customers[:GRANTED])
    accounts.create_user(db, username=ADMIN, role="admin", password=PASSWORD)
    accounts.grant(db, ADMIN, ["*"])

    out.update(_orders(db, rnd, n, customers, items, rep_id, table, cols))
    out.update(_customer_stock(db, rnd, customers, items, rep_id))
    _fix_sequences(db)
    _analyze(db, engine, scale)
    out["seconds"] = round(time.perf_counter() - started, 1)
    db.dispose()
    return out


def _orders(db, rnd, n, customers, items, rep_id, table, cols) -> dict:
    """Orders, lines, ERP forms, progress, alert policies, in batches of 5,000 orders so no
    transaction grows too large."""
    order_id = form_id = policy_id = 0
    n_lines = n_progress = n_checkpoints = n_late = 0
    alert_every = max(1, int(n["orders"] * 0.68 / n["alert_orders"]))  # ~68 % are approved sales orders
    batch = 5000
    for start in range(0, n["orders"], batch):
        orders, lines, forms, form_lines, progress, policies, checkpoints = [], [], [], [], [], [], []
        for _ in range(min(batch, n["orders"] - start)):
            order_id += 1
            kind = "sample" if rnd.random() < 0.15 else "sales"
            customer = customers[0] if order_id % 50 == 0 else rnd.choice(customers)
            r = rnd.random()
            status = "pending" if r < 0.10 else ("rejected" if r < 0.20 else "approved")
            placed = NOW - dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 730))
            order_no = f"{'SP' if kind == 'sample' else 'SO'}{placed:%y%m%d}{order_id:06d}"
            erp_form_id = erp_form_no = contract_no = None
            reviewed = None if status == "pending" else placed + dt.timedelta(hours=1)
            if status == "approved":
                form_id += 1
                erp_form_id = form_id
                erp_form_no = f"{'YP' if kind == 'sample' else 'HT'}{placed:%Y%m%d}{form_id:06d}"
                contract_no = f"C-{form_id:07d}"
            orders.append((order_id, order_no, kind, customer, status, f"PO-{order_id}",
                           (placed + dt.timedelta(days=30)).date(), None, rep_id, placed,
                           None if reviewed is None else rep_id, reviewed, erp_form_id, erp_form_no, contract_no,
                           "数量不对" if status == "rejected" else None))
            for line_no in (1, 2):
                item = rnd.choice(items)
                qty = Decimal(rnd.randint(1, 200) * 100)
                lines.append((order_id, line_no, item, None, f"CD《曲目{item}》", f"MD-{item}", qty, "片"))
                if erp_form_no:
                    form_lines.append((kind, form_id, line_no, item, qty))
            if not erp_form_no:
                continue
            forms.append((kind, form_id, erp_form_no, customer, placed, (placed + dt.timedelta(days=30)).date(),
                          order_no, "2", contract_no))
            reports = []       # (step, quantity, reported at, ERP local time)
            for i, (step, _name, _seq) in enumerate(STEPS):
                for k in range(REPORTS_PER_STEP):
                    reports.append((step, Decimal(rnd.randint(100, 5000)), placed + dt.timedelta(days=1 + i, hours=k)))
            progress.extend((erp_form_no, s, qty, at, "车间") for s, qty, at in reports)
            if kind == "sales" and form_id % alert_every == 0 and policy_id < n["alert_orders"]:
                policy_id += 1
                policies.append((policy_id, order_id, "[\"13800138000\"]", reviewed))
                window = placed - ERP_OFFSET
                for seq, (step, day, share) in enumerate(CHECKPOINTS, start=1):
                    due_erp = placed + dt.timedelta(days=day, hours=2)
                    # the met rule: the best single step at or after this one, reports up to the due time
                    sums: dict[str, Decimal] = {}
                    for s, qty, at in reports:
                        if SEQ[s] >= SEQ[step] and at <= due_erp:
                            sums[s] = sums.get(s, Decimal(0)) + qty
                    reached = max(sums.values(), default=Decimal(0))
                    late = rnd.random() < LATE
                    n_late += late
                    need = reached + 100 if late else (Decimal(1) if share is None else (reached * share).quantize(Decimal(1)))
                    due = due_erp - ERP_OFFSET
                    checkpoints.append((policy_id, seq, due, due_erp, window, window + (due - window) / 2, step, need,
                                        "pending"))
                    window = due
        with db.transaction() as tx:
            with_ids(tx, "scm_order", ["id", "order_no", "kind", "customer_code", "status", "customer_order_no",
                                       "requested_date", "remarks", "placed_by", "placed_at", "reviewed_by",
                                       "reviewed_at", "erp_form_id", "erp_form_no", "contract_no", "reject_reason"],
                     orders, 100)
            multi_insert(tx, "scm_order_line", ["order_id", "line_no", "inventory_code", "customer_part_no",
                                                "item_name", "master_disc_no", "quantity", "unit"], lines, 200)
            for kind, entity in (("sales", "contract_review"), ("sample", "sample_review")):
                mine = [f[1:] for f in forms if f[0] == kind]
                if mine:
                    with_ids(tx, table(entity), cols(entity, "id", "form_no", "customer_code", "form_date",
                                                         "delivery_date", "source_order_no", "status", "contract_no"),
                                 mine, 100)
                mine_lines = [fl[1:] for fl in form_lines if fl[0] == kind]
                if mine_lines:
                    multi_insert(tx, table(f"{entity}_line"), cols(f"{entity}_line", "header_id", "row_no",
                                                                   "inventory_code", "quantity"), mine_lines, 200)
            multi_insert(tx, table("progress"), cols("progress", "order_ref", "process_code", "quantity",
                                                     "reported_at", "reporter"), progress, 200)
            if policies:
                with_ids(tx, "scm_alert_policy", ["id", "order_id", "sms_to", "updated_at"], policies, 250)
                multi_insert(tx, "scm_checkpoint", ["policy_id", "seq", "due_at", "due_at_erp", "window_start",
                                                    "warn_from", "process_code", "quantity", "state"], checkpoints, 100)
        n_lines += len(lines)
        n_progress += len(progress)
        n_checkpoints += len(checkpoints)
    return {"orders": order_id, "order_lines": n_lines, "forms": form_id, "progress": n_progress,
            "alert_policies": policy_id, "checkpoints": n_checkpoints, "checkpoints_late": n_late}


def with_ids(tx, table_sql: str, columns: list[str], rows: list[tuple], per_statement: int) -> None:
    """``multi_insert`` of rows that bring their own ids. T-SQL refuses a value for an
    IDENTITY column unless IDENTITY_INSERT is on (for one table at a time per session);
    the identity then continues after the largest id given."""
    if tx.dialect.name != "mssql":
        return multi_insert(tx, table_sql, columns, rows, per_statement)
    tx.execute_sql(f"SET IDENTITY_INSERT {table_sql} ON")
    try:
        multi_insert(tx, table_sql, columns, rows, per_statement)
    finally:
        tx.execute_sql(f"SET IDENTITY_INSERT {table_sql} OFF")


def _customer_stock(db, rnd, customers, items, rep_id) -> dict:
    """Each customer keeps ITEMS_PER_CUSTOMER items (HOT_ITEM at every one), each with
    FIGURES_PER_ITEM history rows two weeks apart; one supplier import of ~250 items per
    supplier."""
    n_figures = n_history = 0
    for start in range(0, len(customers), 100):
        figures, history = [], []
        for c in customers[start:start + 100]:
            for code in [HOT_ITEM] + rnd.sample(items[1:], ITEMS_PER_CUSTOMER - 1):
                qty = Decimal(rnd.randint(1000, 20000))
                at = NOW - dt.timedelta(days=FIGURES_PER_ITEM * 14)
                old = None
                for _ in range(FIGURES_PER_ITEM):
                    at += dt.timedelta(days=14)
                    history.append((c, code, old, qty, None, rep_id, at))
                    old, qty = qty, max(Decimal(0), qty - rnd.randint(0, 800) + (3000 if rnd.random() < .2 else 0))
                figures.append((c, code, old, "bench", rep_id, at))
        with db.transaction() as tx:
            multi_insert(tx, "scm_customer_stock", ["customer_code", "inventory_code", "quantity", "remarks",
                                                    "updated_by", "updated_at"], figures)
            multi_insert(tx, "scm_customer_stock_history", ["customer_code", "inventory_code", "old_quantity",
                                                            "new_quantity", "remarks", "changed_by", "changed_at"],
                         history)
        n_figures += len(figures)
        n_history += len(history)
    suppliers = [r["c"] for r in db.all_sql("SELECT {supplier.code} AS c FROM {supplier} ORDER BY {supplier.code}")]
    with db.transaction() as tx:
        import_id = tx.insert_sql("INSERT INTO scm_supplier_import (filename, row_count, imported_by, imported_at) "
                                  "VALUES (?, ?, ?, ?)", "bench.csv", 0, rep_id, NOW)
        rows = [(s, code, Decimal(rnd.randint(0, 9000)) / 4, import_id, NOW)
                for s in suppliers for code in [HOT_ITEM] + rnd.sample(items[1:], 249)]
        multi_insert(tx, "scm_supplier_stock", ["supplier_code", "inventory_code", "quantity", "import_id",
                                                "updated_at"], rows)
    return {"customer_figures": n_figures, "customer_history": n_history, "supplier_figures": len(rows)}


def _fix_sequences(db) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's identity sequences past them."""
    if db.dialect.name != "postgresql":
        return
    with db.transaction() as tx:
        for table in ("scm_order", "scm_alert_policy"):
            tx.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
        for entity in ("contract_review", "sample_review"):
            t, c = db.mapping.table(entity), db.mapping.column(entity, "id")
            tx.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), "
                           f"(SELECT COALESCE(MAX(\"{c}\"), 1) FROM \"{t}\"))")


def _analyze(db, engine: str, scale: float) -> None:
    """Fresh statistics and, on PostgreSQL, a vacuumed table (its visibility map lets
    index-only scans skip the heap), as autovacuum leaves a production database. A freshly
    loaded, never vacuumed PostgreSQL table would make some plans look much worse than
    they are (a review-list count took 22 ms instead of 3)."""
    # statements that refuse to run inside a transaction; sp_updatestats: Babelfish has no
    # UPDATE STATISTICS (it runs PostgreSQL's ANALYZE; its autovacuum does the vacuum)
    outside = {"postgresql": "VACUUM ANALYZE", "mssql": "EXEC sp_updatestats"}.get(db.dialect.name)
    if outside:
        cnxn = raw_connection(engine, scale)
        cnxn.autocommit = True
        cnxn.cursor().execute(outside)
        cnxn.close()
        return
    with db.transaction() as tx:
        if db.dialect.name == "mysql":
            for t in ("scm_order", "scm_order_line", "scm_alert_policy", "scm_checkpoint", "scm_customer_stock",
                      "scm_customer_stock_history", "scm_supplier_stock", "scm_grant",
                      db.mapping.table("progress"), db.mapping.table("process_step"), db.mapping.table("item"),
                      db.mapping.table("stock"), db.mapping.table("customer")):
                tx.all_sql(f"ANALYZE TABLE {db.dialect.quote_dotted(t)}")
        else:
            tx.ddl("ANALYZE")


def _follow_code(engine: str, scale: float, stamp: dict, path, log) -> None:
    """A kept database gets the plugin's newer migrations (new indexes) and, once, the
    vacuum of generators before that step existed; then fresh statistics."""
    db = database(engine, scale)
    applied = migrations.upgrade(db)
    if applied or not stamp.get("vacuumed"):
        _analyze(db, engine, scale)
        log(f"  {engine} scale {scale:g}: migrations {[a.version for a in applied]} applied, statistics refreshed")
        stamp["vacuumed"] = True
        path.write_text(json.dumps(stamp, indent=1))
    db.dispose()


def stamp_path(engine: str, scale: float):
    return DATA / f"{engine}-{scale_tag(scale)}.json"


def ensure(engine: str, scale: float, force: bool = False, log=print) -> dict:
    """The database of this engine and scale, generated unless a valid one is there."""
    path = stamp_path(engine, scale)
    if not force and path.exists():
        stamp = json.loads(path.read_text())
        if stamp.get("version") == VERSION:
            try:
                db = database(engine, scale)
                found = db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint")
                db.dispose()
            except Exception as exc:  # missing database: generate
                found = f"unreadable ({type(exc).__name__})"
            if found == stamp["counts"]["checkpoints"]:
                _follow_code(engine, scale, stamp, path, log)
                return stamp["counts"]
            log(f"  {engine} scale {scale:g}: stamp says {stamp['counts']['checkpoints']} checkpoints, found {found}")
    log(f"  generating {engine} at scale {scale:g} …")
    counts = generate(engine, scale)
    DATA.mkdir(exist_ok=True)
    path.write_text(json.dumps({"version": VERSION, "engine": engine, "scale": scale, "counts": counts,
                                "vacuumed": True}, indent=1))
    log(f"  {engine} scale {scale:g}: {counts}")
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--force", action="store_true", help="regenerate even if a valid database is there")
    args = parser.parse_args()
    print(ensure(args.engine, args.scale, force=args.force))
