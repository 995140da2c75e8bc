"""Order mails through the outbox and a real SMTP server (aiosmtpd on 127.0.0.1)."""
from __future__ import annotations

import datetime as dt

import pytest

from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.outbox import relay


@pytest.fixture
def app_config(mail_config):
    return dict(mail_config, SCM_OUTBOX_BACKOFF_SECONDS=1)


def _relay(app):
    with app.app_context():
        return relay(app)


def test_mail_reaches_each_granted_rep_only(app, smtp, make_order, db):
    order = make_order("cust1")
    counts = _relay(app)
    assert counts["sent"] == 2
    recipients = sorted(r for _f, rcpts in smtp.collector.envelopes for r in rcpts)
    assert recipients == ["admin@example.test", "rep1@example.test"]   # admin holds "*"
    msg = smtp.collector.to("rep1@example.test")[0]
    assert msg["Subject"] == f"新销售订单 {order['order_no']}（深圳华音文化传播有限公司）"
    body = msg.get_body(("plain",)).get_content()
    assert "1001001" in body and "30,000" in body and order["order_no"] in body
    assert f"/scm/review/orders/{order['order_no']}" in body or "/scm/" in body
    html = msg.get_body(("html",)).get_content()
    assert "深圳华音文化传播有限公司" in html
    assert msg["Message-ID"].startswith("<scm-outbox-")
    # nothing is sent twice
    assert _relay(app)["sent"] == 0
    assert len(smtp.messages) == 2


def test_sample_order_mail_and_other_customers_reps(app, smtp, make_order):
    make_order("cust3", "sample", lines=[{"inventory_code": "1002001", "quantity": 100}])
    _relay(app)
    recipients = sorted(r for _f, rcpts in smtp.collector.envelopes for r in rcpts)
    assert recipients == ["admin@example.test", "rep2@example.test"]
    assert "新样板订单" in smtp.collector.to("rep2@example.test")[0]["Subject"]


def test_smtp_down_loses_nothing(app, smtp, make_order, db):
    smtp.stop()
    order = make_order("cust1")                       # the customer sees success
    assert order["status"] == "pending"
    counts = _relay(app)
    assert counts == {"sent": 0, "retry": 2, "failed": 0}
    rows = db.all_sql("SELECT status, attempts, last_error FROM scm_outbox")
    assert {r["status"] for r in rows} == {"pending"} and all(r["attempts"] == 1 for r in rows)
    assert all("unreachable" in r["last_error"] for r in rows)
    smtp.start()
    # back-off: not due yet until next_attempt_at
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET next_attempt_at = ?", utcnow() - dt.timedelta(seconds=1))
    assert _relay(app)["sent"] == 2
    assert len(smtp.messages) == 2


def test_crash_mid_send_is_reclaimed_once(app, smtp, make_order, db):
    make_order("cust1")
    # a relay claimed both rows and died before sending: they stay "sending"
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET status = 'sending', claimed_by = 'dead-host:1', claimed_at = ?, attempts = 1",
                       utcnow())
    assert _relay(app)["sent"] == 0          # not stale yet: the other relay may still be working
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET claimed_at = ?", utcnow() - dt.timedelta(hours=1))
    assert _relay(app)["sent"] == 2
    assert _relay(app)["sent"] == 0
    assert len(smtp.messages) == 2
    # the dead relay waking up cannot mark or resend them
    with db.transaction() as tx:
        assert tx.execute_sql("UPDATE scm_outbox SET status = 'pending' WHERE claimed_by = 'dead-host:1' "
                              "AND status = 'sending'") == 0


def test_give_up_after_max_attempts_and_admin_retry(app, smtp, make_order, db, login):
    smtp.stop()
    make_order("cust1")
    app.config["SCM_OUTBOX_MAX_ATTEMPTS"] = 2
    for _ in range(2):
        with db.transaction() as tx:
            tx.execute_sql("UPDATE scm_outbox SET next_attempt_at = ?", utcnow() - dt.timedelta(seconds=1))
        _relay(app)
    assert {r["status"] for r in db.all_sql("SELECT status FROM scm_outbox")} == {"failed"}
    admin = login("admin")
    page = admin.get("/scm/admin/outbox?status=failed").get_data(as_text=True)
    assert "rep1@example.test" in page
    row_id = db.scalar_sql("SELECT MIN(id) AS id FROM scm_outbox")
    assert admin.form(f"/scm/admin/outbox/{row_id}/retry").status_code == 302
    smtp.start()
    assert _relay(app)["sent"] == 1
    assert len(smtp.messages) == 1


def test_rep_without_grant_cannot_see_the_outbox(login):
    assert login("rep1").get("/scm/admin/outbox").status_code == 403


def test_notify_switched_off_per_customer(app, smtp, make_order, db, login):
    admin = login("admin")
    assert admin.form("/scm/admin/customers", {"customer_code": "C001", "notify_reps": "0"}).status_code == 302
    make_order("cust1")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox") == 0
    make_order("cust3", lines=[{"inventory_code": "1002001", "quantity": 100}])
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox") == 2


def test_send_outbox_cli(app, smtp, make_order, runner):
    make_order("cust1")
    result = runner.invoke(args=["scm", "send-outbox"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
