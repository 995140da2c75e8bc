"""Mails of functions 7 and 8 through the outbox and a real SMTP server on 127.0.0.1:
the customer is told of a reply (not of an internal note), the reps of new feedback,
the customers of a new document. Customer text in mails is escaped in the HTML part."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.outbox import relay

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app_config(mail_config):
    return dict(mail_config, SCM_OUTBOX_BACKOFF_SECONDS=1)


def _relay(app):
    with app.app_context():
        return relay(app)


def test_the_reply_reaches_the_customer_who_filed_it(app, smtp, file_feedback, reply, db):
    fb = file_feedback(subject="第 3 批盘面划伤 <b>急</b>")
    _relay(app)                                         # the reps' notices of the new complaint
    smtp.collector.messages.clear()
    smtp.collector.envelopes.clear()
    reply(fb["id"], body="已安排重新压制，<script>x</script> 下周发货。", files=[(PDF, "复检报告.pdf")])
    assert _relay(app) == {"sent": 1, "retry": 0, "failed": 0}
    [msg] = smtp.collector.to("cust1@example.test")
    assert "第 3 批盘面划伤 <b>急</b>" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert "已安排重新压制，<script>x</script> 下周发货。" in text
    assert f"/scm/feedback/portal/{fb['id']}" in text
    assert "rep1 测试" in text
    html = msg.get_body(("html",)).get_content()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert "&lt;b&gt;急&lt;/b&gt;" in html
    row = db.one_sql("SELECT ref_type, ref_id, customer_code, status FROM scm_outbox WHERE recipient = 'cust1@example.test'")
    assert row == {"ref_type": "feedback", "ref_id": fb["id"], "customer_code": "C001", "status": "sent"}
    # nothing is sent twice
    assert _relay(app)["sent"] == 0


def test_an_internal_note_sends_nothing(app, smtp, file_feedback, reply, db):
    fb = file_feedback()
    _relay(app)
    before = len(smtp.messages)
    reply(fb["id"], body="内部备注", internal=True)
    assert _relay(app)["sent"] == 0 and len(smtp.messages) == before


def test_reps_of_the_customer_hear_of_new_feedback(app, smtp, file_feedback):
    fb = file_feedback("cust3", type="suggestion", subject="建议增加镭射防伪")
    assert _relay(app)["sent"] == 2
    recipients = sorted(r for _f, rcpts in smtp.collector.envelopes for r in rcpts)
    assert recipients == ["admin@example.test", "rep2@example.test"]   # not rep1: C003 is not theirs
    msg = smtp.collector.to("rep2@example.test")[0]
    assert "建议增加镭射防伪" in msg["Subject"] and "上海东方音像出版社" in msg["Subject"]
    assert f"/scm/feedback/{fb['id']}" in msg.get_body(("plain",)).get_content()


def test_smtp_down_loses_no_reply_mail(app, smtp, file_feedback, reply, db):
    fb = file_feedback()
    _relay(app)
    smtp.stop()
    reply(fb["id"])                                       # the rep sees success
    assert _relay(app)["retry"] == 1
    smtp.start()
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET next_attempt_at = ? WHERE status = 'pending'",
                       utcnow() - dt.timedelta(seconds=1))
    assert _relay(app)["sent"] == 1
    assert len(smtp.collector.to("cust1@example.test")) == 1


def test_customers_hear_of_a_shared_document(app, smtp, api):
    resp = api("rep1", "POST", "/documents", data={"subject": "2026 包装规范", "customer_codes": ["C001", "C002"],
                                                   "file": (io.BytesIO(PDF), "规范.pdf"), "expires_on": "2099-12-31"})
    assert resp.status_code == 201
    assert _relay(app)["sent"] == 2
    recipients = sorted(r for _f, rcpts in smtp.collector.envelopes for r in rcpts)
    assert recipients == ["cust1@example.test", "po@xingguang.example.cn"]
    msg = smtp.collector.to("cust1@example.test")[0]
    assert "2026 包装规范" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "2099-12-31" in body and "/scm/documents/portal/" in body
