"""Function 6, 客户库存维护: a rep records a granted customer's stock of our items; every
change is history (who, when, old → new); the list shows the last figure, who entered
it, the consumption rate and days of cover."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from scm_plugin.erp_bridge.clock import utcnow

DAY = dt.timedelta(days=1)


def _rows(html):
    return re.findall(r'<tr id="item-([^"]+)" data-item=', html)


def _stock_rows(db):
    return db.all_sql("SELECT customer_code, inventory_code, quantity FROM scm_customer_stock ORDER BY inventory_code")


def _history(db):
    return db.all_sql("SELECT inventory_code, old_quantity, new_quantity, changed_by FROM scm_customer_stock_history "
                      "ORDER BY id")


# --- the pages ------------------------------------------------------------------------------
def test_pick_customer_lookup_save_and_maintain(db, users, login, text_of):
    rep = login("rep1")
    picker = rep.get("/scm/customer-stock/").get_data(as_text=True)
    assert "深圳华音文化传播有限公司" in picker and "广州星光唱片有限公司" in picker
    assert "上海东方音像出版社" not in picker                      # not rep1's customer
    assert rep.get("/scm/customer-stock/?customer=C001").headers["Location"].endswith("/customer-stock/C001")
    empty = rep.get("/scm/customer-stock/C001").get_data(as_text=True)
    assert 'id="no-stock"' in empty

    # 新增货品: 查询 fills the item's details from the ERP
    looked = rep.form("/scm/customer-stock/C001/new", {"inventory_code": " 1001001 ", "action": "lookup"})
    html = looked.get_data(as_text=True)
    assert looked.status_code == 200 and 'id="item-details"' in html
    assert "CD《经典老歌精选1》" in html and "CD-DA 700MB 四色印刷" in html and "MD2026-0001" in html
    saved = rep.form("/scm/customer-stock/C001/new", {"inventory_code": "1001001", "quantity": "1,500.5",
                                                      "remarks": "5月盘点", "action": "save"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/customer-stock/C001#item-1001001")
    html = rep.get("/scm/customer-stock/C001").get_data(as_text=True)
    assert _rows(html) == ["1001001"]
    assert "1,500.5" in html and "5月盘点" in html and "rep1 测试" in html

    # 维护: a new figure when the customer's stock moved
    page = rep.get("/scm/customer-stock/C001/items/1001001").get_data(as_text=True)
    assert 'id="current-quantity">1,500.5 片<' in page
    resp = rep.form("/scm/customer-stock/C001/items/1001001", {"quantity": "1200", "remarks": "已用300"})
    assert resp.status_code == 303
    page = rep.get("/scm/customer-stock/C001/items/1001001").get_data(as_text=True)
    history = re.findall(r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td><td>([^<]*)</td>', page)
    assert history == [("1,500.5", "1,200", "已用300"), ("—", "1,500.5", "5月盘点")]
    assert [(h["old_quantity"], h["new_quantity"], h["changed_by"]) for h in _history(db)] == [
        (None, Decimal("1500.5"), users["rep1"]), (Decimal("1500.5"), Decimal("1200"), users["rep1"])]
    audit = db.all_sql("SELECT actor, action, customer_code, detail FROM scm_audit WHERE action = 'customer_stock.set' "
                       "ORDER BY id")
    assert [(a["actor"], a["customer_code"]) for a in audit] == [("rep1", "C001"), ("rep1", "C001")]
    assert "1500.5 → 1200" in audit[1]["detail"]


def test_unknown_or_incomplete_inventory_code_is_refused(db, login, text_of):
    rep = login("rep1")
    for code in ("", "   ", "1001", "10010011", "md2026-0001", "9999999", "' OR 1=1 --", "1001001\x00", "x" * 5000):
        lookup = rep.form("/scm/customer-stock/C001/new", {"inventory_code": code, "action": "lookup"})
        html = lookup.get_data(as_text=True)
        assert 'id="inventory-code-error"' in html and text_of("no_such_item") in html, code[:20]
        assert 'id="item-details"' not in html
        save = rep.form("/scm/customer-stock/C001/new", {"inventory_code": code, "quantity": "10", "action": "save"})
        assert save.status_code == 400 and text_of("no_such_item") in save.get_data(as_text=True), code[:20]
        api = rep.api("PUT", f"/customers/C001/stock/{code or '%20'}", json={"quantity": "10"})
        assert api.status_code == 404 and api.json["error"] in ("no_such_item", "not_found"), code[:20]
    resp = rep.api("PUT", "/customers/C001/stock/9999999", json={"quantity": "10"})
    assert resp.json == {"error": "no_such_item", "message": text_of("no_such_item")}
    assert _stock_rows(db) == [] and _history(db) == []


BAD_QUANTITIES = [
    ("-1", "stock_quantity_negative"),
    ("-0.5", "stock_quantity_negative"),
    ("abc", "quantity_invalid"),
    ("12a", "quantity_invalid"),
    ("1,5", "quantity_invalid"),          # a decimal comma is not a thousands separator
    ("NaN", "quantity_invalid"),
    ("Infinity", "quantity_invalid"),
    ("1.23456", "quantity_decimals"),
    ("10000000000", "stock_quantity_too_large"),
    ("", "required"),
    ("   ", "required"),
]


def test_negative_or_non_numeric_quantity_is_refused_with_a_clear_message(db, login, text_of):
    rep = login("rep1")
    for raw, code in BAD_QUANTITIES:
        page = rep.form("/scm/customer-stock/C001/new", {"inventory_code": "1001001", "quantity": raw,
                                                         "action": "save"})
        html = page.get_data(as_text=True)
        assert page.status_code == 400, raw
        assert re.search(r'id="quantity-error">([^<]*)<', html).group(1) == text_of(code), raw
        assert 'id="item-details"' in html   # the item stays looked up
        api = rep.api("PUT", "/customers/C001/stock/1001001", json={"quantity": raw})
        assert api.status_code == 400 and api.json["fields"] == {"quantity": text_of(code)}, raw
    for value in (-3, None, True, [1], {"n": 1}):
        api = rep.api("PUT", "/customers/C001/stock/1001001", json={"quantity": value})
        assert api.status_code == 400 and "quantity" in api.json["fields"], value
    too_long = rep.api("PUT", "/customers/C001/stock/1001001", json={"quantity": "1", "remarks": "长" * 256})
    assert too_long.status_code == 400 and set(too_long.json["fields"]) == {"remarks"}
    assert _stock_rows(db) == [] and _history(db) == []
    # on an existing figure, a bad value changes nothing either
    assert rep.api("PUT", "/customers/C001/stock/1001001", json={"quantity": "5"}).status_code == 200
    bad = rep.form("/scm/customer-stock/C001/items/1001001", {"quantity": "-5"})
    assert bad.status_code == 400 and text_of("stock_quantity_negative") in bad.get_data(as_text=True)
    assert [r["quantity"] for r in _stock_rows(db)] == [Decimal(5)] and len(_history(db)) == 1


def test_decimals_survive(db, login):
    rep = login("rep1")
    values = {"1001001": "1234.5678", "1001002": "0.0001", "1001003": "9999999999.9999", "1002001": "0",
              "1002002": 12.5, "1002003": 7}
    for code, qty in values.items():
        resp = rep.api("PUT", f"/customers/C001/stock/{code}", json={"quantity": qty, "remarks": "小数"})
        assert resp.status_code == 200, resp.json
    stored = {r["inventory_code"]: r["quantity"] for r in _stock_rows(db)}
    assert stored == {code: Decimal(str(qty)) for code, qty in values.items()}
    listed = rep.api("GET", "/customers/C001/stock").json["items"]
    assert {i["inventory_code"]: i["quantity"] for i in listed} == {
        "1001001": "1234.5678", "1001002": "0.0001", "1001003": "9999999999.9999", "1002001": "0",
        "1002002": "12.5", "1002003": "7"}
    detail = rep.api("GET", "/customers/C001/stock/1001001").json
    assert detail["history"][0]["new_quantity"] == "1234.5678" and detail["history"][0]["old_quantity"] is None
    html = rep.get("/scm/customer-stock/C001").get_data(as_text=True)
    assert "1,234.5678" in html and "0.0001" in html and "9,999,999,999.9999" in html


def test_scope_customers_outside_the_grants_answer_404(db, login, record_stock):
    record_stock("rep2", "C003", "1002001", "500")
    rep1 = login("rep1")
    for url in ("/scm/customer-stock/C003", "/scm/customer-stock/C003/new", "/scm/customer-stock/C003/export.xlsx",
                "/scm/customer-stock/C003/items/1002001", "/scm/customer-stock/ZZ999", "/scm/customer-stock/c001"):
        assert rep1.get(url).status_code == 404, url
    assert rep1.form("/scm/customer-stock/C003/items/1002001", {"quantity": "1"}).status_code == 404
    assert rep1.form("/scm/customer-stock/C003/new", {"inventory_code": "1002001", "quantity": "1",
                                                      "action": "save"}).status_code == 404
    for method, path in (("GET", "/customers/C003/stock"), ("GET", "/customers/C003/stock/1002001"),
                         ("PUT", "/customers/C003/stock/1002001"), ("GET", "/customers/ZZ999/stock")):
        resp = rep1.api(method, path, json={"quantity": "1"} if method == "PUT" else None)
        assert resp.status_code == 404 and resp.json["error"] == "not_found", (method, path)
    nobody = login("rep_nogrant")
    assert 'id="no-customers"' in nobody.get("/scm/customer-stock/").get_data(as_text=True)
    assert nobody.get("/scm/customer-stock/C001").status_code == 404
    assert [r["quantity"] for r in _stock_rows(db)] == [Decimal(500)]
    # the customer's own portal user may not use the function at all
    assert login("cust3").get("/scm/customer-stock/C003").status_code == 403
    assert login("admin").get("/scm/customer-stock/C003").status_code == 200


def test_export_lists_the_customers_figures(login, record_stock):
    record_stock("rep1", "C001", "1001001", "800.25", remarks="仓库A")
    record_stock("rep1", "C002", "1001002", "5")
    resp = login("rep1").get("/scm/customer-stock/C001/export.xlsx")
    assert resp.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[6], r[8]) for r in rows] == [("C001", "1001001", 800.25, "仓库A")]


# --- history, consumption rate and days of cover ---------------------------------------------------
def test_consumption_of_a_constructed_sequence():
    from scm_plugin.blueprints.customer_stock.services import consumption

    t0 = dt.datetime(2026, 3, 1, 8, 0)
    figures = [(t0, Decimal(1000)), (t0 + 10 * DAY, Decimal(800)), (t0 + 20 * DAY, Decimal(900)),
               (t0 + 30 * DAY, Decimal(600))]
    c = consumption(figures, now=t0 + 30 * DAY, window_days=90)
    # used 200 + 300 (the rise to 900 is a delivery) over 30 days
    assert c.per_day == Decimal("16.6667") and c.days_of_cover == Decimal(36) and c.basis_days == Decimal(30)
    assert c.runs_out_on == t0 + 66 * DAY
    # the figure in force when the window opened counts from the window's start
    old = [(t0 - 120 * DAY, Decimal(2000)), (t0 - 60 * DAY, Decimal(1400)), (t0, Decimal(800))]
    c = consumption(old, now=t0, window_days=90)
    assert c.per_day == Decimal("13.3333") and c.days_of_cover == Decimal(60) and c.basis_days == Decimal(90)
    # not enough history: one figure, or figures less than a day apart
    assert consumption(figures[:1], now=t0, window_days=90).per_day is None
    assert consumption([(t0, Decimal(5)), (t0 + dt.timedelta(hours=3), Decimal(4))], t0, 90).per_day is None
    # only deliveries: a rate of 0 and no cover figure
    c = consumption([(t0, Decimal(5)), (t0 + 5 * DAY, Decimal(50))], t0 + 5 * DAY, 90)
    assert c.per_day == 0 and c.days_of_cover is None and c.runs_out_on is None
    # out of stock: 0 days of cover
    c = consumption([(t0, Decimal(70)), (t0 + 7 * DAY, Decimal(0))], t0 + 7 * DAY, 90)
    assert c.per_day == 10 and c.days_of_cover == 0


def test_history_rate_and_cover_through_the_pages_and_api(db, login, record_stock, users):
    now = utcnow().replace(microsecond=0)
    t0 = now - 30 * DAY
    for offset, qty in ((0, "1000"), (10, "800"), (20, "900"), (30, "600")):
        record_stock("rep1", "C001", "1001001", qty, at=t0 + offset * DAY)
    record_stock("rep1", "C001", "1001002", "50", at=now - DAY)      # one figure: no rate yet
    rep = login("rep1")
    html = rep.get("/scm/customer-stock/C001").get_data(as_text=True)
    assert _rows(html) == ["1001001", "1001002"]
    row = html[html.index('id="item-1001001"'):html.index('id="item-1001002"')]
    assert "16.6667" in row and re.search(r'scm-inv-cover"[^>]*>36<', row)
    listed = {i["inventory_code"]: i for i in rep.api("GET", "/customers/C001/stock").json["items"]}
    assert listed["1001001"]["consumption"]["per_day"] == "16.6667"
    assert listed["1001001"]["consumption"]["days_of_cover"] == "36"
    assert listed["1001001"]["consumption"]["runs_out_on"].startswith((now + 36 * DAY).date().isoformat())
    assert listed["1001002"]["consumption"] == {"per_day": None, "days_of_cover": None, "runs_out_on": None}
    detail = rep.api("GET", "/customers/C001/stock/1001001").json
    assert [(h["old_quantity"], h["new_quantity"]) for h in detail["history"]] == [
        ("900", "600"), ("800", "900"), ("1000", "800"), (None, "1000")]
    assert detail["consumption"]["days_of_cover"] == "36"
    page = rep.get("/scm/customer-stock/C001/items/1001001").get_data(as_text=True)
    assert 'id="per-day">16.6667<' in page and 'id="days-of-cover">36' in page


def test_the_list_sorts_by_what_runs_out_first(login, record_stock):
    now = utcnow().replace(microsecond=0)
    for code, first, last in (("1001001", "1000", "900"), ("1001002", "1000", "100"), ("1001003", "5", "50")):
        record_stock("rep1", "C001", code, first, at=now - 10 * DAY)
        record_stock("rep1", "C001", code, last, at=now - DAY)
    rep = login("rep1")
    # 1001002 lasts 1 day, 1001001 81 days, 1001003 has no use: no cover figure, last
    assert _rows(rep.get("/scm/customer-stock/C001?sort=cover").get_data(as_text=True)) == [
        "1001002", "1001001", "1001003"]
    assert _rows(rep.get("/scm/customer-stock/C001?sort=quantity").get_data(as_text=True)) == [
        "1001003", "1001002", "1001001"]
    for hostile in ("", "password", "cover;--", "__class__"):
        assert _rows(rep.get(f"/scm/customer-stock/C001?sort={hostile}").get_data(as_text=True)) == [
            "1001001", "1001002", "1001003"]


def test_the_window_ignores_figures_older_than_its_start(app, login, record_stock):
    now = utcnow().replace(microsecond=0)
    record_stock("rep1", "C001", "1001001", "9000", at=now - 400 * DAY)   # long gone
    record_stock("rep1", "C001", "1001001", "2000", at=now - 120 * DAY)   # in force when the window opened
    record_stock("rep1", "C001", "1001001", "1400", at=now - 60 * DAY)
    record_stock("rep1", "C001", "1001001", "800", at=now)
    item = login("rep1").api("GET", "/customers/C001/stock").json["items"][0]
    assert item["consumption"]["per_day"] == "13.3333" and item["consumption"]["days_of_cover"] == "60"


def test_put_answers_with_the_figure_and_its_history_on_both_mappings(mapped):
    app, db = mapped
    client = app.test_client()
    assert client.login("rep1").status_code == 302
    first = client.api("PUT", "/customers/C002/stock/2001001", json={"quantity": "125.5", "remarks": "公斤"})
    assert first.status_code == 200
    assert first.json["item_name"] == "光学级聚碳酸酯PC料" and first.json["quantity"] == "125.5"
    second = client.api("PUT", "/customers/C002/stock/2001001", json={"quantity": 100})
    assert [(h["old_quantity"], h["new_quantity"], h["changed_by"]) for h in second.json["history"]] == [
        ("125.5", "100", "rep1"), (None, "125.5", "rep1")]
    html = client.get("/scm/inventory/?by=inventory_code&q=2001001").get_data(as_text=True)
    assert 'data-customer="C002"' in html and "3,250.5" in html


@pytest.mark.parametrize("action", ["lookup", "save"])
def test_the_form_without_its_token_changes_nothing(db, login, action):
    rep = login("rep1")
    resp = rep.post("/scm/customer-stock/C001/new", data={"inventory_code": "1001001", "quantity": "5",
                                                          "action": action})
    assert resp.status_code == 400 and _stock_rows(db) == []


def test_two_reps_recording_the_first_figure_at_once_both_count(app, db, users, record_stock):
    """The insert race: one wins it, the other becomes an update; both stay in the history."""
    barrier_ok = []

    def go(username, qty):
        with app.app_context():
            record_stock(username, "C001", "1001003", qty)
            barrier_ok.append(username)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(go, "rep1", "10"), pool.submit(go, "admin", "20")]
        for f in futures:
            f.result(timeout=60)
    assert sorted(barrier_ok) == ["admin", "rep1"]
    rows = _stock_rows(db)
    assert len(rows) == 1 and rows[0]["quantity"] in (Decimal(10), Decimal(20))
    history = _history(db)
    assert len(history) == 2 and history[0]["old_quantity"] is None
    assert history[1]["old_quantity"] == history[0]["new_quantity"]
    assert history[1]["new_quantity"] == rows[0]["quantity"]


def test_remarks_keep_one_clean_line(db, login):
    rep = login("rep1")
    resp = rep.api("PUT", "/customers/C001/stock/1001001",
                   json={"quantity": "1", "remarks": "第一行\n第二行\x00\u200b\ud800 末尾  "})
    assert resp.status_code == 200 and resp.json["remarks"] == "第一行 第二行 末尾"
