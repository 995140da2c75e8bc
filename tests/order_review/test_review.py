"""Functions 1 and 2: review lists, pre-flight check, approve exactly once, reject."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import re
import subprocess
import sys
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl

from fixtures.orders import order_payload
from scm_plugin import accounts
from scm_plugin.erp_bridge.repos import erp_forms


def _approve(client, order_no):
    return client.form(f"/scm/review/orders/{order_no}/approve")


# --- the lists ---------------------------------------------------------------------------
def test_queue_shows_granted_customers_of_its_kind(login, make_order):
    a = make_order("cust1", "sales")
    b = make_order("cust1", "sample")
    c = make_order("cust3", "sales", lines=[{"inventory_code": "1002001", "quantity": 10}])
    rep1 = login("rep1")
    sales = rep1.get("/scm/review/sales").get_data(as_text=True)
    assert a["order_no"] in sales and b["order_no"] not in sales and c["order_no"] not in sales
    sample = rep1.get("/scm/review/sample").get_data(as_text=True)
    assert b["order_no"] in sample and a["order_no"] not in sample
    assert 'id="nav-count-1">1<' in sales and 'id="nav-count-2">1<' in sales
    nobody = login("rep_nogrant").get("/scm/review/sales").get_data(as_text=True)
    assert "queue-empty" in nobody and a["order_no"] not in nobody


def test_new_orders_are_marked_until_looked_at(login, make_order):
    rep1 = login("rep1")
    rep1.get("/scm/review/sales")                          # looked at an empty list
    first = make_order("cust1")
    page = rep1.get("/scm/review/sales").get_data(as_text=True)
    assert re.search(rf'scm-row-new" data-order="{first["order_no"]}"', page)
    since = re.search(r'since=([^&"]+)', page).group(1)
    second = make_order("cust1")
    # the automatic refresh keeps the first view's baseline: both stay marked
    partial = rep1.get(f"/scm/review/sales?partial=1&since={since}").get_data(as_text=True)
    assert partial.count("scm-row-new") == 2 and "<html" not in partial
    # a new visit marks only what came since the last visit
    page = rep1.get("/scm/review/sales").get_data(as_text=True)
    assert page.count("scm-row-new") == 1 and re.search(rf'scm-row-new" data-order="{second["order_no"]}"', page)


def test_queue_filters_sorting_and_hostile_input(login, make_order):
    a = make_order("cust1")
    b = make_order("cust1", customer_order_no="PO-2")
    c = make_order("rep1", customer_code="C002", lines=[{"inventory_code": "1001003", "quantity": 1}])
    rep1 = login("rep1")

    def listed(query):
        html = rep1.get(f"/scm/review/sales{query}").get_data(as_text=True)
        return re.findall(r'data-order="([^"]+)"', html)
    assert set(listed("")) == {a["order_no"], b["order_no"], c["order_no"]}
    assert listed("?customer=C002") == [c["order_no"]]
    assert listed(f"?order_no={b['order_no']}") == [b["order_no"]]
    assert listed("?sort=order_no&dir=desc") == sorted(listed(""), reverse=True)
    assert listed("?sort=order_no&dir=asc") == sorted(listed(""))
    for hostile in ("?order_no=%27%20OR%201%3D1%20--", "?customer=C003", "?sort=password%3B--",
                    "?date_from=yesterday", "?customer=%27%20OR%20%271%27%3D%271", "?status=deleted"):
        resp = rep1.get(f"/scm/review/sales{hostile}")
        assert resp.status_code == 200, hostile
    assert listed("?order_no=%27%20OR%201%3D1%20--") == []
    assert listed("?customer=C003") == []
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # SCM_TIMEZONE
    assert len(listed(f"?date_from={today}&date_to={today}")) == 3


def test_excel_export_follows_scope_and_filters(login, make_order):
    a = make_order("cust1")
    make_order("cust3", lines=[{"inventory_code": "1002001", "quantity": 5}])
    resp = login("rep1").get("/scm/review/sales/export.xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "订单号"
    assert [r[0] for r in rows[1:]] == [a["order_no"]]
    assert rows[1][2] == "深圳华音文化传播有限公司"


# --- detail and pre-flight ---------------------------------------------------------------------
def test_preflight_levels(login, make_order, db):
    soon = (dt.date.today() + dt.timedelta(days=3)).isoformat()   # item lead time is 10 days
    order = make_order("cust1", requested_date=soon, lines=[
        {"customer_part_no": "HY-A001", "quantity": "100"},
        {"inventory_code": "2001001", "quantity": "5000000"},
    ])
    # the ERP's item list changes after the order was placed
    with db.transaction() as tx:
        tx.execute_sql("UPDATE {customer_part} SET {customer_part.inventory_code} = ? "
                       "WHERE {customer_part.part_no} = ?", "1001002", "HY-A001")
    html = login("rep1").get(f"/scm/review/orders/{order['order_no']}").get_data(as_text=True)
    levels = re.findall(r'data-level="(\w+)"', html)
    assert levels == ["red", "amber"]
    assert "料号 HY-A001 现对应 1001002" in html
    assert "生产周期 10 天" in html
    assert "数量超过" in html
    assert re.search(r'id="preflight-level">不宜直接审核', html)


def test_preflight_green(login, make_order):
    order = make_order("cust1", lines=[{"inventory_code": "1001001", "quantity": "500"}])
    html = login("rep1").get(f"/scm/review/orders/{order['order_no']}").get_data(as_text=True)
    assert re.findall(r'data-level="(\w+)"', html) == ["green"]
    assert "CD-DA 700MB" in html  # the ERP's item spec


# --- approve -------------------------------------------------------------------------------------
def test_approve_writes_the_erp_form_on_both_mappings(mapped, tmp_path):
    app, db = mapped
    customer = app.test_client()
    customer.login("cust1")
    token = accounts.create_token(db, "cust1")
    for kind, entity, default_col, default_val in (("sales", "contract_review", None, None),
                                                   ("sample", "sample_review", None, None)):
        resp = customer.api("POST", "/orders", json=order_payload(kind, remarks="首批"), token=token)
        assert resp.status_code == 201, resp.json
        order_no = resp.json["order_no"]
        rep = app.test_client()
        rep.login("rep1")
        assert _approve(rep, order_no).status_code == 303
        order = rep.api("GET", f"/orders/{order_no}").json
        assert order["status"] == "approved" and order["erp_form_no"]
        prefix = db.mapping.value(entity, "form_no_prefix")
        assert order["erp_form_no"].startswith(prefix)
        form = db.read(lambda tx: erp_forms.form_by_source(tx, kind, order_no))
        assert form["form_no"] == order["erp_form_no"]
        assert form["status"] == db.mapping.value(entity, "initial_status")
        full = db.read(lambda tx: erp_forms.form(tx, kind, form["id"]))
        assert full["customer_code"] == "C001"
        assert full["delivery_date"] == dt.date.fromisoformat(order["requested_date"])
        lines = db.read(lambda tx: erp_forms.form_lines(tx, kind, form["id"]))
        assert [(l["row_no"], l["inventory_code"], Decimal(l["quantity"])) for l in lines] == \
               [(1, "1001001", Decimal(30000)), (2, "3001001", Decimal(30000))]
        mapped_part = db.mapping.column(f"{entity}_line", "customer_part_no")
        if mapped_part:
            assert lines[1]["customer_part_no"] == "HY-P001"
        # the mapping's insert_defaults reached the ERP row
        em = db.mapping.entities[entity]
        for column, literal in em.insert_defaults.items():
            value = db.scalar_sql(f"SELECT {db.dialect.quote(column)} AS v FROM {{{entity}}} "
                                  f"WHERE {{{entity}.id}} = ?", form["id"])
            assert value == literal


def test_double_click_and_retry_give_one_form(login, make_order, db):
    order = make_order("cust1")
    rep = login("rep1")
    first = rep.api("POST", f"/orders/{order['order_no']}/approve")
    again = rep.api("POST", f"/orders/{order['order_no']}/approve")
    other_rep = login("admin").api("POST", f"/orders/{order['order_no']}/approve")
    assert first.status_code == again.status_code == other_rep.status_code == 200
    assert first.json["erp_form_no"] == again.json["erp_form_no"] == other_rep.json["erp_form_no"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                         order["order_no"]) == 1
    history = db.all_sql("SELECT action FROM scm_audit WHERE object_type = 'order' AND object_id = ? "
                         "AND action = 'order.approve'", order["order_no"])
    assert len(history) == 1


def test_many_threads_approving_at_once(app, make_order, db, tokens):
    order = make_order("cust1", "sample")
    token_rep, token_admin = tokens("rep1"), tokens("admin")

    def attempt(i):
        return app.test_client().api("POST", f"/orders/{order['order_no']}/approve",
                                     token=token_rep if i % 2 else token_admin)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert [r.status_code for r in results] == [200] * 16, [r.get_json() for r in results]
    assert len({r.json["erp_form_no"] for r in results}) == 1
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {sample_review} WHERE {sample_review.source_order_no} = ?",
                         order["order_no"]) == 1
    form_id = db.scalar_sql("SELECT erp_form_id FROM scm_order WHERE order_no = ?", order["order_no"])
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {sample_review_line} WHERE {sample_review_line.header_id} = ?",
                         form_id) == 2


APPROVER = r"""
import json, sys
from scm_plugin import create_app
from scm_plugin.auth import SCMUser
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.permissions import scope_for
from scm_plugin.blueprints.order_review import services

