"""ERPs as an administrator finds them, not as the reference schema makes them: a stock
table with a row per batch, a scrap warehouse left out by ``[warehouse] exclude``, items
whose unit is a code of a unit table (``[unit]``), and code columns of other widths.

Each test builds its own ERP (a changed reference mapping, the reference tables changed
the way that ERP has them, the seed) in a database of its own, and the app on it."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from importlib.resources import files
from urllib.parse import quote

import openpyxl
import pytest
from markupsafe import escape

from fixtures import engines
from fixtures import web as web_fixtures
from scm_plugin import accounts
from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations
from scm_plugin.erp_bridge.repos import inventory as inventory_repo
from scm_plugin.erp_bridge.schema import Column, String
from scm_plugin.erp_widths import erp_widths, read_widths
from scm_plugin.messages import Coded, message

REFERENCE = files("scm_plugin.config").joinpath("erp_mapping.toml").read_text(encoding="utf-8")
SCRAP = {"code": "09", "name": "废品库", "kind": "废品"}
BATCH = "cBatch"


class Variant:
    def __init__(self, app, db, path):
        self.app, self.db, self.mapping_path = app, db, path

    def client(self, username):
        c = self.app.test_client()
        assert c.login(username).status_code == 302
        return c

    def token(self, username):
        return accounts.create_token(self.db, username)


@pytest.fixture
def variant(engine, tmp_path):
    """``variant(toml_extra="", toml_edit=None, tables=None, seed=None, rows=None)`` → the
    app on a new ERP: the reference mapping with ``toml_edit(text)`` applied and
    ``toml_extra`` appended; ``tables(by_entity)`` changes the reference tables before they
    are created; ``seed(data)`` changes the seed; ``rows(tx)`` adds rows afterwards."""
    made = []

    def make(toml_extra="", toml_edit=None, tables=None, seed=None, rows=None) -> Variant:
        text = (toml_edit(REFERENCE) if toml_edit else REFERENCE) + toml_extra
        path = tmp_path / f"mapping-{len(made)}.toml"
        path.write_text(text, encoding="utf-8")
        mapping = Mapping.load(path)
        created = engines.create_database(engine, tmp_path, label="v")
        db = Database(created.dsn, mapping, statement_timeout=10)
        made.append((db, created))
        by_entity = dict(zip(erp_schema.mapped_entities(mapping), erp_schema.reference_tables(db)))
        if tables:
            tables(by_entity)
        for table in by_entity.values():
            with db.transaction() as tx:
                for stmt in db.dialect.create_table(table):
                    tx.ddl(stmt)
        data = erp_schema.reference_seed()
        if seed:
            seed(data)
        erp_schema.load_seed(db, data)
        migrations.upgrade(db)
        if rows:
            with db.transaction() as tx:
                rows(tx)
        web_fixtures.create_standard_users(db)
        app = web_fixtures.make_app(created.dsn, tmp_path, SCM_ERP_MAPPING=str(path))
        app.test_client_class = web_fixtures.Client
        made[-1] = (db, created, app)
        return Variant(app, db, path)

    yield make
    for entry in made:
        if len(entry) == 3:
            entry[2].extensions["scm"].db.dispose()
        entry[0].dispose()
        entry[1].drop()


def _page(client, code):
    return client.get(f"/scm/inventory/?by=inventory_code&q={quote(code, safe='')}").get_data(as_text=True)


def _own_rows(html):
    return re.findall(r'data-holder="own" data-warehouse="([^"]+)">.*?<td class="num"[^>]*>([^<]+)</td>', html, re.S)


def _api(client, token, code):
    resp = client.api("GET", f"/inventory?inventory_code={quote(code, safe='')}", token=token)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def _add_stock(tx, rows):
    """Stock rows with the ERP's own extra column (the batch)."""
    quote_ = tx.dialect.quote
    for wh, inv, qty, batch in rows:
        tx.execute_sql(f"INSERT INTO {quote_('CurrentStock')} ({quote_('cWhCode')}, {quote_('cInvCode')}, "
                       f"{quote_('iQuantity')}, {quote_(BATCH)}) VALUES (?, ?, ?, ?)",
                       wh, inv, Decimal(qty), batch)


