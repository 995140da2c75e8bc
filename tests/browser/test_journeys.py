"""One working day in Chromium, in zh_CN, through the real pages (issue 10).

Morning: the customer cust1 (深圳华音文化) places a sales order and a sample order in the
portal, each with a file named in Chinese. The rep rep1 approves the sales order into the
ERP's contract-review form (合同评审单, exactly one, with the order's lines) and rejects the
sample order with a reason; the customer reads the reason in the portal and in a mail that
the outbox relay hands to a real SMTP server (aiosmtpd).

Midday: the admin keeps a checkpoint template; the rep sets the approved order's alert
policy from it; the first checkpoint falls due (the checker runs as of just after it, the
way ``flask scm run-alerts --at`` lets an operator do), nothing was reported, so an alarm is
raised and its SMS reaches a real Kannel; the rep sees the alarm, cancels it with a note and
the policy can be edited again.

Afternoon: the rep queries inventory (a full inventory code has figures, an incomplete one
is 无此货品信息), records the customer's stock, answers the complaint the customer filed in
the portal (the customer reads the reply), shares a document (the customer downloads it,
the rep sees the read receipt) and sends a bulk SMS that reaches Kannel.

Screenshots of the main pages go to test-artifacts/screenshots/journey-NN-<page>.png.
Every zh_CN page is checked for English left on it, the alert policy's history included
(its audit details are kept as facts and told in the reader's language).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from browser.journey_helpers import (PDF, cli, english_left, keep_cd_template, place_portal_order,
                                     query_inventory, send_outbox, shot)
from scm_plugin.erp_bridge.repos import erp_forms




@pytest.fixture
def app_config(kannel, mail_config):
    return dict(mail_config, **kannel.app_config(), SCM_SMS_REFRESH_SECONDS=1, SCM_OUTBOX_BACKOFF_SECONDS=1)


@pytest.fixture
def journey(app, live_server):
    """Kannel's delivery reports come back to the app on its loopback port."""
    app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    return app


def _no_english(page, where: str, ignore: tuple[str, ...] = ()):
    left = english_left(page, ignore)
    assert not left, f"{where}: English left on a zh_CN page: {left}"


REQUESTED = dt.date.today() + dt.timedelta(days=30)
SALES_LINES = [{"inventory_code": "1001001", "quantity": "30000"},
               {"customer_part_no": "HY-P001", "quantity": "30000", "remarks": "附件包"}]