dsn, storage, order_no, username = sys.argv[1:5]
app = create_app({"SECRET_KEY": "x", "SCM_ERP_DSN": dsn, "SCM_STORAGE_DIR": storage, "SERVER_NAME": "scm.test"})
db = app.extensions["scm"].db
with app.test_request_context():
    user = SCMUser.from_row(db.read(lambda tx: users_repo.by_username(tx, username)))
    results = []
    for _ in range(5):
        d = services.approve(db, user, scope_for(user), order_no)
        results.append(d.order["erp_form_no"])
print(json.dumps(results))
"""


def test_two_processes_approving_at_once(app, make_order, db, engine_db, tmp_path):
    order = make_order("cust1")
    script = tmp_path / "approver.py"
    script.write_text(APPROVER)
    procs = [subprocess.Popen([sys.executable, str(script), engine_db.dsn, str(tmp_path / "f"), order["order_no"], user],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for user in ("rep1", "admin", "rep1")]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        outputs.append(out.strip().splitlines()[-1])
    import json
    numbers = {n for out in outputs for n in json.loads(out)}
    assert len(numbers) == 1
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                         order["order_no"]) == 1


def test_a_failure_in_the_middle_leaves_nothing(app, make_order, db, login, monkeypatch):
    from scm_plugin.erp_bridge import BridgeError
    from scm_plugin.erp_bridge.repos import orders as orders_repo

    order = make_order("cust1")

    def broken(*args, **kwargs):
        raise BridgeError(sqlstate="HY000", detail="simulated failure after the ERP insert")
    monkeypatch.setattr(orders_repo, "mark_approved", broken)
    resp = login("rep1").api("POST", f"/orders/{order['order_no']}/approve")
    assert resp.status_code == 500
    assert "simulated" not in resp.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                         order["order_no"]) == 0
    assert db.scalar_sql("SELECT status FROM scm_order WHERE order_no = ?", order["order_no"]) == "pending"
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox WHERE ref_type = 'order' AND subject LIKE ?",
                         "%已审核%") == 0


def test_state_conflicts_are_409(login, make_order):
    a = make_order("cust1")
    b = make_order("cust1")
    rep = login("rep1")
    assert rep.api("POST", f"/orders/{a['order_no']}/reject", json={"reason": "型号有误"}).status_code == 200
    resp = rep.api("POST", f"/orders/{a['order_no']}/approve")
    assert resp.status_code == 409 and resp.json["error"] == "order_rejected"
    assert rep.api("POST", f"/orders/{b['order_no']}/approve").status_code == 200
    resp = rep.api("POST", f"/orders/{b['order_no']}/reject", json={"reason": "晚了"})
    assert resp.status_code == 409 and resp.json["error"] == "order_approved"
    page = rep.form(f"/scm/review/orders/{a['order_no']}/approve", follow_redirects=True)
    assert "此订单已退回，不能审核" in page.get_data(as_text=True)


def test_foreign_orders_are_404_on_page_and_api(login, make_order):
    order = make_order("cust3", lines=[{"inventory_code": "1002001", "quantity": 5}])
    for user in ("rep1", "rep_nogrant"):
        client = login(user)
        assert client.get(f"/scm/review/orders/{order['order_no']}").status_code == 404
        assert client.form(f"/scm/review/orders/{order['order_no']}/approve").status_code == 404
        assert client.form(f"/scm/review/orders/{order['order_no']}/reject", {"reason": "x"}).status_code == 404
        assert client.api("POST", f"/orders/{order['order_no']}/approve").status_code == 404
        assert client.api("POST", f"/orders/{order['order_no']}/reject", json={"reason": "x"}).status_code == 404
    assert login("cust1").api("POST", f"/orders/{order['order_no']}/approve").status_code == 403
    assert login("rep2").api("POST", f"/orders/{order['order_no']}/approve").status_code == 200


# --- reject ---------------------------------------------------------------------------------------
def test_reject_needs_a_reason_and_reaches_the_customer(app, login, make_order, db):
    order = make_order("cust1", "sample")
    rep = login("rep1")
    resp = rep.form(f"/scm/review/orders/{order['order_no']}/reject", {"reason": "   "})
    assert resp.status_code == 400 and "请填写原因" in resp.get_data(as_text=True)
    assert rep.api("POST", f"/orders/{order['order_no']}/reject", json={"reason": ""}).status_code == 400
    assert db.scalar_sql("SELECT status FROM scm_order WHERE order_no = ?", order["order_no"]) == "pending"
    resp = rep.form(f"/scm/review/orders/{order['order_no']}/reject", {"reason": "母盘号不对，请核实后重下<b>"})
    assert resp.status_code == 303
    # gone from the queue, kept in the database
    assert f'data-order="{order["order_no"]}"' not in rep.get("/scm/review/sample").get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order WHERE order_no = ?", order["order_no"]) == 1
    portal = login("cust1").get(f"/scm/portal/orders/{order['order_no']}").get_data(as_text=True)
    assert "母盘号不对，请核实后重下&lt;b&gt;" in portal
    mail = db.one_sql("SELECT recipient, subject, body FROM scm_outbox WHERE ref_type = 'order' AND recipient = ?",
                      "cust1@example.test")
    assert mail and order["order_no"] in mail["subject"] and "母盘号不对" in mail["body"]
    actions = [r["action"] for r in db.all_sql("SELECT action FROM scm_audit WHERE object_type = 'order' "
                                               "AND object_id = ? ORDER BY id", order["order_no"])]
    assert actions == ["order.place", "order.reject"]


# --- contract numbers read back ------------------------------------------------------------------
def test_contract_number_read_back_and_searchable(app, login, make_order, db):
    from scm_plugin.blueprints.order_review.services import sync_contract_numbers

    order = make_order("cust1")
    rep = login("rep1")
    approved = rep.api("POST", f"/orders/{order['order_no']}/approve").json
    assert approved["contract_no"] is None
    with db.transaction() as tx:
        tx.execute_sql("UPDATE {contract_review} SET {contract_review.contract_no} = ?, {contract_review.status} = ? "
                       "WHERE {contract_review.form_no} = ?", "HT-2026-0999", "2", approved["erp_form_no"])
    assert sync_contract_numbers(app) == 1
    found = rep.api("GET", "/orders?contract_no=HT-2026-0999").json
    assert [o["order_no"] for o in found["items"]] == [order["order_no"]]
    page = rep.get(f"/scm/review/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="contract-no">HT-2026-0999<' in page
    assert sync_contract_numbers(app) == 0
