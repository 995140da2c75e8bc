"""A mail server that accepts connections but never answers (hung, or a firewall that
drops its replies): one relay pass must not wait out the timeout once per queued mail —
the alarm SMS queued behind the mails would wait with it — and nothing is lost."""
from __future__ import annotations

import collections
import socket
import time

import pytest

from faults.conftest import relay_once


@pytest.fixture
def hung_smtp():
    server = socket.create_server(("127.0.0.1", 0), backlog=64)   # never accepts, never greets
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def app_config(hung_smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": hung_smtp, "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "scm@example.test", "SCM_MAIL_TIMEOUT_SECONDS": 1,
            "SCM_SMS_BACKEND": "log"}


def test_a_hung_mail_server_costs_one_timeout_per_pass_and_the_sms_still_goes(app, db, make_order, tokens):
    for no in range(4):
        make_order("cust1", customer_order_no=f"PO-挂起-{no}")      # 8 mails: rep1 and admin each
    resp = app.test_client().api("POST", "/sms", token=tokens("rep1"),
                                 json={"recipients": ["13800138000"], "text": "交期预警测试"})
    assert resp.status_code == 202, resp.get_data(as_text=True)

    started = time.monotonic()
    counts = relay_once(app)
    elapsed = time.monotonic() - started
    assert counts == {"sent": 1, "retry": 8, "failed": 0}             # the SMS went, the mails wait
    assert elapsed < 4, f"one pass took {elapsed:.1f} s for 8 mails to a hung server"
    rows = db.all_sql("SELECT channel, status, last_error FROM scm_outbox ORDER BY id")
    assert collections.Counter((r["channel"], r["status"]) for r in rows) == {("mail", "pending"): 8,
                                                                                ("sms", "sent"): 1}
    assert all(r["last_error"] for r in rows if r["channel"] == "mail")
    sms = app.test_client().api("GET", f"/sms/{resp.json['batch_id']}", token=tokens("rep1")).json
    assert [m["status"] for m in sms["messages"]] == ["sent"]