# --- morning: orders placed in the portal and reviewed ---------------------------------------
def test_morning_orders_placed_in_the_portal_and_reviewed(journey, db, web_login, live_server, tmp_path,
                                                          smtp, snap):
    contract = tmp_path / "采购合同（华音-2026-11）.pdf"
    contract.write_bytes(PDF)
    artwork = tmp_path / "样盘封面设计稿-第2版.pdf"
    artwork.write_bytes(PDF)

    page = web_login("cust1")
    sales_no = place_portal_order(page, kind="sales", customer_order_no="HY-PO-旅程-01", requested=REQUESTED,
                                  lines=SALES_LINES, files=[contract], snap=snap,
                                  snap_name="journey-01-portal-order-form")
    expect(page.locator("#attachments")).to_contain_text("采购合同（华音-2026-11）.pdf")
    sample_no = place_portal_order(page, kind="sample", customer_order_no="HY-SP-旅程-01", requested=REQUESTED,
                                   lines=[{"inventory_code": "1001002", "quantity": "50"}], files=[artwork])
    expect(page.locator("#attachments")).to_contain_text("样盘封面设计稿-第2版.pdf")
    page.click("text=我的订单")
    for no in (sales_no, sample_no):
        expect(page.locator("#orders tr", has_text=no)).to_contain_text("待审核")
    shot(snap, page, "journey-02-portal-order-list")
    _no_english(page, "portal order list")

    # the rep approves the sales order
    page = web_login("rep1")
    page.click(".scm-nav >> text=销售订单审核")
    expect(page.locator("h1")).to_have_text("销售订单审核")
    expect(page.locator(f"tr[data-order='{sales_no}']")).to_contain_text("深圳华音文化传播有限公司")
    expect(page.locator(f"tr[data-order='{sample_no}']")).to_have_count(0)
    shot(snap, page, "journey-03-sales-review-list")
    _no_english(page, "sales review list")
    page.click(f"tr[data-order='{sales_no}'] a.scm-btn")
    expect(page.locator("#review-lines tbody tr")).to_have_count(2)
    expect(page.locator("#preflight-level")).to_have_text("全部通过")
    expect(page.locator("#attachments")).to_contain_text("采购合同（华音-2026-11）.pdf")
    shot(snap, page, "journey-04-sales-review-detail")
    _no_english(page, "sales review detail")
    page.click("#approve")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text("已生成 ERP 评审单")
    form_no = page.locator("#erp-form-no").inner_text()
    assert form_no.startswith("HT")
    expect(page.locator("#history tr")).to_have_count(2)                  # placed, approved
    _no_english(page, "approved order")                                   # not "sales, 2 lines, 1 files"

    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                         sales_no) == 1
    form = db.read(lambda tx: erp_forms.form_by_source(tx, "sales", sales_no))
    assert form["form_no"] == form_no
    lines = db.read(lambda tx: erp_forms.form_lines(tx, "sales", form["id"]))
    assert [(l["row_no"], l["inventory_code"], Decimal(l["quantity"])) for l in lines] == \
           [(1, "1001001", Decimal(30000)), (2, "3001001", Decimal(30000))]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {sample_review} WHERE {sample_review.source_order_no} = ?",
                         sample_no) == 0

    # and rejects the sample order with a reason
    page.click(".scm-nav >> text=样板订单审核")
    expect(page.locator("h1")).to_have_text("样板订单审核")
    expect(page.locator(f"tr[data-order='{sample_no}']")).to_be_visible()
    shot(snap, page, "journey-05-sample-review-list")
    page.click(f"tr[data-order='{sample_no}'] a.scm-btn")
    reason = "样盘封面缺少出血位，请按 3mm 出血修改后重新下单。"
    page.click("#reject")                                            # no reason yet: refused, nothing changes
    expect(page.locator(".scm-has-error .scm-field-error")).to_be_visible()
    assert db.scalar_sql("SELECT status FROM scm_order WHERE order_no = ?", sample_no) == "pending"
    page.fill("#reason", reason)
    shot(snap, page, "journey-06-sample-review-detail")
    page.click("#reject")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text(f"订单 {sample_no} 已退回")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM {sample_review} WHERE {sample_review.source_order_no} = ?",
                         sample_no) == 0

    # the relay hands the mails to the SMTP server; the customer is told of the rejection
    counts = send_outbox(journey)
    assert counts["failed"] == 0 and counts["retry"] == 0 and counts["sent"] >= 2, counts
    mails = [m for m in smtp.collector.to("cust1@example.test") if sample_no in str(m["Subject"])]
    assert len(mails) == 1, [str(m["Subject"]) for m in smtp.messages]
    assert reason in mails[0].get_body(("plain",)).get_content()

    # the customer sees the reason in the portal
    page = web_login("cust1")
    row = page.locator("#orders tr", has_text=sample_no)
    expect(row).to_contain_text("已退回")
    expect(row.locator(".scm-reason")).to_have_text(reason)
    expect(page.locator("#orders tr", has_text=sales_no)).to_contain_text(form_no)
    row.locator("a").first.click()
    expect(page.locator("#reject-reason")).to_contain_text(reason)
    shot(snap, page, "journey-07-portal-rejected-order")
    _no_english(page, "portal rejected order")


