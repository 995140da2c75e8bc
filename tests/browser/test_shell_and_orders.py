"""In Chromium: a rep logs in and sees the Chinese menu with only their customers; a
customer places an order with a PDF named in Chinese; the rep approves it after the
pre-flight check; the customer sees it approved."""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect


def test_rep_sees_chinese_menu_and_only_their_customers(web_login, snap):
    page = web_login("rep1")
    expect(page.locator(".scm-brand")).to_have_text("客户业务管理")
    expect(page.locator(".scm-nav")).to_contain_text("销售订单审核")
    expect(page.locator(".scm-nav")).to_contain_text("样板订单审核")
    customers = page.locator("#my-customers li")
    expect(customers).to_have_count(2)
    expect(page.locator("#my-customers")).to_contain_text("深圳华音文化传播有限公司")
    expect(page.locator("#my-customers")).not_to_contain_text("上海东方音像出版社")
    snap(page, "home-rep")


def test_order_from_portal_to_erp_form(web_login, live_server, tmp_path, snap):
    pdf = tmp_path / "采购合同-第1版.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page = web_login("cust1")
    expect(page.locator("h1")).to_have_text("我的订单")
    page.click("text=新建销售订单")
    page.fill("#customer_order_no", "HY-PO-浏览器")
    page.fill("#requested_date", (dt.date.today() + dt.timedelta(days=40)).isoformat())
    page.fill("input[name='lines-0-customer_part_no']", "HY-A001")
    page.fill("input[name='lines-0-quantity']", "12000")
    page.click("#add-line")
    page.fill("input[name='lines-3-inventory_code']", "3001001")
    page.fill("input[name='lines-3-quantity']", "12000")
    page.set_input_files("#files", str(pdf))
    snap(page, "portal-order-form")
    page.click("#place-order")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text("已下达")
    expect(page.locator("#attachments")).to_contain_text("采购合同-第1版.pdf")
    order_no = re.search(r"/orders/(\w+)$", page.url).group(1)
    page.click("text=我的订单")
    row = page.locator("#orders tr", has_text=order_no)
    expect(row).to_contain_text("待审核")
    snap(page, "portal-orders")

    page = web_login("rep1")
    page.click(".scm-nav >> text=销售订单审核")
    expect(page.locator(f"tr[data-order='{order_no}']")).to_contain_text("新")
    snap(page, "review-queue")
    page.click(f"tr[data-order='{order_no}'] a.scm-btn")
    expect(page.locator("#preflight")).to_be_visible()
    expect(page.locator("#review-lines tbody tr")).to_have_count(2)
    expect(page.locator("#preflight-level")).to_have_text("全部通过")
    with page.expect_download() as download:
        page.click("#attachments a")
    assert download.value.suggested_filename == "采购合同-第1版.pdf"
    snap(page, "review-detail")
    page.click("#approve")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text("已生成 ERP 评审单")
    form_no = page.locator("#erp-form-no").inner_text()
    assert form_no.startswith("HT")

    page = web_login("cust1")
    page.goto(f"{live_server}/scm/portal/orders/{order_no}")
    expect(page.locator("#approved")).to_contain_text(form_no)
