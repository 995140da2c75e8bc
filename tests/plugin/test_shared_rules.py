"""Rules that several functions share are one rule: a quantity typed as "1,5" is refused
wherever a quantity is typed (it used to become 15 on an order line), and a mobile
number is checked by the SMS layer's rule wherever one is typed."""
from __future__ import annotations

import pytest

from fixtures.orders import order_payload
from scm_plugin import accounts
from scm_plugin.errors import InvalidInput, NotFound
from scm_plugin.messages import message


def _text(app, code: str) -> str:
    """The message the API gives for a code, in the default language (zh_CN)."""
    with app.test_request_context():
        return message(code)


@pytest.mark.parametrize("typed, code", [("1,5", "quantity_invalid"), ("12,50", "quantity_invalid"),
                                         ("0", "quantity_positive"), ("1.00001", "quantity_decimals")])
def test_an_order_line_refuses_what_every_quantity_field_refuses(app, tokens, db, typed, code):
    before = db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order")
    resp = app.test_client().api("POST", "/orders", token=tokens("cust1"),
                                 json=order_payload(lines=[{"inventory_code": "1001001", "quantity": typed}]))
    assert resp.status_code == 400
    assert resp.json["fields"] == {"lines.0.quantity": _text(app, code)}
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == before


def test_thousands_separators_are_read_alike_on_order_lines_and_stock(app, tokens):
    client = app.test_client()
    placed = client.api("POST", "/orders", token=tokens("cust1"),
                        json=order_payload(lines=[{"inventory_code": "2001001", "quantity": "1,250.50"}]))  # 公斤
    assert placed.status_code == 201 and placed.json["lines"][0]["quantity"] == "1250.5"
    stock = client.api("PUT", "/customers/C001/stock/1001001", token=tokens("rep1"),
                       json={"quantity": "1,250.50"})
    assert stock.status_code == 200 and stock.json["quantity"] == "1250.5"
    refused = client.api("PUT", "/customers/C001/stock/1001001", token=tokens("rep1"), json={"quantity": "1,5"})
    assert refused.status_code == 400 and refused.json["fields"] == {"quantity": _text(app, "quantity_invalid")}


@pytest.mark.parametrize("mobile, code", [("12345", "phone_too_short"), ("+1 650 253 0000", "phone_foreign"),
                                          ("1380013800", "phone_too_short"), ("手机号", "phone_invalid")])
def test_a_user_mobile_follows_the_sms_rule(app, db, mobile, code):
    with app.app_context(), pytest.raises(InvalidInput) as refused:
        accounts.create_user(db, username="zhao.mobile", role="rep", password="long-enough-1", mobile=mobile)
    assert refused.value.fields == {"mobile": code}
    with pytest.raises(NotFound):
        accounts.find_user(db, "zhao.mobile")


def test_a_reachable_mobile_is_kept_as_typed(app, db):
    with app.app_context():
        accounts.create_user(db, username="qian.mobile", role="rep", password="long-enough-1",
                             mobile="138 0013 8000")
    assert accounts.find_user(db, "qian.mobile")["mobile"] == "138 0013 8000"


def test_the_admin_page_refuses_an_unreachable_mobile_and_keeps_the_input(login, db, users):
    page = login("admin").form(f"/scm/admin/users/{users['rep1']}", {
        "role": "rep", "display_name": "王五", "email": "", "mobile": "12345", "active": "y"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'value="12345"' in html and 'value="王五"' in html
    assert accounts.find_user(db, "rep1")["mobile"] != "12345"