# --- midday: an alert policy, a missed checkpoint, an alarm by SMS ---------------------------
def test_midday_alert_policy_alarm_reaches_kannel_and_is_cancelled(journey, db, web_login, live_server, kannel,
                                                                  make_order, snap):
    order_no = make_order("cust1", customer_order_no="HY-PO-旅程-02", requested_date=REQUESTED.isoformat(),
                          lines=[{"inventory_code": "1001001", "quantity": "30000"}])["order_no"]

    # the admin keeps the template for CD orders (the seed has none)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint_template") == 0
    page = web_login("admin")
    keep_cd_template(page, live_server)
    shot(snap, page, "journey-08-checkpoint-templates")
    _no_english(page, "checkpoint templates")

    # the rep approves the order through the review page
    page = web_login("rep1")
    page.click(".scm-nav >> text=销售订单审核")
    page.click(f"tr[data-order='{order_no}'] a.scm-btn")
    page.click("#approve")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text("已生成 ERP 评审单")

    # and sets its alert policy from the template, SMS to the customer's contact 李红
    page.click(".scm-nav >> text=订单策略管理")
    row = page.locator(f"tr[data-order='{order_no}']")
    expect(row).to_have_attribute("data-policy-state", "none")
    row.locator("a.scm-btn").click()
    expect(page.locator("#no-policy")).to_be_visible()
    page.select_option("#template-select", label="CD 标准工期 [CD]")
    page.click("#apply-template")
    expect(page.locator("#prefilled")).to_be_visible()
    expect(page.locator("input[name='cp-0-due_at']")).to_have_value(f"{REQUESTED - dt.timedelta(days=10)}T18:00")
    expect(page.locator("input[name='cp-1-quantity']")).to_have_value("15000")
    page.check("label:has-text('李红') input[name=sms]")
    shot(snap, page, "journey-09-alert-policy-editor")
    _no_english(page, "alert policy editor")
    page.click("#save-policy")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator("#checkpoints tbody tr")).to_have_count(3)
    expect(page.locator("#checkpoints tbody tr").first).to_have_attribute("data-state", "pending")
    expect(page.locator("#sms-recipients")).to_contain_text("李红")                 # not "contact:15"
    expect(page.locator("#sms-recipients")).to_contain_text("13800138000")

    # the mastering checkpoint falls due with nothing reported: the checker (as the operator's
    # `flask scm run-alerts --at` runs it) raises the alarm and queues its SMS; the relay sends it
    at = f"{REQUESTED - dt.timedelta(days=10)}T18:01"
    out = cli(journey, "run-alerts", "--at", at)
    assert re.search(r"\b1 alarms\b", out), out
    assert order_no in out and "13800138000" in out, out
    counts = send_outbox(journey)
    assert counts["sent"] >= 1 and counts["failed"] == 0, counts
    got = kannel.smsc.wait_for(lambda m: order_no in m.text, timeout=15)
    assert len(got) == 1, kannel.smsc.received()
    assert got[0].receiver == "13800138000"
    assert "母盘刻录" in got[0].text, got[0].text

    # the rep sees it on the policy page (locked) and in the alarm list
    page.reload()
    expect(page.locator("#policy-locked")).to_be_visible()
    expect(page.locator("#open-alarms li[data-level='alarm']")).to_have_count(1)
    expect(page.locator("#checkpoints tbody tr").first).to_have_attribute("data-state", "missed")
    expect(page.locator("#policy-form")).to_have_count(0)
    shot(snap, page, "journey-10-alert-policy-alarm")
    _no_english(page, "alert policy with an alarm")
    page.click(".scm-subnav a[href$='/alerts/alarms']")
    alarm_row = page.locator(f"#alarms tr[data-level='alarm'][data-status='open']", has_text=order_no)
    expect(alarm_row).to_have_count(1)
    shot(snap, page, "journey-11-alarm-list")
    _no_english(page, "alarm list")

    # cancelled with a note from the list: the policy unlocks
    alarm_id = alarm_row.get_attribute("data-alarm")
    page.fill(f"#note-{alarm_id}", "已与客户确认母盘另行提供")
    page.click(f"#cancel-{alarm_id}")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator(f"#alarms tr[data-alarm='{alarm_id}'][data-status='open']")).to_have_count(0)
    page.goto(f"{live_server}/scm/alerts/orders/{order_no}")
    expect(page.locator("#policy-locked")).to_have_count(0)
    expect(page.locator("#policy-form")).to_be_visible()
    expect(page.locator("#alarm-history")).to_contain_text("已与客户确认母盘另行提供")


