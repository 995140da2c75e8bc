"""In Chromium: an admin keeps a checkpoint template; a rep finds an approved order under
订单策略管理, sets its alert policy from the template, the checker finds a missed
checkpoint and the alarm shows on the page with the policy locked; the rep cancels the
alarm with a note and edits the policy."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from browser.journey_helpers import keep_cd_template


def _approved_order(app, make_order, tokens) -> dict:
    order = make_order("cust1", lines=[{"inventory_code": "1001001", "quantity": "30000"}])
    resp = app.test_client().api("POST", f"/orders/{order['order_no']}/approve", token=tokens("rep1"))
    assert resp.status_code == 200
    return resp.json


def test_rep_sets_a_policy_from_a_template_and_handles_the_alarm(app, web_login, live_server, snap, make_order,
                                                                  tokens, db):
    app.config["SCM_SMS_BACKEND"] = "log"
    order = _approved_order(app, make_order, tokens)

    # the admin keeps the template for CD orders
    page = web_login("admin")
    keep_cd_template(page, live_server)
    snap(page, "alerts-templates")

    # the rep finds the order under 订单策略管理 and opens its policy
    page = web_login("rep1")
    page.click(".scm-nav >> text=订单策略管理")
    row = page.locator(f"tr[data-order='{order['order_no']}']")
    expect(row).to_have_attribute("data-policy-state", "none")
    page.fill("input[name='inventory_code']", "1001001")
    page.click("#search")
    expect(page.locator("#policy-orders tbody tr[data-order]")).to_have_count(1)
    snap(page, "alerts-search")
    row.locator("a.scm-btn").click()
    expect(page.locator("#no-policy")).to_be_visible()

    # from the template: relative to the requested date, quantities as a share of the order
    template_id = db.scalar_sql("SELECT id FROM scm_checkpoint_template WHERE name = ?", "CD 标准工期")
    page.select_option("#template-select", str(template_id))
    page.click("#apply-template")
    expect(page.locator("#prefilled")).to_be_visible()
    requested = dt.date.fromisoformat(order["requested_date"])
    expect(page.locator("input[name='cp-0-due_at']")).to_have_value(f"{requested - dt.timedelta(days=10)}T18:00")
    expect(page.locator("input[name='cp-1-quantity']")).to_have_value("15000")
    expect(page.locator("input[name='cp-2-quantity']")).to_have_value("30000")
    page.fill("#sms_other", "13800138000")
    snap(page, "alerts-policy-editor")
    page.click("#save-policy")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator("#checkpoints tbody tr")).to_have_count(3)
    expect(page.locator("#checkpoints tbody tr").first).to_have_attribute("data-state", "pending")

    # the checker runs after the mastering checkpoint was due; nothing was reported
    from scm_plugin.blueprints.alert_policy import checker
    due = db.scalar_sql("SELECT MIN(c.due_at) AS d FROM scm_checkpoint c JOIN scm_alert_policy p ON p.id = c.policy_id "
                        "JOIN scm_order o ON o.id = p.order_id WHERE o.order_no = ?", order["order_no"])
    if isinstance(due, str):
        due = dt.datetime.fromisoformat(due)
    with app.app_context():
        result = checker.check(app.extensions["scm"].db, at=due + dt.timedelta(minutes=1))
    assert [a["order_no"] for a in result.alarms] == [order["order_no"]]

    page.reload()
    expect(page.locator("#policy-locked")).to_be_visible()
    expect(page.locator("#open-alarms li[data-level='alarm']")).to_have_count(1)
    expect(page.locator("#checkpoints tbody tr").first).to_have_attribute("data-state", "missed")
    expect(page.locator("#policy-form")).to_have_count(0)
    snap(page, "alerts-policy-alarm")

    # the alarm list shows it too
    page.click(".scm-subnav a[href$='/alerts/alarms']")
    expect(page.locator("#alarms tr[data-level='alarm'][data-status='open']")).to_have_count(1)
    snap(page, "alerts-alarm-list")
    page.go_back()

    # cancelling with a note unlocks the policy
    alarm_id = result.alarms[0]["id"]
    page.fill(f"#note-{alarm_id}", "客户确认母盘已另行提供")
    page.click(f"#cancel-{alarm_id}")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator("#policy-locked")).to_have_count(0)
    expect(page.locator("#alarm-history")).to_contain_text("客户确认母盘已另行提供")

    # and the rep edits the policy: replication later, with the full quantity
    later = f"{requested - dt.timedelta(days=3)}T12:00"
    page.fill("input[name='cp-1-due_at']", later)
    page.fill("input[name='cp-1-quantity']", "30000")
    page.click("#save-policy")
    expect(page.locator(".scm-flash-success")).to_be_visible()
    expect(page.locator("#checkpoints tbody tr")).to_have_count(3)
    expect(page.locator("#checkpoints tbody tr").nth(1)).to_contain_text("30,000")
    expect(page.locator("#history tr[data-action='alarm.cancel']")).to_have_count(1)
    expect(page.locator("#history tr[data-action='policy.save']")).to_have_count(2)
    snap(page, "alerts-policy-edited")
