"""Review list, order search and approve: the plugin against the same work written by
hand with pyodbc, in the same run, on the generated database (bench/generate.py).

    python bench/bench_orders.py --engine postgresql [--scale 1] [--repeat 30]

Prints the results as JSON. Also counts the statements each call sends
(``Database.statement_count``). ``bench/run.py`` runs this with the others.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json

from common import ENGINES, REP, app_for, compare, locked, page, raw_connection, sql_time, statements

from scm_plugin.auth import SCMUser
from scm_plugin.blueprints.order_review import services as review
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.orders import search
from scm_plugin.permissions import scope_for

# What a hand-written query for a rep without a "*" grant says (bench_rep has 100 customers).
GRANT = ("o.customer_code IN (SELECT customer_code FROM scm_grant WHERE user_id = ? AND "
         "(valid_until IS NULL OR valid_until >= ?))")


# How the floor learns the id of the form it inserted, per engine: a clause the INSERT
# returns it with, or a statement that reads it after.
NEW_ID = {"postgresql": ("RETURNING", None), "mssql": ("OUTPUT", None),
          "sqlite": (None, "SELECT last_insert_rowid()"), "mariadb": (None, "SELECT LAST_INSERT_ID()")}


def run(engine: str, scale: float = 1.0, repeat: int = 20, timing: bool = True) -> dict:
    """Timings (plugin against raw, when ``timing``) and statement counts."""
    app = app_for(engine, scale, SERVER_NAME="bench.local")
    db = app.extensions["scm"].db
    raw = raw_connection(engine, scale)
    _compare = compare if timing else (lambda plugin, raw_fn, repeat: (plugin(), raw_fn(), None)[2])
    q = db.dialect.quote
    cust_t, cust_code, cust_name = q(db.mapping.table("customer")), q(db.mapping.column("customer", "code")), \
        q(db.mapping.column("customer", "name"))
    results = {}
    with app.test_request_context():
        user = SCMUser.from_row(db.read(lambda tx: users_repo.by_username(tx, REP)))
        scope = scope_for(user)
        today = scope.today
        grant_params = [user.id, today]

        # --- 1. the review list: first page of pending sales orders of 100 granted customers
        def plugin_queue(per_page=50):
            return review.queue(db, user, scope, "sales", status="pending", per_page=per_page,
                                since=dt.datetime(2026, 1, 1), remember=False)["rows"]

        def raw_queue():
            cur = raw.cursor()
            where = f"{GRANT} AND o.kind = ? AND o.status = ?"
            cur.execute(f"SELECT COUNT(*) FROM scm_order o WHERE {where}", *grant_params, "sales", "pending")
            cur.fetchone()
            sql, paging = page(engine,
                        f"SELECT o.id, o.order_no, o.kind, o.customer_code, c.{cust_name}, o.status, o.customer_order_no, "
                        f"o.requested_date, o.placed_at, o.reviewed_at, o.reject_reason, o.erp_form_no, o.contract_no, "
                        f"(SELECT COUNT(*) FROM scm_order_line l WHERE l.order_id = o.id), "
                        f"CASE WHEN o.placed_at > ? THEN 1 ELSE 0 END "
                        f"FROM scm_order o LEFT JOIN {cust_t} c ON c.{cust_code} = o.customer_code "
                        f"WHERE {where} ORDER BY o.placed_at ASC, o.id DESC", 50)
            cur.execute(sql, sql_time(engine, dt.datetime(2026, 1, 1)), *grant_params, "sales", "pending", *paging)
            rows = cur.fetchall()
            raw.commit()
            return rows

        assert len(plugin_queue()) == len(raw_queue())
        results["review list (50 rows)"] = _compare(plugin_queue, raw_queue, repeat)
        results["statements: review list"] = {
            f"{per_page} rows": statements(db, lambda: plugin_queue(per_page)) for per_page in (10, 50, 200)}

        # --- 2. order search by contract no and by inventory code (in scope)
        contract_no = db.scalar_sql("SELECT MIN(o.contract_no) AS c FROM scm_order o WHERE o.customer_code = 'K00001' "
                                    "AND o.contract_no IS NOT NULL")
        inventory = db.scalar_sql("SELECT MIN(l.inventory_code) AS i FROM scm_order_line l JOIN scm_order o ON o.id = l.order_id "
                                  "WHERE o.customer_code = 'K00001'")

        def plugin_search_contract():
            return search(db, scope, contract_no=contract_no, limit=50)[0]

        def raw_search_contract():
            cur = raw.cursor()
            cur.execute(f"SELECT COUNT(*) FROM scm_order o WHERE {GRANT} AND o.contract_no = ?", *grant_params, contract_no)
            cur.fetchone()
            sql, paging = page(engine, f"SELECT o.id, o.order_no, o.kind, o.customer_code, c.{cust_name}, o.status, "
                                       f"o.erp_form_no, o.contract_no, (SELECT COUNT(*) FROM scm_order_line l WHERE l.order_id = o.id) "
                                       f"FROM scm_order o LEFT JOIN {cust_t} c ON c.{cust_code} = o.customer_code "
                                       f"WHERE {GRANT} AND o.contract_no = ? ORDER BY o.placed_at DESC, o.id DESC", 50)
            cur.execute(sql, *grant_params, contract_no, *paging)
            rows = cur.fetchall()
            raw.commit()
            return rows

        def plugin_search_item():
            return search(db, scope, inventory_code=inventory, limit=50)[0]

        def raw_search_item():
            cur = raw.cursor()
            exists = "o.id IN (SELECT l.order_id FROM scm_order_line l WHERE l.inventory_code = ?)"
            cur.execute(f"SELECT COUNT(*) FROM scm_order o WHERE {GRANT} AND {exists}", *grant_params, inventory)
            cur.fetchone()
            sql, paging = page(engine, f"SELECT o.id, o.order_no, o.kind, o.customer_code, c.{cust_name}, o.status, "
                                       f"o.erp_form_no, o.contract_no, (SELECT COUNT(*) FROM scm_order_line l2 WHERE l2.order_id = o.id) "
                                       f"FROM scm_order o LEFT JOIN {cust_t} c ON c.{cust_code} = o.customer_code "
                                       f"WHERE {GRANT} AND {exists} ORDER BY o.placed_at DESC, o.id DESC", 50)
            cur.execute(sql, *grant_params, inventory, *paging)
            rows = cur.fetchall()
            raw.commit()
            return rows

        assert len(plugin_search_contract()) == len(raw_search_contract()) == 1
        assert len(plugin_search_item()) == len(raw_search_item())
        results["search by contract no"] = _compare(plugin_search_contract, raw_search_contract, repeat)
        results["search by inventory code"] = _compare(plugin_search_item, raw_search_item, repeat)
        results["statements: order search"] = {"by contract no": statements(db, plugin_search_contract),
                                               "by inventory code": statements(db, plugin_search_item)}

        # --- 3. approve: each call approves another pending sales order of a granted customer
        # (sales only, like the floor, which writes a contract review: the first approve of
        # each kind in a process also reads its ERP form table's columns once, 2 statements
        # more, which made the count depend on which kind came first)
        pending = [r["order_no"] for r in db.all_sql(
            "SELECT o.order_no FROM scm_order o JOIN scm_grant g ON g.customer_code = o.customer_code "
            "WHERE g.user_id = ? AND o.status = 'pending' AND o.kind = 'sales' ORDER BY o.id", user.id)]
        half = len(pending) // 2
        plugin_orders, raw_orders = iter(pending[:half]), iter(pending[half:])

        def plugin_approve():
            review.approve(db, user, scope, next(plugin_orders))

        def raw_approve():
            _raw_approve(engine, raw, db, next(raw_orders), user.id)

        n = max(1, min(repeat, half - 3))
        results["approve"] = _compare(plugin_approve, raw_approve, n)
        results["statements: approve"] = statements(db, plugin_approve)
    raw.close()
    db.dispose()
    return results


def _raw_approve(engine, raw, db, order_no, user_id):
    """The same work by hand: lock, scope check, no form yet, read lines, insert the form
    and its lines, mark the order, write the audit row, commit; then what the customer's
    notice needs (customer name, portal users). 11 statements where the plugin sends 16
    (its notice reads the order, its lines, attachments and the scope again)."""
    m, q = db.mapping, db.dialect.quote
    h, l = "contract_review", "contract_review_line"
    ht, lt = q(m.table(h)), q(m.table(l))
    hc = lambda f: q(m.column(h, f))  # noqa: E731
    lc = lambda f: q(m.column(l, f))  # noqa: E731
    cur = raw.cursor()
    hint, lock = locked(engine)
    if engine == "sqlite":
        cur.execute("UPDATE scm_schema_version SET version = version WHERE 1 = 0")
    cur.execute(f"SELECT id, kind, customer_code, requested_date, customer_order_no FROM scm_order{hint} "
                f"WHERE order_no = ?{lock}", order_no)
    order_id, kind, customer, requested, po = cur.fetchone()
    today = sql_time(engine, dt.date.today())
    cur.execute("SELECT COUNT(*) FROM scm_grant WHERE user_id = ? AND customer_code IN (?, '*') "
                "AND (valid_until IS NULL OR valid_until >= ?)", user_id, customer, today)
    assert cur.fetchone()[0] > 0
    cur.execute(f"SELECT {hc('id')} FROM {ht} WHERE {hc('source_order_no')} = ?", order_no)  # approved once only
    assert cur.fetchone() is None
    cur.execute("SELECT inventory_code, customer_part_no, item_name, master_disc_no, quantity, unit, remarks "
                "FROM scm_order_line WHERE order_id = ? ORDER BY line_no", order_id)
    lines = cur.fetchall()
    now = dt.datetime.now().replace(microsecond=0)
    returning, read_id = NEW_ID[engine]
    cur.execute(f"INSERT INTO {ht} ({hc('form_no')}, {hc('customer_code')}, {hc('form_date')}, {hc('delivery_date')}, "
                f"{hc('source_order_no')}, {hc('customer_order_no')}, {hc('status')}, {q('cBusType')}) "
                + (f"OUTPUT INSERTED.{hc('id')} " if returning == "OUTPUT" else "")
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + (f" RETURNING {hc('id')}" if returning == "RETURNING" else ""),
                "T" + order_no, customer, sql_time(engine, now), requested, order_no, po, "0", "普通销售")
    if read_id:
        cur.execute(read_id)
    form_id = int(cur.fetchone()[0])
    form_no = f"HT{now:%Y%m%d}{form_id:04d}"
    cur.execute(f"UPDATE {ht} SET {hc('form_no')} = ? WHERE {hc('id')} = ?", form_no, form_id)
    for n, line in enumerate(lines, start=1):
        cur.execute(f"INSERT INTO {lt} ({lc('header_id')}, {lc('row_no')}, {lc('inventory_code')}, {lc('customer_part_no')}, "
                    f"{lc('item_name')}, {lc('master_disc_no')}, {lc('quantity')}, {lc('unit')}, {lc('remarks')}) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", form_id, n, *[str(v) if engine == "sqlite" and i == 4 else v
                                                                       for i, v in enumerate(line)])
    cur.execute("UPDATE scm_order SET status = 'approved', reviewed_by = ?, reviewed_at = ?, erp_form_id = ?, "
                "erp_form_no = ? WHERE id = ? AND status = 'pending'", user_id,
                sql_time(engine, now), form_id, form_no, order_id)
    cur.execute("INSERT INTO scm_audit (at, actor, action, object_type, object_id, customer_code, ip, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", sql_time(engine, now),
                "bench_rep", "order.approve", "order", order_no, customer, None, form_no)
    raw.commit()
    # the customer's notice, as the plugin sends it: the customer's name and its portal users
    ct = q(m.table("customer"))
    cur.execute(f"SELECT {q(m.column('customer', 'name'))} FROM {ct} WHERE {q(m.column('customer', 'code'))} = ?", customer)
    cur.fetchone()
    cur.execute("SELECT id, username, display_name, email, locale FROM scm_user WHERE role = 'customer' "
                "AND customer_code = ? AND active = 1 ORDER BY username", customer)
    cur.fetchall()
    raw.commit()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.scale, args.repeat), indent=1, ensure_ascii=False))
