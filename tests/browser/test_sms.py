"""In Chromium: the SMS page's live counter turns red at 71 characters and the send button
refuses; a rep sends to contacts of two granted customers and watches each recipient
reach "delivered" through a real Kannel on loopback."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scm_plugin.outbox import relay




@pytest.fixture
def app_config(kannel):
    return dict(kannel.app_config(), SCM_SMS_REFRESH_SECONDS=1)


def _compose(page):
    page.click(".scm-nav >> text=发送短信")
    expect(page.locator("#sms-form")).to_be_visible()
    return page


def test_counter_turns_red_at_71_and_send_refuses(web_login, app, db, snap):
    page = _compose(web_login("rep1"))
    count, counter, text = page.locator("#sms-count"), page.locator("#sms-counter"), page.locator("#text")
    text.fill("货" * 70)
    expect(count).to_have_text("70")
    expect(counter).not_to_have_class(re.compile("scm-sms-over"))
    expect(counter).not_to_have_css("color", "rgb(197, 48, 48)")
    text.press("End")
    text.type("多")
    expect(count).to_have_text("71")
    expect(counter).to_have_class(re.compile("scm-sms-over"))
    expect(counter).to_have_css("color", "rgb(197, 48, 48)")             # --c-bad: red
    page.fill("#numbers", "13800138000")
    url = page.url
    expect(page.locator("#sms-send")).to_have_attribute("aria-disabled", "true")
    page.click("#sms-send", force=True)                  # clicked anyway: it refuses
    expect(page.locator("#sms-text-error")).to_be_visible()
    expect(page.locator("#sms-text-error")).to_contain_text("70")
    assert page.url == url
    snap(page, "sms-too-long")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0
    # emoji count two: 68 + 😀 is 70 again
    text.fill("货" * 68 + "😀")
    expect(count).to_have_text("70")
    expect(counter).not_to_have_class(re.compile("scm-sms-over"))
    # with a signature 【华光光盘】 (six characters) the limit is reached six characters earlier
    app.config["SCM_SMS_SIGNATURE"] = "华光光盘"
    page.reload()
    expect(count).to_have_text("6")
    text.fill("货" * 64)
    expect(count).to_have_text("70")
    text.type("货")
    expect(count).to_have_text("71")
    expect(counter).to_have_class(re.compile("scm-sms-over"))
    page.click("#sms-send", force=True)
    expect(page.locator("#sms-text-error")).to_be_visible()
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0


def test_bulk_sms_to_two_customers_is_delivered_through_kannel(web_login, app, db, live_server, kannel, snap):
    app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    page = _compose(web_login("rep1"))
    expect(page.locator("#contacts fieldset")).to_have_count(2)            # C001 and C002, not C003
    expect(page.locator("#contacts")).not_to_contain_text("赵敏")
    page.check("input.scm-sms-all[data-customer='C001']")                  # both of 华音文化's contacts
    page.fill("#contact-search", "陈")
    expect(page.locator("fieldset[data-customer='C001']")).to_be_hidden()
    page.check("label:has-text('陈静') input[name=contact]")
    page.fill("#contact-search", "")
    page.fill("#numbers", "0755-12345678\n+86 138 0013 8000")                # the second is 李红's again
    rows = page.locator("#preview-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#preview-table")).to_contain_text("106075512345678")
    text = "您好：贵司订单SO2611已于今日发货，请注意查收。"
    page.fill("#text", text)
    snap(page, "sms-compose")
    page.click("#sms-send")
    expect(page).to_have_url(re.compile(r"/scm/sms/batches/\d+$"))
    expect(page.locator("#batch-messages tbody tr")).to_have_count(4)
    expect(page.locator("#batch-messages tr[data-status='queued']")).to_have_count(4)

    with app.app_context():
        assert relay(app) == {"sent": 4, "retry": 0, "failed": 0}
    got = kannel.smsc.wait_for(lambda m: m.text == text, count=4)
    assert sorted(m.receiver for m in got) == ["106075512345678", "13600001111", "13800138000", "13922334455"]
    # the page updates itself until every recipient is delivered
    expect(page.locator("#batch-messages tr[data-status='delivered']")).to_have_count(4, timeout=20000)
    expect(page.locator("#batch-status-body")).to_have_attribute("data-finished", "1")
    expect(page.locator(".scm-sms-bar-delivered")).to_be_visible()
    snap(page, "sms-batch-delivered")
    page.click(".scm-subnav a >> nth=1")                                   # the history of batches
    expect(page.locator("#batches tbody tr")).to_have_count(1)