# --- afternoon: inventory, customer stock, a complaint, a document, a bulk SMS ----------------
def test_afternoon_inventory_stock_feedback_documents_and_sms(journey, db, web_login, live_server, kannel,
                                                              tmp_path, snap):
    # inventory: a full code has figures, an incomplete one is not an item
    page = web_login("rep1")
    query_inventory(page, "1001001")
    own = page.locator("tr[data-holder='own'][data-warehouse='01']")
    expect(own).to_contain_text("光盘成品仓库")
    expect(own).to_contain_text("12,500")
    shot(snap, page, "journey-12-inventory-result")
    _no_english(page, "inventory result")
    page.fill("#q", "1001")
    page.click("#search")
    expect(page.locator("#no-such-item")).to_contain_text("无此货品信息")
    expect(page.locator(".scm-inv-answer")).to_have_count(0)

    # customer stock: recorded on the upkeep page, then seen next to our warehouses
    page.click(".scm-nav >> text=客户库存维护")
    page.select_option("#customer-select", "C001")
    page.click("#pick")
    expect(page.locator("#customer-name")).to_contain_text("深圳华音文化传播有限公司")
    page.click("#new-item")
    page.fill("#inventory_code", "1001001")
    page.click("#lookup")
    expect(page.locator("#item-name")).to_have_text("CD《经典老歌精选1》")
    page.fill("#quantity", "1800")
    page.fill("#remarks", "月末盘点")
    page.click("#save")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator("tr[data-item='1001001'] .scm-inv-qty")).to_contain_text("1,800")
    maintain = page.locator("tr[data-item='1001001'] a.scm-btn-small").bounding_box()
    assert maintain["height"] < 1.5 * maintain["width"] / 2, maintain    # 维护 on one line, not 维/护
    shot(snap, page, "journey-13-customer-stock")
    _no_english(page, "customer stock")
    query_inventory(page, "1001001")
    expect(page.locator("tr[data-holder='customer'][data-customer='C001']")).to_contain_text("1,800")

    # a complaint filed in the portal, answered by the rep, read by the customer
    page = web_login("cust1")
    page.click(".scm-nav a[href$='/feedback/portal/']")
    page.click("#new-complaint")
    page.fill("#subject", "第 2 批光盘盘面有划痕")
    page.fill("#body", "批号 HY-1120，约 50 张盘面有划痕。")
    page.click("#send-feedback")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    feedback_id = re.search(r"/feedback/portal/(\d+)$", page.url).group(1)

    page = web_login("rep1")
    page.click(".scm-nav a[href$='/feedback/']")
    row = page.locator(f"tr[data-feedback='{feedback_id}']")
    expect(row.locator(".scm-badge-fb-new")).to_be_visible()
    row.locator("a.scm-btn-primary").click()
    expect(page.locator("#feedback-body")).to_contain_text("约 50 张盘面有划痕")
    page.fill("#body", "已安排复检，本周五前补发 50 张。")
    page.click("#save-reply")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    expect(page.locator("#replies")).to_contain_text("本周五前补发 50 张")
    shot(snap, page, "journey-14-feedback-detail")
    expect(page.locator("#history tr")).to_have_count(2)
    _no_english(page, "feedback detail")                                  # not "complaint: … (0 files)"

    # a document shared with the customer
    spec = tmp_path / "光盘包装规范（2026版）.pdf"
    spec.write_bytes(PDF)
    page.click(".scm-nav a[href$='/documents/']")
    page.click("#upload-document")
    page.fill("#subject", "2026 年光盘包装规范")
    page.check("input[name=customer_codes][value=C001]")
    page.set_input_files("#file", str(spec))
    page.click("#upload")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    document_id = re.search(r"/documents/(\d+)$", page.url).group(1)
    expect(page.locator("#receipts tr[data-customer=C001] .scm-badge-waiting")).to_be_visible()

    page = web_login("cust1")
    page.click(".scm-nav a[href$='/feedback/portal/']")
    fb_row = page.locator(f"tr[data-feedback='{feedback_id}']")
    expect(fb_row.locator(".scm-badge-fb-replied")).to_be_visible()
    fb_row.locator("a").first.click()
    expect(page.locator("#replies")).to_contain_text("已安排复检，本周五前补发 50 张。")
    page.click(".scm-nav a[href$='/documents/portal/']")
    doc_row = page.locator(f"tr[data-document='{document_id}']")
    expect(doc_row).to_contain_text("2026 年光盘包装规范")
    with page.expect_download(timeout=5000) as download:
        doc_row.locator("a").click()
    assert download.value.suggested_filename == "光盘包装规范（2026版）.pdf"
    assert download.value.path().read_bytes() == PDF

    page = web_login("rep1")
    page.goto(f"{live_server}/scm/documents/{document_id}")
    expect(page.locator("#receipts tr[data-customer=C001] .scm-badge-downloaded")).to_be_visible()
    page.click(".scm-nav a[href$='/documents/']")
    expect(page.locator(f"tr[data-document='{document_id}'] li[data-customer=C001] .scm-badge-downloaded")) \
        .to_be_visible()
    shot(snap, page, "journey-15-documents")
    _no_english(page, "documents")

    # a bulk SMS to both of 华音文化's contacts, through Kannel
    page.click(".scm-nav >> text=发送短信")
    expect(page.locator("#sms-form")).to_be_visible()
    page.check("input.scm-sms-all[data-customer='C001']")
    expect(page.locator("#preview-table tbody tr")).to_have_count(2)
    text = f"您好：第 2 批补发光盘已于今日发出，请注意查收。{uuid.uuid4().hex[:4]}"
    page.fill("#text", text)
    shot(snap, page, "journey-16-sms-compose")
    _no_english(page, "SMS compose")
    page.click("#sms-send")
    expect(page).to_have_url(re.compile(r"/scm/sms/batches/\d+$"))
    expect(page.locator("#batch-messages tr[data-status='queued']")).to_have_count(2)
    counts = send_outbox(journey)
    assert counts["failed"] == 0 and counts["sent"] >= 2, counts
    got = kannel.smsc.wait_for(lambda m: m.text == text, count=2, timeout=15)
    assert sorted(m.receiver for m in got) == ["13800138000", "13922334455"], kannel.smsc.received()
    expect(page.locator("#batch-messages tr[data-status='delivered']")).to_have_count(2, timeout=20000)
    shot(snap, page, "journey-17-sms-batch")
    _no_english(page, "SMS batch")
