"""Inventory query and customer stock: the plugin against the same work written by hand
with pyodbc, in the same run, on the shared benchmark database (bench/generate.py).

    python bench/generate.py --engine postgresql --scale 1
    python bench/inventory/bench.py --engine postgresql [--scale 1] [--repeat 30]

Prints a table and writes bench/inventory/results/<engine>.json. "plugin" is the
module's service function (what the page and the API call), "page" the whole HTTP
request through Flask's test client (login, scope, template), "raw" the same
statements by hand on one pyodbc connection with the values hard-wired.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from common import (ENGINES, HOT_ITEM, PASSWORD, REP, app_for, compare, locked, raw_connection, sql_time,  # noqa: E402
                    statements)

from scm_plugin.auth import SCMUser  # noqa: E402
from scm_plugin.erp_bridge.repos import users as users_repo  # noqa: E402
from scm_plugin.permissions import scope_for  # noqa: E402

RESULTS = HERE / "results"


def _once(plugin, raw, repeat: int) -> dict:
    """No timing (the statement counts at another scale): each side once."""
    plugin()
    raw()
    return {}


class Raw:
    """The hand-written floor: the same statements, identifiers of the reference mapping
    quoted for the engine, values as parameters."""

    def __init__(self, engine: str, db, scale: float = 1.0):
        self.engine = engine
        self.cnxn = raw_connection(engine, scale)
        m, q = db.mapping, db.dialect.quote
        t = lambda e: db.dialect.quote_dotted(m.table(e))  # noqa: E731
        c = lambda e, f: q(m.column(e, f))  # noqa: E731
        # at most 21 items: TOP on T-SQL, LIMIT elsewhere
        top, limit = ("TOP 21 ", "") if engine == "mssql" else ("", " LIMIT 21")

        def item_sql(field: str) -> str:
            return (f"{c('item', 'code')}, {c('item', 'name')}, {c('item', 'spec')}, {c('item', 'unit')}, "
                    f"{c('item', 'master_disc_no')} FROM {t('item')} WHERE {c('item', field)} = ? "
                    f"ORDER BY {c('item', 'code')}")

        self.item_by = {key: f"SELECT {top}{item_sql(field)}{limit}"
                        for key, field in (("inventory_code", "code"), ("item_name", "name"),
                                           ("master_disc_no", "master_disc_no"))}
        self.item_by_code = f"SELECT {item_sql('code')}"
        self.own = (f"SELECT s.{c('stock', 'inventory_code')}, s.{c('stock', 'warehouse_code')}, w.{c('warehouse', 'name')}, "
                    f"w.{c('warehouse', 'kind')}, s.{c('stock', 'quantity')} FROM {t('stock')} s "
                    f"LEFT JOIN {t('warehouse')} w ON w.{c('warehouse', 'code')} = s.{c('stock', 'warehouse_code')} "
                    f"WHERE s.{c('stock', 'inventory_code')} IN ({{marks}}) "
                    f"ORDER BY s.{c('stock', 'inventory_code')}, s.{c('stock', 'warehouse_code')}")
        self.customers = (f"SELECT cs.inventory_code, cs.customer_code, k.{c('customer', 'name')}, cs.quantity, cs.remarks, "
                          f"cs.updated_at, u.username FROM scm_customer_stock cs "
                          f"LEFT JOIN {t('customer')} k ON k.{c('customer', 'code')} = cs.customer_code "
                          f"LEFT JOIN scm_user u ON u.id = cs.updated_by "
                          f"WHERE cs.inventory_code IN ({{marks}}) AND cs.customer_code IN (SELECT customer_code "
                          f"FROM scm_grant WHERE user_id = ? AND (valid_until IS NULL OR valid_until >= ?)) "
                          f"ORDER BY cs.inventory_code, cs.customer_code")
        self.suppliers = (f"SELECT ss.inventory_code, ss.supplier_code, v.{c('supplier', 'name')}, ss.quantity, "
                          f"ss.updated_at, u.username FROM scm_supplier_stock ss "
                          f"LEFT JOIN {t('supplier')} v ON v.{c('supplier', 'code')} = ss.supplier_code "
                          f"LEFT JOIN scm_supplier_import si ON si.id = ss.import_id "
                          f"LEFT JOIN scm_user u ON u.id = si.imported_by "
                          f"WHERE ss.inventory_code IN ({{marks}}) ORDER BY ss.inventory_code, ss.supplier_code")
        self.sql_stock_list = (f"SELECT cs.inventory_code, i.{c('item', 'name')}, i.{c('item', 'spec')}, i.{c('item', 'unit')}, "
                           f"i.{c('item', 'master_disc_no')}, cs.quantity, cs.remarks, cs.updated_at, u.username "
                           f"FROM scm_customer_stock cs LEFT JOIN {t('item')} i ON i.{c('item', 'code')} = cs.inventory_code "
                           f"LEFT JOIN scm_user u ON u.id = cs.updated_by WHERE cs.customer_code = ? "
                           f"ORDER BY cs.inventory_code")
        self.figures = ("SELECT inventory_code, new_quantity, changed_at FROM scm_customer_stock_history "
                        "WHERE customer_code = ? AND changed_at >= ? ORDER BY inventory_code, changed_at, id")
        self.customer_by_code = f"SELECT {c('customer', 'code')}, {c('customer', 'name')} FROM {t('customer')} WHERE {c('customer', 'code')} = ?"

    def _time(self, value: dt.datetime):
        return sql_time(self.engine, value)

    def query(self, key: str, value: str, user_id: int, today: dt.date) -> int:
        cur = self.cnxn.cursor()
        cur.execute(self.item_by[key], value)
        codes = [r[0] for r in cur.fetchall()]
        marks = ", ".join("?" for _ in codes)
        cur.execute(self.own.format(marks=marks), *codes)
        n = len(cur.fetchall())
        day = sql_time(self.engine, today)
        cur.execute(self.customers.format(marks=marks), *codes, user_id, day)
        n += len(cur.fetchall())
        cur.execute(self.suppliers.format(marks=marks), *codes)
        n += len(cur.fetchall())
        self.cnxn.commit()
        return n

    def stock_list(self, customer: str, now: dt.datetime) -> int:
        cur = self.cnxn.cursor()
        cur.execute(self.customer_by_code, customer)
        cur.fetchone()
        cur.execute(self.sql_stock_list, customer)
        rows = cur.fetchall()
        cur.execute(self.figures, customer, self._time(now - dt.timedelta(days=90)))
        used: dict[str, Decimal] = {}
        last: dict[str, tuple] = {}
        for code, qty, at in cur.fetchall():   # decreases per item: the same arithmetic, by hand
            qty = Decimal(str(qty))
            if code in last and last[code][0] > qty:
                used[code] = used.get(code, Decimal(0)) + last[code][0] - qty
            last[code] = (qty, at)
        self.cnxn.commit()
        return len(rows) + len(used)

    def record(self, customer: str, code: str, qty: Decimal, user_id: int) -> None:
        cur = self.cnxn.cursor()
        now = self._time(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        if self.engine == "sqlite":
            cur.execute("UPDATE scm_schema_version SET version = version WHERE 1 = 0")
        hint, lock = locked(self.engine)
        cur.execute(self.customer_by_code, customer)
        cur.fetchone()
        cur.execute(self.item_by_code, code)
        cur.fetchone()
        cur.execute(f"SELECT id, quantity FROM scm_customer_stock{hint} WHERE customer_code = ? AND inventory_code = ?{lock}",
                    customer, code)
        row_id, old = cur.fetchone()
        value = str(qty) if self.engine == "sqlite" else qty
        cur.execute("UPDATE scm_customer_stock SET quantity = ?, remarks = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                    value, None, user_id, now, row_id)
        cur.execute("INSERT INTO scm_customer_stock_history (customer_code, inventory_code, old_quantity, new_quantity, "
                    "remarks, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", customer, code,
                    str(old) if self.engine == "sqlite" else old, value, None, user_id, now)
        cur.execute("INSERT INTO scm_audit (at, actor, action, object_type, object_id, customer_code, ip, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", now, REP, "customer_stock.set", "customer_stock",
                    f"{customer}/{code}", customer, None, f"{code}: {old} → {qty}")
        self.cnxn.commit()


def run(engine: str, scale: float = 1.0, repeat: int = 30, timing: bool = True) -> dict:
    from scm_plugin.blueprints.customer_stock import services as upkeep
    from scm_plugin.blueprints.inventory import services as inventory

    app = app_for(engine, scale, WTF_CSRF_ENABLED=False)
    db = app.extensions["scm"].db
    raw = Raw(engine, db, scale)
    cmp = compare if timing else _once
    results: dict = {}
    with app.test_request_context():
        user = SCMUser.from_row(db.read(lambda tx: users_repo.by_username(tx, REP)))
        scope = scope_for(user)
        today = scope.today
        granted = [r["customer_code"] for r in db.all_sql("SELECT customer_code FROM scm_grant WHERE user_id = ? "
                                                       "ORDER BY customer_code", user.id)]
        typical = db.scalar_sql("SELECT MIN(cs.inventory_code) AS c FROM scm_customer_stock cs WHERE cs.customer_code = ? "
                                "AND cs.inventory_code <> ?", granted[0], HOT_ITEM)
        name = db.scalar_sql("SELECT {item.name} AS n FROM {item} WHERE {item.code} = ?", typical)
        cases = {
            "query by inventory code": ("inventory_code", typical),
            "query by item name (2 items)": ("item_name", name),
            "query, item held by every customer": ("inventory_code", HOT_ITEM),
        }
        for label, (key, value) in cases.items():
            plugin_rows = sum(len(a.stock) for a in inventory.query(db, scope, key, value))
            raw_rows = raw.query(key, value, user.id, today)
            assert plugin_rows == raw_rows, (label, plugin_rows, raw_rows)
            results[label] = cmp(lambda k=key, v=value: inventory.query(db, scope, k, v),
                                     lambda k=key, v=value: raw.query(k, v, user.id, today), repeat)
            results[label]["figures"] = plugin_rows
        results["statements per query"] = {
            "item held by 1 granted customer": statements(db, lambda: inventory.query(db, scope, "inventory_code", typical)),
            f"item held by {len(granted)} granted customers": statements(
                db, lambda: inventory.query(db, scope, "inventory_code", HOT_ITEM)),
            "no such item": statements(db, lambda: _swallow(inventory.query, db, scope, "inventory_code", "1000")),
        }
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        customer = granted[0]
        results["customer stock list (100 items, rate and cover)"] = cmp(
            lambda: upkeep.stock_list(db, scope, customer), lambda: raw.stock_list(customer, now), repeat)
        results["customer stock list statements"] = statements(db, lambda: upkeep.stock_list(db, scope, customer))

        counter = iter(range(10 ** 6))
        results["record a figure (update + history + audit)"] = cmp(
            lambda: upkeep.record(db, user, scope, customer, typical, Decimal(next(counter) % 5000)),
            lambda: raw.record(customer, typical, Decimal(next(counter) % 5000), user.id), repeat)
        results["record statements"] = statements(
            db, lambda: upkeep.record(db, user, scope, customer, typical, Decimal(7)))

    # the whole page: login once, then the query through Flask (scope, template, headers)
    client = app.test_client()
    resp = client.post("/scm/login", data={"username": REP, "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code
    url = f"/scm/inventory/?by=inventory_code&q={typical}"
    assert typical in client.get(url).get_data(as_text=True)
    results["query page over HTTP (test client)"] = cmp(lambda: client.get(url),
                                                            lambda: raw.query("inventory_code", typical, user.id, today),
                                                            repeat)
    raw.cnxn.close()
    db.dispose()
    return results


def _swallow(fn, *args):
    try:
        fn(*args)
    except Exception:  # NoSuchItem: the point is the statements it took
        pass


def show(engine: str, results: dict) -> None:
    print(f"\n{engine}")
    print(f"{'case':52} {'plugin ms':>10} {'raw ms':>9} {'ratio':>6}")
    for label, r in results.items():
        if isinstance(r, dict) and "ratio" in r:
            print(f"{label:52} {r['plugin_ms']:>10} {r['raw_ms']:>9} {r['ratio']:>6}")
        else:
            print(f"{label:52} {r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    res = run(args.engine, args.scale, args.repeat)
    show(args.engine, res)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.engine}.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