def _batch_stock(by_entity):
    """U8's CurrentStock: no key on (warehouse, item); a batch column besides."""
    stock = by_entity["stock"]
    stock.columns.append(Column(BATCH, String(30), nullable=True))
    stock.primary_key = ()


# --- (A) stock summed per warehouse and item ---------------------------------------------------

def test_batch_rows_are_one_figure_per_warehouse_and_item(variant):
    v = variant(tables=_batch_stock, rows=lambda tx: _add_stock(tx, [
        ("01", "1001001", "100.1", "B2026-01"), ("01", "1001001", "0.2", "B2026-02"),
        ("02", "1001001", "7", "B2026-01"), ("02", "1001001", "3", "B2026-03")]))
    rep = v.client("rep1")
    html = _page(rep, "1001001")
    # 12500 (seed, no batch) + 100.1 + 0.2 in 01; 7 + 3 in 02: one row each
    assert _own_rows(html) == [("01", "12,600.3 片"), ("02", "10 片")]
    assert 'id="total-own-1">12,610.3<' in html
    out = _api(rep, v.token("rep1"), "1001001")
    own = [(f["warehouse_code"], f["quantity"]) for f in out["stock"] if f["holder"] == "own"]
    assert own == [("01", "12600.3"), ("02", "10")]
    rows = v.db.read(lambda tx: inventory_repo.own_stock(tx, ["1001001"]))
    assert [(r["warehouse_code"], r["quantity"], r["kind"]) for r in rows] == \
        [("01", Decimal("12600.3"), "disc"), ("02", Decimal("10"), "material")]
    # the Excel export: one row per warehouse too
    resp = rep.get("/scm/inventory/export.xlsx?by=inventory_code&q=1001001")
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    own_rows = [(r[6], Decimal(str(r[9])), r[10]) for r in list(sheet.iter_rows(values_only=True))[1:] if r[6]]
    assert own_rows == [("01", Decimal("12600.3"), "片"), ("02", Decimal("10"), "片")]


# --- (A) excluded warehouses ----------------------------------------------------------------------

def _with_scrap(text):
    return text.replace('kind = "cWhDefine1"\n', 'kind = "cWhDefine1"\nexclude = ["09"]\n', 1)


def _scrap_seed(data):
    data["warehouse"].append(dict(SCRAP))
    data["stock"] += [{"warehouse_code": "09", "inventory_code": "1001001", "quantity": "555"},
                      {"warehouse_code": "09", "inventory_code": "2001001", "quantity": "44"}]


def test_an_excluded_warehouse_is_in_no_figure(variant):
    v = variant(toml_edit=_with_scrap, seed=_scrap_seed)
    assert v.db.mapping.entities["warehouse"].exclude == ("09",)
    rep = v.client("rep1")
    html = _page(rep, "1001001")
    assert _own_rows(html) == [("01", "12,500 片")]
    assert 'id="total-own-1">12,500<' in html and "废品库" not in html and "555" not in html
    out = _api(rep, v.token("rep1"), "1001001")
    assert [f["warehouse_code"] for f in out["stock"] if f["holder"] == "own"] == ["01"]
    # an item kept only in the excluded warehouse (besides 02) shows 02 alone
    out = _api(rep, v.token("rep1"), "2001001")
    assert [(f["warehouse_code"], f["quantity"]) for f in out["stock"] if f["holder"] == "own"] == \
        [("02", "3250.5")]
    assert all(r["warehouse_code"] != "09"
               for r in v.db.read(lambda tx: inventory_repo.own_stock(tx, ["1001001", "2001001"])))


def test_the_same_erp_without_exclude_shows_the_scrap_warehouse(variant):
    """The control: the scrap stock is there, so the exclusion above is what hides it."""
    v = variant(seed=_scrap_seed)
    html = _page(v.client("rep1"), "1001001")
    assert _own_rows(html) == [("01", "12,500 片"), ("09", "555 片")]
    assert 'id="total-own-1">13,055<' in html


# --- (A) unit codes shown as names -------------------------------------------------------------------

