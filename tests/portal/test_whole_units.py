"""Whole units: a quantity with decimals is refused for a unit that counts pieces
(``SCM_UNIT_DECIMALS``, 片 套 张 个 盒 by default) where customers place orders — the
portal's form and the API — and an old fractional line is red in the review's pre-flight
check. The unit is the ERP item's, whatever the customer typed as a unit."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest

from fixtures.orders import order_payload
from scm_plugin.messages import message
from scm_plugin.quantities import allowed_decimals, decimal_places, unit_of, unit_refusal

LOCALES = ("zh_CN", "zh_TW", "en")


def _text(app, code, locale="zh_CN", **variables):
    with app.test_request_context(headers={"Accept-Language": locale.replace("_", "-")}):
        return message(code, **variables)


def _orders(db):
    return db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order")


def _future(days=30):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


# --- the rule -------------------------------------------------------------------------------
def test_decimal_places_ignore_trailing_zeros():
    assert [decimal_places(Decimal(t)) for t in ("100", "100.0", "100.50", "0.0001", "1E+3", "12.3400")] \
        == [0, 0, 1, 4, 0, 2]


def test_the_unit_name_wins_over_a_unit_code_and_blanks_do_not_count():
    setting = {"片": 0, "PCS": 0, "公斤": 2}
    assert unit_of({"unit": "01", "unit_name": "片"}) == "片"
    assert unit_of({"unit": "PCS", "unit_name": None}) == "PCS"     # a code without a [unit] row
    assert unit_of({"unit": " 片 ", "unit_name": "  "}) == "片"     # CHAR columns pad
    assert unit_of({"unit": None}) is None and unit_of(None) is None
    assert allowed_decimals("公斤", setting) == 2 and allowed_decimals("米", setting) is None
    assert allowed_decimals("片", None) is None and allowed_decimals(None, setting) is None
    refused = unit_refusal(Decimal("100.5"), {"unit": "01", "unit_name": "片"}, setting)
    assert (refused.unit, refused.places, refused.code) == ("片", 0, "quantity_unit_whole")
    assert unit_refusal(Decimal("100.50"), {"unit": "KG", "unit_name": "公斤"}, setting) is None
    refused = unit_refusal(Decimal("1.125"), {"unit": "KG", "unit_name": "公斤"}, setting)
    assert (refused.places, refused.code) == (2, "quantity_unit_decimals")
    assert unit_refusal(Decimal("100.5"), {"unit": "片"}, {}) is None


# --- the API --------------------------------------------------------------------------------
def test_api_refuses_100_5_of_an_item_in_pieces_per_line_and_saves_nothing(app, tokens, db):
    before = _orders(db)
    payload = order_payload(lines=[
        {"inventory_code": "1001001", "quantity": "100.5", "unit": "公斤"},   # 片 in the ERP
        {"inventory_code": "2001001", "quantity": "100.5"},                   # 公斤: fine
        {"customer_part_no": "HY-P001", "quantity": 2.5},                     # 套, by part no
    ])
    resp = app.test_client().api("POST", "/orders", token=tokens("cust1"), json=payload,
                                 headers={"Accept-Language": "en"})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.json["fields"] == {
        "lines.0.quantity": _text(app, "quantity_unit_whole", "en", unit="片"),
        "lines.2.quantity": _text(app, "quantity_unit_whole", "en", unit="套"),
    }
    assert "片" in resp.json["fields"]["lines.0.quantity"]
    assert _orders(db) == before


@pytest.mark.parametrize("locale", LOCALES)
def test_api_message_is_in_the_callers_language(app, tokens, db, locale):
    resp = app.test_client().api("POST", "/orders", token=tokens("cust1"),
                                 json=order_payload(lines=[{"inventory_code": "1001001", "quantity": "7.25"}]),
                                 headers={"Accept-Language": locale.replace("_", "-")})
    assert resp.status_code == 400
    text = resp.json["fields"]["lines.0.quantity"]
    assert text == _text(app, "quantity_unit_whole", locale, unit="片")
    assert "片" in text and "%(" not in text


def test_api_accepts_100_5_kilograms_and_whole_pieces(app, tokens, db):
    client = app.test_client()
    resp = client.api("POST", "/orders", token=tokens("cust1"), json=order_payload(lines=[
        {"inventory_code": "2001001", "quantity": "100.5"},
        {"inventory_code": "1001001", "quantity": "1,200.00"},     # trailing zeros are no decimals
        {"inventory_code": "2001003", "quantity": 0.0005},
    ]))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert [(l["quantity"], l["unit"]) for l in resp.json["lines"]] == [("100.5", "公斤"), ("1200", "片"),
                                                                        ("0.0005", "公斤")]


def test_a_rep_placing_for_a_customer_is_held_to_the_same_rule(app, tokens, db):
    before = _orders(db)
    resp = app.test_client().api("POST", "/orders", token=tokens("rep1"), json=order_payload(
        customer_code="C001", lines=[{"inventory_code": "3001002", "quantity": "10.5"}]))
    assert resp.status_code == 400 and set(resp.json["fields"]) == {"lines.0.quantity"}
    assert _orders(db) == before


# --- another ERP's units ----------------------------------------------------------------------
def test_the_erp_item_unit_decides_even_padded_and_configured_units(app, tokens, db):
    """An ERP whose unit column holds ' PCS ' (padded) for a disc, with a setting that names
    PCS: 3.5 is refused, 3 is fine; a unit the setting does not name keeps the 4-place rule."""
    app.config["SCM_UNIT_DECIMALS"] = {"PCS": 0, "KG": 2}
    with db.transaction() as tx:
        tx.execute_sql("UPDATE {item} SET {item.unit} = ? WHERE {item.code} = ?", " PCS ", "1001001")
        tx.execute_sql("UPDATE {item} SET {item.unit} = ? WHERE {item.code} = ?", "KG", "2001001")
    client = app.test_client()
    resp = client.api("POST", "/orders", token=tokens("cust1"), json=order_payload(lines=[
        {"inventory_code": "1001001", "quantity": "3.5"},
        {"inventory_code": "2001001", "quantity": "3.125"},
        {"inventory_code": "1001002", "quantity": "3.5"},     # 片, not listed any more
    ]), headers={"Accept-Language": "en"})
    assert resp.status_code == 400
    assert resp.json["fields"] == {
        "lines.0.quantity": _text(app, "quantity_unit_whole", "en", unit="PCS"),
        "lines.1.quantity": _text(app, "quantity_unit_decimals", "en", unit="KG", places=2),
    }
    resp = client.api("POST", "/orders", token=tokens("cust1"), json=order_payload(lines=[
        {"inventory_code": "1001001", "quantity": "3"}, {"inventory_code": "2001001", "quantity": "3.12"},
        {"inventory_code": "1001002", "quantity": "3.5"}]))
    assert resp.status_code == 201, resp.get_data(as_text=True)


# --- the portal -------------------------------------------------------------------------------
def _place(client, **fields):
    data = {"kind": "sales", "requested_date": _future(), "customer_order_no": "HY-2026-200",
            "remarks": "请保留这段备注", "form_token": "tok-units", "csrf_token": client.csrf(),
            "files": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "规格书.pdf")]}
    data.update(fields)
    return client.post("/scm/portal/orders/new?kind=sales", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("locale", LOCALES)
def test_portal_refuses_100_5_pieces_per_line_and_keeps_everything(login, app, db, locale):
    client = login("cust1")
    client.post("/scm/locale", data={"locale": locale, "csrf_token": client.csrf()})
    before = _orders(db)
    resp = _place(client, **{
        "lines-0-inventory_code": "1001001", "lines-0-quantity": "100.5", "lines-0-remarks": "第一行",
        "lines-1-inventory_code": "2001001", "lines-1-quantity": "100.5",
        "lines-2-customer_part_no": "HY-P001", "lines-2-quantity": "3.5"})
    assert resp.status_code == 400
    page = html.unescape(resp.get_data(as_text=True))
    for unit in ("片", "套"):
        assert _text(app, "quantity_unit_whole", locale, unit=unit) in page
    assert page.count(_text(app, "quantity_unit_whole", locale, unit="片")) == 1
    # everything typed is still there, the file too
    assert page.count('value="100.5"') == 2 and 'value="3.5"' in page and 'value="HY-P001"' in page
    assert 'value="第一行"' in page and "请保留这段备注" in page and 'value="HY-2026-200"' in page
    assert "规格书.pdf" in page
    assert _orders(db) == before


def test_portal_accepts_100_5_kilograms(login, db):
    client = login("cust1")
    resp = _place(client, **{"lines-0-inventory_code": "2001001", "lines-0-quantity": "100.5"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    qty = db.scalar_sql("SELECT l.quantity FROM scm_order_line l JOIN scm_order o ON o.id = l.order_id "
                        "WHERE o.customer_code = 'C001'")
    assert Decimal(qty) == Decimal("100.5")


# --- the review's pre-flight check ------------------------------------------------------------------
def test_preflight_flags_an_old_fractional_line_red(login, make_order, db, app, users):
    order = make_order("cust1", lines=[{"inventory_code": "1001001", "quantity": "500"},
                                       {"inventory_code": "2001001", "quantity": "100.5"}])
    # placed before the rule (or written by another way in): 500 片 became 100.5 片
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_order_line SET quantity = ? WHERE inventory_code = ?", Decimal("100.5"), "1001001")
    page = login("rep1").get(f"/scm/review/orders/{order['order_no']}")
    text = html.unescape(page.get_data(as_text=True))
    assert re.findall(r'data-level="(\w+)"', text) == ["red", "green"]
    assert _text(app, "pf_qty_fraction", qty="100.5", unit="片", places="0") in text
    assert re.search(r'id="preflight-level">不宜直接审核', text)

    from scm_plugin.blueprints.order_review import services
    from scm_plugin.erp_bridge.repos.scope import Scope
    with app.test_request_context():
        detail = services.detail(db, Scope("grants", user_id=users["admin"]), order["order_no"])
    qty_checks = [[c for c in line["checks"] if c.code.startswith("pf_qty")] for line in detail["lines"]]
    assert [[(c.level, c.code) for c in checks] for checks in qty_checks] == [[("red", "pf_qty_fraction")],
                                                                             [("green", "pf_qty_ok")]]
    assert qty_checks[0][0].params == {"qty": "100.5", "unit": "片", "places": 0}


def test_preflight_follows_the_setting(login, make_order, db, app):
    order = make_order("cust1", lines=[{"inventory_code": "2001001", "quantity": "100.125"}])
    app.config["SCM_UNIT_DECIMALS"] = {"片": 0, "公斤": 2}
    text = html.unescape(login("rep1").get(f"/scm/review/orders/{order['order_no']}").get_data(as_text=True))
    assert re.findall(r'data-level="(\w+)"', text) == ["red"]
    assert _text(app, "pf_qty_fraction", qty="100.125", unit="公斤", places="2") in text
