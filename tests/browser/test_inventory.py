"""In Chromium: a rep records a customer's stock (客户库存维护: choose the customer, add an
item by our inventory code, look it up, enter the quantity, save), then finds it in the
inventory query (库存查询) next to our warehouses; incomplete input finds nothing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.journey_helpers import query_inventory


@pytest.fixture
def record_stock_for_browser(app, users):
    """C001's stock of 1001001, recorded by rep1 through the upkeep service."""
    from scm_plugin.blueprints.customer_stock import services
    from scm_plugin.erp_bridge.repos.scope import Scope

    with app.test_request_context():
        services.record(app.extensions["scm"].db, type("U", (), {"id": users["rep1"]}),
                        Scope("grants", user_id=users["rep1"]), "C001", "1001001", "2500.5")


def test_rep_records_customer_stock_then_finds_it_next_to_our_warehouses(web_login, snap):
    page = web_login("rep1")
    page.click(".scm-nav >> text=客户库存维护")
    expect(page.locator("#customer-select option")).to_have_count(3)   # "—", C001, C002: rep1's customers
    page.select_option("#customer-select", "C001")
    page.click("#pick")
    expect(page.locator("#customer-name")).to_contain_text("深圳华音文化传播有限公司")
    page.click("#new-item")

    page.fill("#inventory_code", "1001")                                 # incomplete: not an item
    page.click("#lookup")
    expect(page.locator("#inventory-code-error")).to_be_visible()
    expect(page.locator("#item-details")).to_have_count(0)
    page.fill("#inventory_code", "1001001 ")                             # pasted with a trailing space
    page.click("#lookup")
    expect(page.locator("#item-name")).to_have_text("CD《经典老歌精选1》")
    page.fill("#quantity", "-3")
    page.click("#save")
    expect(page.locator("#quantity-error")).to_be_visible()
    page.fill("#quantity", "2500.5")
    page.fill("#remarks", "客户仓库盘点")
    snap(page, "customer-stock-new")
    page.click("#save")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    row = page.locator("tr[data-item='1001001']")
    expect(row.locator(".scm-inv-qty")).to_contain_text("2,500.5")
    expect(row).to_contain_text("客户仓库盘点")
    snap(page, "customer-stock-list")

    query_inventory(page, "1001001")
    own = page.locator("tr[data-holder='own'][data-warehouse='01']")
    expect(own).to_contain_text("光盘成品仓库")
    expect(own).to_contain_text("12,500")
    customer = page.locator("tr[data-holder='customer'][data-customer='C001']")
    expect(customer).to_contain_text("深圳华音文化传播有限公司")
    expect(customer).to_contain_text("2,500.5")
    expect(page.locator("tr[data-holder='customer']")).to_have_count(1)
    snap(page, "inventory-query")

    page.fill("#q", "1001")
    page.click("#search")
    expect(page.locator("#no-such-item")).to_be_visible()
    expect(page.locator(".scm-inv-answer")).to_have_count(0)
    snap(page, "inventory-query-no-such-item")


def test_another_rep_does_not_see_that_customers_stock(web_login, record_stock_for_browser):
    page = web_login("rep2")
    page.click(".scm-nav >> text=库存查询")
    page.select_option("#by", "master_disc_no")
    page.fill("#q", "MD2026-0001")
    page.click("#search")
    expect(page.locator("tr[data-holder='own']")).to_have_count(1)
    expect(page.locator("tr[data-holder='customer']")).to_have_count(0)
    expect(page.locator(".scm-inv-customers")).not_to_contain_text("深圳华音文化传播有限公司")
