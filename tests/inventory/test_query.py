"""Function 5, 库存查询: one complete key → the item's stock in our warehouses, at the
customers granted to the rep and at the suppliers; anything else → 无此货品信息 and
nothing else (no browse, no error page, nothing of anyone's stock)."""
from __future__ import annotations

import io
import re
from urllib.parse import quote

import openpyxl
import pytest

from scm_plugin.erp_bridge import erp_schema

CSV_UTF8 = "供应商编码,存货编码,库存数量\r\nV001,1001001,3000\r\nV002,1001001,250.75\r\n".encode("utf-8-sig")


def _page(client, key, value):
    return client.get(f"/scm/inventory/?by={key}&q={quote(value, safe='')}")


def _answers(html):
    return re.findall(r'data-item="([^"]+)"', html)


def _holders(html):
    return re.findall(r'data-holder="(\w+)" data-(?:warehouse|customer|supplier)="([^"]+)"', html)


@pytest.fixture
def stocked(login, record_stock, import_supplier_sheet):
    """1001001 at C001 (rep1's), C002 (rep1's) and C003 (rep2's), and at two suppliers."""
    record_stock("rep1", "C001", "1001001", "1500.5", remarks="客户盘点")
    record_stock("rep1", "C002", "1001001", "80")
    record_stock("rep2", "C003", "1001001", "777")
    resp = import_supplier_sheet(login("rep2"), "供应商库存.csv", CSV_UTF8)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]


def test_complete_code_shows_our_warehouses_customers_and_suppliers(login, stocked):
    html = _page(login("rep1"), "inventory_code", "1001001").get_data(as_text=True)
    assert _answers(html) == ["1001001"]
    assert _holders(html) == [("own", "01"), ("customer", "C001"), ("customer", "C002"),
                              ("supplier", "V001"), ("supplier", "V002")]
    assert "CD《经典老歌精选1》" in html and "MD2026-0001" in html
    assert "光盘成品仓库" in html and "12,500" in html          # our disc finished-goods warehouse
    assert "1,500.5" in html and "客户盘点" in html and "深圳华音文化传播有限公司" in html
    assert "3,000" in html and "250.75" in html and "东莞聚碳材料有限公司" in html
    assert 'id="total-customer-1">1,580.5<' in html and 'id="total-supplier-1">3,250.75<' in html
    assert "777" not in html and "上海东方音像出版社" not in html  # C003 is not rep1's


def test_each_of_the_three_keys_and_the_three_warehouse_kinds(login):
    rep = login("rep_nogrant")
    for key, value, code, warehouse in (("inventory_code", "2001001", "2001001", "02"),
                                        ("item_name", "附件包：歌词本+珠宝盒", "3001001", "03"),
                                        ("master_disc_no", "MD2026-0003", "1001003", "01")):
        html = _page(rep, key, value).get_data(as_text=True)
        assert _answers(html) == [code], key
        assert _holders(html) == [("own", warehouse)]
        kind = {"01": "scm-inv-kind-disc", "02": "scm-inv-kind-material", "03": "scm-inv-kind-accessory"}[warehouse]
        assert kind in html
    html = _page(rep, "inventory_code", "2001001").get_data(as_text=True)
    assert "3,250.5" in html  # the seed's 3250.5 kg of PC


INCOMPLETE = [
    ("inventory_code", ""),
    ("inventory_code", "   "),
    ("inventory_code", "\u3000\t"),               # full-width space and a tab
    ("inventory_code", "1001"),                    # partial code
    ("inventory_code", "100100"),
    ("inventory_code", "10010011"),                # longer than a real code
    ("inventory_code", "1001 001"),                # whitespace inside is kept
    ("inventory_code", "1001%"),                   # LIKE wildcards mean nothing
    ("inventory_code", "_______"),
    ("inventory_code", "*"),
    ("inventory_code", "' OR '1'='1"),             # SQL metacharacters
    ("inventory_code", "1001001' --"),
    ("inventory_code", "1001001; DROP TABLE scm_customer_stock; --"),
    ("inventory_code", "1001001\x00"),             # NUL would break the drivers
    ("inventory_code", "1001001\u200b"),           # zero-width space
    ("inventory_code", "1" * 100000),              # very long
    ("item_name", "经典老歌精选1"),                 # partial name
    ("item_name", "CD《经典老歌精选"),
    ("item_name", "cd《经典老歌精选1》"),           # wrong case
    ("master_disc_no", "md2026-0001"),             # wrong case
    ("master_disc_no", "MD2026"),
    ("master_disc_no", "MD2026-000"),
]


