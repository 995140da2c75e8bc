"""Kannel stopped while a rep sends a bulk SMS and the checker raises an alarm: the
recipients show as queued and retrying with a reason in words; Kannel back → every SMS
reaches the (fake) SMSC exactly once. And the ambiguous failure — Kannel took the
message but its answer never came — is not sent twice."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from alert_policy.helpers import Kit, utcnow
from faults.conftest import relay_once, wait_until


@pytest.fixture
def app_config(kannel):
    return dict(kannel.app_config(), SCM_SMS_SIGNATURE="华光光盘", SCM_OUTBOX_BACKOFF_SECONDS=1)


@pytest.fixture
def kit(app, db, users):
    return Kit(app, db)


def _messages(kit, batch_id):
    resp = kit.api("GET", f"/sms/{batch_id}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json["messages"]


def test_bulk_sms_and_alarm_while_kannel_is_down_arrive_once_when_it_is_back(kit, app, db, kannel_up,
                                                                             live_server, login):
    kannel = kannel_up
    app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    tag = uuid.uuid4().hex[:6]
    order = kit.approved_order(customer_order_no=f"PO-{tag}")
    t = utcnow() + dt.timedelta(hours=1)
    assert kit.set_policy(order["order_no"], [(t, "REP", 20000)], sms_to=["13600001111"]).status_code == 200
    relay_once(app)                                   # the order's mails (suppressed here) out of the way

    kannel.stop()
    text = f"停机群发{tag}"
    resp = kit.api("POST", "/sms", json={"recipients": ["13800138000", "0755-12345678"], "text": text})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    batch = resp.json["batch_id"]
    result = kit.check(t + dt.timedelta(minutes=5))
    assert len(result.alarms) == 1
    alarm = kit.alarms(order["order_no"])[0]
    assert alarm["sms_batch_id"]

    assert relay_once(app) == {"sent": 0, "retry": 3, "failed": 0}
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 3, "failed": 0}
    for batch_id in (batch, alarm["sms_batch_id"]):
        for m in _messages(kit, batch_id):
            assert m["status"] == "queued", m
            assert m["error"] == "gateway_unreachable" and ("重发" in m["reason"] or "重试" in m["reason"]), m
    page = login("rep1").get(f"/scm/sms/batches/{batch}").get_data(as_text=True)
    assert "短信网关" in page and ("重发" in page or "重试" in page), page                 # the rep reads why, in Chinese

    kannel.start()
    assert relay_once(app, db, due=True) == {"sent": 3, "retry": 0, "failed": 0}
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
    delivered = wait_until(lambda: all(m["status"] == "delivered" for b in (batch, alarm["sms_batch_id"])
                                       for m in _messages(kit, b)), timeout=20)
    assert delivered, [_messages(kit, b) for b in (batch, alarm["sms_batch_id"])]
    kannel.smsc.wait_for(lambda m: tag in m.text or order["order_no"] in m.text, count=4, timeout=2)
    got = kannel.smsc.received(lambda m: text in m.text)
    assert sorted(m.receiver for m in got) == ["106075512345678", "13800138000"]
    alarm_sms = kannel.smsc.received(lambda m: m.receiver == "13600001111" and (
        order["order_no"] in m.text or (order.get("contract_no") or "~") in m.text))
    assert len(alarm_sms) == 1, alarm_sms
    assert kit.check(t + dt.timedelta(minutes=30)).alarms == []        # and no second alarm


@pytest.mark.parametrize("reports", [True, False], ids=["with-reports", "without-reports"])
def test_kannel_took_it_but_the_answer_was_lost_is_not_sent_twice(kit, app, db, kannel_up, live_server,
                                                                  mute_proxy, reports):
    kannel = kannel_up
    if reports:
        app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    app.config["SCM_SMS_KANNEL_URL"] = f"http://127.0.0.1:{mute_proxy.port}/cgi-bin/sendsms"
    app.config["SCM_SMS_TIMEOUT_SECONDS"] = 1
    text = f"无应答{uuid.uuid4().hex[:6]}"
    batch = kit.api("POST", "/sms", json={"recipients": ["13800138000"], "text": text}).json["batch_id"]

    counts = relay_once(app)
    assert counts["sent"] == 0 and mute_proxy.requests == 1
    assert len(kannel.smsc.wait_for(lambda m: text in m.text, timeout=10)) == 1   # Kannel did send it
    message = _messages(kit, batch)[0]
    assert message["error"] != "gateway_unreachable", message    # it answered nothing, it was not unreachable

    app.config["SCM_SMS_KANNEL_URL"] = kannel.url                 # the gateway answers again
    if reports:
        # The retry waits for the report far longer than the back-off's 30 s: Kannel
        # reports only once its SMSC has the message (one reconnecting must not mean two).
        next_at = db.scalar_sql("SELECT next_attempt_at FROM scm_outbox WHERE channel = 'sms' AND recipient = ?",
                                "13800138000")
        assert next_at >= utcnow() + dt.timedelta(minutes=29), next_at
        # The delivery report names the message: it settles the doubt, no resend.
        assert wait_until(lambda: _messages(kit, batch)[0]["status"] == "delivered", timeout=20), \
            _messages(kit, batch)
        assert relay_once(app, db, due=True) == {"sent": 1, "retry": 0, "failed": 0}
        assert _messages(kit, batch)[0]["status"] == "delivered"
    else:
        # Nothing can settle it: the message is not resent on a guess, and the rep is told.
        assert counts == {"sent": 0, "retry": 0, "failed": 1}
        assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
        message = _messages(kit, batch)[0]
        assert message["status"] == "failed" and "可能" in message["reason"], message
    kannel.smsc.wait_for(lambda m: text in m.text, count=2, timeout=2)
    assert len(kannel.smsc.received(lambda m: text in m.text)) == 1


def test_a_hanging_gateway_costs_one_timeout_per_pass_not_one_per_message(kit, app, db, kannel_up, mute_proxy):
    """Kannel takes the first request and never answers: that message is settled as
    'maybe sent'; the other messages of the pass are not handed to the hanging gateway at
    all (each would wait out the timeout and be settled the same way) but wait for the
    next pass, and go out once it answers again."""
    kannel = kannel_up
    app.config["SCM_SMS_KANNEL_URL"] = f"http://127.0.0.1:{mute_proxy.port}/cgi-bin/sendsms"
    app.config["SCM_SMS_TIMEOUT_SECONDS"] = 1
    text = f"挂起{uuid.uuid4().hex[:6]}"
    numbers = ["13800138000", "13600001111", "13922334455", "13511112222"]
    batch = kit.api("POST", "/sms", json={"recipients": numbers, "text": text}).json["batch_id"]

    counts = relay_once(app)
    assert counts == {"sent": 0, "retry": 3, "failed": 1} and mute_proxy.requests == 1   # one timeout, not four
    statuses = sorted(m["status"] for m in _messages(kit, batch))
    assert statuses == ["failed", "queued", "queued", "queued"]

    app.config["SCM_SMS_KANNEL_URL"] = kannel.url
    assert relay_once(app, db, due=True) == {"sent": 3, "retry": 0, "failed": 0}
    kannel.smsc.wait_for(lambda m: text in m.text, count=4, timeout=15)
    assert sorted(m.receiver for m in kannel.smsc.received(lambda m: text in m.text)) == sorted(numbers)