UNIT_TOML = '\n[unit]\ntable = "ComputationUnit"\ncode = "cComunitCode"\nname = "cComUnitName"\n'
UNITS = [{"code": "01", "name": "片"}, {"code": "02", "name": "套"}, {"code": "03", "name": "千克"}]


def _unit_codes(data):
    names = {u["name"]: u["code"] for u in UNITS}
    for item in data["item"]:
        item["unit"] = names.get(item.get("unit"), item.get("unit"))
    data["unit"] = [dict(u) for u in UNITS]


def test_unit_codes_show_as_names_everywhere(variant):
    v = variant(toml_extra=UNIT_TOML, seed=_unit_codes)
    assert v.db.one("erp.item_by_code", "1001001")["unit_code"] == "01"  # the ERP keeps codes
    rep = v.client("rep1")
    html = _page(rep, "1001001")
    assert re.search(r"<dt>[^<]+</dt><dd>片</dd>", html) and _own_rows(html) == [("01", "12,500 片")]
    out = _api(rep, v.token("rep1"), "1001001")
    assert (out["item"]["unit"], out["item"]["unit_code"]) == ("片", "01")

    # an order line without a unit takes the item's, as a name; the review shows it
    cust = v.app.test_client()
    payload = {"kind": "sales", "requested_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
               "lines": [{"inventory_code": "1001001", "quantity": "300"},
                         {"customer_part_no": "HY-A001", "quantity": "5"}]}
    resp = cust.api("POST", "/orders", json=payload, token=v.token("cust1"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [l["unit"] for l in resp.json["lines"]] == ["片", "片"]
    detail = rep.get(f"/scm/review/orders/{resp.json['order_no']}").get_data(as_text=True)
    assert "<td>片</td>" in detail and "<td>01</td>" not in detail

    # customer stock: the item, the list and its page
    resp = rep.api("PUT", "/customers/C001/stock/1001001", json={"quantity": "40"}, token=v.token("rep1"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert (resp.json["unit"], resp.json["unit_code"]) == ("片", "01")
    listing = rep.api("GET", "/customers/C001/stock", token=v.token("rep1")).json
    assert [(i["unit"], i["unit_code"]) for i in listing["items"]] == [("片", "01")]
    assert "40 片" in rep.get("/scm/customer-stock/C001").get_data(as_text=True)


def test_a_unit_code_the_unit_table_lacks_shows_as_it_is(variant):
    def seed(data):
        _unit_codes(data)
        data["unit"] = [u for u in data["unit"] if u["code"] != "01"]
    v = variant(toml_extra=UNIT_TOML, seed=seed)
    out = _api(v.client("rep1"), v.token("rep1"), "1001001")
    assert (out["item"]["unit"], out["item"]["unit_code"]) == ("01", "01")


def test_without_a_unit_mapping_the_items_unit_is_shown(variant):
    v = variant()
    out = _api(v.client("rep1"), v.token("rep1"), "1001001")
    assert (out["item"]["unit"], out["item"]["unit_code"]) == ("片", "片")


# --- (B) code widths from the ERP --------------------------------------------------------------------

LONG60 = "INV-" + "长" * 20 + "0" * 36  # 60 characters, Chinese among them
assert len(LONG60) == 60


def _long_item(code):
    def seed(data):
        data["item"].append({"code": code, "name": "超长编码货品", "unit": "片"})
        data["stock"].append({"warehouse_code": "01", "inventory_code": code, "quantity": "9"})
    return seed


def _order(code, **line):
    return {"kind": "sales", "requested_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "lines": [{"inventory_code": code, "quantity": "10", **line}]}


def _portal_place(client, code):
    data = {"kind": "sales", "requested_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "lines-0-inventory_code": code, "lines-0-quantity": "10", "form_token": f"tok-{len(code)}",
            "csrf_token": client.csrf()}
    return client.post("/scm/portal/orders/new?kind=sales", data=data)


def test_a_60_character_code_is_accepted_where_the_erp_keeps_60(variant):
    v = variant(seed=_long_item(LONG60))
    assert erp_widths(v.app).get("inventory_code") == 60
    cust = v.app.test_client()
    resp = cust.api("POST", "/orders", json=_order(LONG60), token=v.token("cust1"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.json["lines"][0]["inventory_code"] == LONG60
    portal = v.client("cust1")
    resp = _portal_place(portal, LONG60)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    assert v.db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order_line WHERE inventory_code = ?", LONG60) == 2
    # the form offers as many characters
    form = portal.get("/scm/portal/orders/new").get_data(as_text=True)
    assert 'name="lines-0-inventory_code" value="" maxlength="60"' in form
    # and the stock page finds it
    assert _own_rows(_page(v.client("rep1"), LONG60)) == [("01", "9 片")]


def _limit_text(app, limit, **headers):
    with app.test_request_context(headers=headers):
        return message(Coded("code_too_long", limit=limit))


def test_a_61_character_code_is_refused_naming_the_limit(variant):
    v = variant()
    code = LONG60 + "1"
    cust = v.app.test_client()
    resp = cust.api("POST", "/orders", json=_order(code), token=v.token("cust1"),
                    headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 400
    assert resp.json["fields"] == {"lines.0.inventory_code": _limit_text(v.app, 60, **{"Accept-Language": "zh-CN"})}
    assert "60" in resp.json["fields"]["lines.0.inventory_code"]
    resp = _portal_place(v.client("cust1"), code)
    assert resp.status_code == 400
    assert str(escape(_limit_text(v.app, 60))) in resp.get_data(as_text=True)
    assert v.db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0


def _narrow_item_code(by_entity):
    item = by_entity["item"]
    code = next(c for c in item.columns if c.name == "cInvCode")
    item.columns[item.columns.index(code)] = Column(code.name, String(40), nullable=code.nullable)


def test_a_40_wide_erp_column_refuses_41(variant):
    v = variant(tables=_narrow_item_code, seed=_long_item("X" * 40))
    widths = read_widths(v.db)
    assert widths["inventory_code"] == 40 and widths["customer_part_no"] == 40
    cust = v.app.test_client()
    token = v.token("cust1")
    resp = cust.api("POST", "/orders", json=_order("X" * 41), token=token)
    assert resp.status_code == 400 and "40" in resp.json["fields"]["lines.0.inventory_code"]
    resp = cust.api("POST", "/orders", json=_order("X" * 40), token=token)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    # the portal and the published document say the same
    resp = _portal_place(v.client("cust1"), "Y" * 41)
    assert resp.status_code == 400 and "40" in resp.get_data(as_text=True)
    doc = cust.get("/scm/api/v1/openapi.json").json
    line = doc["components"]["schemas"]["OrderLineIn"]["properties"]["inventory_code"]
    assert {"type": "string", "maxLength": 40} in line["anyOf"]
    # customer stock: refused with the limit, nothing recorded, the ERP not asked
    rep = v.client("rep1")
    resp = rep.api("PUT", f"/customers/C001/stock/{'X' * 41}", json={"quantity": "1"}, token=v.token("rep1"))
    assert resp.status_code == 400 and "40" in resp.json["fields"]["inventory_code"]
    assert v.db.scalar_sql("SELECT COUNT(*) AS n FROM scm_customer_stock") == 0


def test_widths_are_read_once_per_app(variant):
    v = variant()
    widths = erp_widths(v.app)
    first = widths.all()
    assert erp_widths(v.app) is widths and widths.all() is first
    assert first["inventory_code"] == 60 and first["customer_code"] == 20


def test_the_openapi_document_shows_the_erps_widths(variant):
    v = variant()
    doc = v.app.test_client().get("/scm/api/v1/openapi.json").json
    props = doc["components"]["schemas"]["OrderLineIn"]["properties"]
    assert {"type": "string", "maxLength": 60} in props["inventory_code"]["anyOf"]
    assert {"type": "string", "maxLength": 40} in props["customer_part_no"]["anyOf"]
    assert {"type": "string", "maxLength": 30} in props["master_disc_no"]["anyOf"]
    params = {p["name"]: p for p in doc["paths"]["/scm/api/v1/orders"]["get"]["parameters"]}
    assert params["inventory_code"]["schema"]["maxLength"] == 60