def test_incomplete_input_answers_no_such_item_and_nothing_else(login, stocked, text_of):
    rep = login("rep1")
    for key, value in INCOMPLETE:
        case = (key, value[:40])
        resp = _page(rep, key, value)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, case
        assert 'id="no-such-item"' in html and text_of("no_such_item") in html, case
        assert _answers(html) == [] and _holders(html) == [], case
        for leaked in ("12,500", "1,500.5", "3,000", "深圳华音文化传播有限公司", "东莞聚碳材料有限公司", "光盘成品仓库",
                       "Traceback", "SQL"):
            assert leaked not in html, (case, leaked)
    # an unknown key is no way around the rule: the page asks by inventory code
    assert _answers(_page(rep, "nonsense", "1001").get_data(as_text=True)) == []
    # the first visit shows the form only
    first = rep.get("/scm/inventory/").get_data(as_text=True)
    assert 'id="no-such-item"' not in first and _answers(first) == []


def test_no_such_item_in_the_api(login, stocked, text_of):
    rep = login("rep1")
    for query in ("inventory_code=", "inventory_code=%20", "inventory_code=1001", "master_disc_no=md2026-0001",
                  "item_name=%27%20OR%201%3D1%20--", f"inventory_code={'9' * 5000}", "inventory_code=1001001%00", ""):
        resp = rep.api("GET", f"/inventory?{query}")
        assert resp.status_code == 404, query
        assert resp.json == {"error": "no_such_item", "message": text_of("no_such_item")}, query
    two = rep.api("GET", "/inventory?inventory_code=1001001&item_name=x")
    assert two.status_code == 400 and set(two.json["fields"]) == {"inventory_code", "item_name"}


def test_surrounding_whitespace_is_trimmed(login, stocked):
    rep = login("rep1")
    for value in (" 1001001", "1001001 ", "\t1001001\r\n", "\u30001001001\u3000"):
        assert _answers(_page(rep, "inventory_code", value).get_data(as_text=True)) == ["1001001"], repr(value)
    resp = rep.api("GET", "/inventory?master_disc_no=%20MD2026-0001%09")
    assert resp.status_code == 200 and resp.json["item"]["code"] == "1001001"


def test_a_name_shared_by_several_items_shows_each(app, db, login):
    with db.transaction() as tx:
        erp_schema.insert_entity_rows(tx, "item", [
            {"code": "1001901", "name": "CD《经典老歌精选1》", "spec": "再版", "unit": "片", "master_disc_no": "MD2026-0001"}])
        erp_schema.insert_entity_rows(tx, "stock", [
            {"warehouse_code": "01", "inventory_code": "1001901", "quantity": "40"}])
    rep = login("rep1")
    html = _page(rep, "item_name", "CD《经典老歌精选1》").get_data(as_text=True)
    assert _answers(html) == ["1001001", "1001901"] and 'id="several-items"' in html
    resp = rep.api("GET", "/inventory?master_disc_no=MD2026-0001")
    assert resp.json["item"]["code"] == "1001001"
    assert [o["item"]["code"] for o in resp.json["other_items"]] == ["1001901"]
    assert resp.json["other_items"][0]["stock"][0]["quantity"] == "40" and resp.json["more_items"] is False
    # more matches than SCM_INVENTORY_MAX_MATCHES: the first ones, and a word that there are more
    app.config["SCM_INVENTORY_MAX_MATCHES"] = 1
    html = _page(rep, "item_name", "CD《经典老歌精选1》").get_data(as_text=True)
    assert _answers(html) == ["1001001"] and 'id="several-items"' in html
    resp = rep.api("GET", "/inventory?master_disc_no=MD2026-0001")
    assert resp.json["other_items"] == [] and resp.json["more_items"] is True


def test_the_openapi_document_describes_the_stock_routes(client):
    paths = client.get("/scm/api/v1/openapi.json").json["paths"]
    assert set(paths["/scm/api/v1/inventory"]) == {"get"}
    params = {p["name"] for p in paths["/scm/api/v1/inventory"]["get"]["parameters"]}
    assert params == {"inventory_code", "item_name", "master_disc_no"}
    assert set(paths["/scm/api/v1/customers/{customer_code}/stock"]) == {"get"}
    assert set(paths["/scm/api/v1/customers/{customer_code}/stock/{inventory_code}"]) == {"get", "put"}


def test_customer_stock_only_for_granted_customers(login, stocked):
    def customers(user):
        return [c for h, c in _holders(_page(login(user), "inventory_code", "1001001").get_data(as_text=True))
                if h == "customer"]
    assert customers("rep1") == ["C001", "C002"]
    assert customers("rep2") == ["C003"]
    assert customers("rep_nogrant") == []
    assert customers("admin") == ["C001", "C002", "C003"]
    nobody = _page(login("rep_nogrant"), "inventory_code", "1001001").get_data(as_text=True)
    # our warehouses and the suppliers are every rep's business
    assert [h for h, _ in _holders(nobody)] == ["own", "supplier", "supplier"]
    api = login("rep2").api("GET", "/inventory?inventory_code=1001001").json
    assert [(s["holder"], s["holder_code"]) for s in api["stock"]] == [
        ("own", None), ("customer", "C003"), ("supplier", "V001"), ("supplier", "V002")]
    assert api["stock"][1]["quantity"] == "777" and api["stock"][1]["source"] == "recorded"


def test_the_customers_page_role_cannot_query(login, stocked):
    cust = login("cust1")
    assert cust.get("/scm/inventory/?by=inventory_code&q=1001001").status_code == 403
    assert cust.api("GET", "/inventory?inventory_code=1001001").status_code == 403


def test_excel_export_has_the_same_scope_as_the_page(login, stocked):
    resp = login("rep1").get("/scm/inventory/export.xlsx?by=inventory_code&q=1001001")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4] or r[6]) for r in rows] == [("1001001", "01"), ("1001001", "C001"), ("1001001", "C002"),
                                                   ("1001001", "V001"), ("1001001", "V002")]
    assert rows[1][9] == 1500.5 and "C003" not in str(rows)
    # incomplete input exports nothing: back to the query with the message
    partial = login("rep1").get("/scm/inventory/export.xlsx?by=inventory_code&q=1001")
    assert partial.status_code == 303 and "/inventory/" in partial.headers["Location"]


def test_api_answer_shape_and_live_own_figures(login, stocked):
    resp = login("rep1").api("GET", "/inventory?inventory_code=1001001")
    assert resp.status_code == 200
    own = resp.json["stock"][0]
    assert own == {**own, "holder": "own", "warehouse_code": "01", "warehouse_name": "光盘成品仓库",
                   "warehouse_kind": "disc", "quantity": "12500", "source": "erp"}
    assert own["updated_at"].endswith("Z")
    supplier = resp.json["stock"][-1]
    assert supplier["source"] == "imported" and supplier["quantity"] == "250.75" and supplier["updated_by"] == "rep2"


def test_statements_do_not_grow_with_the_rows(app, login, record_stock):
    """One item lookup and three stock reads, however many customers hold the item."""
    rep = login("admin")
    db = app.extensions["scm"].db

    def statements():
        before = db.statement_count
        assert _answers(_page(rep, "inventory_code", "1001002").get_data(as_text=True)) == ["1001002"]
        return db.statement_count - before
    record_stock("admin", "C001", "1001002", "1")
    few = statements()
    for code in ("C002", "C003", "C004", "C005"):
        record_stock("admin", code, "1001002", "2")
    assert statements() == few


def test_query_on_both_erp_mappings(mapped):
    app, db = mapped
    client = app.test_client()
    assert client.login("rep1").status_code == 302
    html = client.get("/scm/inventory/?by=master_disc_no&q=MD2026-0101").get_data(as_text=True)
    assert _answers(html) == ["1002001"] and "20,000" in html and "scm-inv-kind-disc" in html
    resp = client.api("GET", "/inventory?item_name=UV%E4%BF%9D%E6%8A%A4%E8%83%B6")  # UV保护胶
    assert resp.status_code == 200 and resp.json["stock"][0]["quantity"] == "118.25"
    assert resp.json["stock"][0]["warehouse_kind"] == "material"
    assert client.api("GET", "/inventory?item_name=uv%E4%BF%9D%E6%8A%A4%E8%83%B6").status_code == 404
