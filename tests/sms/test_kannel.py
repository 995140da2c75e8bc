"""Through a real Kannel on loopback (bearerbox + smsbox, the test as its SMSC): Chinese
text arrives intact, delivery reports move messages to delivered, and Kannel being down
loses nothing and sends nothing twice."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config(kannel):
    # The report base is set per test, once the app is served (live_server).
    return dict(kannel.app_config(), SCM_SMS_SIGNATURE="华光光盘", SCM_OUTBOX_BACKOFF_SECONDS=1)


@pytest.fixture
def reports_to(app, live_server):
    app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    return live_server


def _statuses(api, batch_id):
    return [m["status"] for m in api("rep1", "GET", f"/sms/{batch_id}").json["messages"]]


def test_chinese_text_arrives_intact_and_reports_mark_it_delivered(kannel_up, reports_to, api, contact,
                                                                   relay_now, wait, unique):
    text = unique("您好，订单SO2611已发货，请查收😀")
    resp = api("rep1", "POST", "/sms", {"recipients": [f"contact:{contact('李红')}", f"contact:{contact('陈静')}",
                                                       "0755-12345678"], "text": text})
    assert resp.status_code == 202, resp.json
    batch = resp.json["batch_id"]
    assert relay_now() == {"sent": 3, "retry": 0, "failed": 0}
    got = kannel_up.smsc.wait_for(lambda m: text in m.text, count=3)
    assert sorted((m.receiver, m.text) for m in got) == sorted(
        (n, "【华光光盘】" + text) for n in ("13800138000", "13600001111", "106075512345678"))
    assert {m.sender for m in got} == {kannel_up.sender} and {m.type for m in got} == {"ucs-2"}
    final = wait(lambda: _statuses(api, batch) == ["delivered"] * 3, timeout=20)
    assert final, _statuses(api, batch)
    status = api("rep1", "GET", f"/sms/{batch}").json
    assert status["finished"] is True and all(m["delivered_at"] for m in status["messages"])


def test_kannel_down_then_back_delivers_once(kannel_up, reports_to, api, db, relay_now, wait, unique):
    text = unique("网关停机测试")
    kannel_up.stop()
    try:
        batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": text}).json["batch_id"]
        assert relay_now() == {"sent": 0, "retry": 1, "failed": 0}
        message = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
        assert message["status"] == "queued" and message["error"] == "gateway_unreachable"
        assert message["reason"] and message["reason"] != message["error"]     # told in words, not a code
        assert relay_now(due=True) == {"sent": 0, "retry": 1, "failed": 0}     # still down: retried again
        assert db.scalar_sql("SELECT attempts FROM scm_outbox") == 2
    finally:
        kannel_up.start()
    assert relay_now() == {"sent": 0, "retry": 0, "failed": 0}                 # back-off still running
    assert relay_now(due=True) == {"sent": 1, "retry": 0, "failed": 0}
    assert relay_now(due=True) == {"sent": 0, "retry": 0, "failed": 0}
    assert wait(lambda: _statuses(api, batch) == ["delivered"], timeout=20), _statuses(api, batch)
    # Whatever else happens, the phone got it once.
    kannel_up.smsc.wait_for(lambda m: text in m.text, count=2, timeout=2)
    assert len(kannel_up.smsc.received(lambda m: text in m.text)) == 1


def test_no_reports_without_a_report_address(kannel_up, app, api, relay_now, unique):
    """SCM_SMS_DLR_URL_BASE unset: Kannel is not asked for reports; the message stays sent."""
    text = unique("无回执")
    batch = api("rep1", "POST", "/sms", {"recipients": ["13600001111"], "text": text}).json["batch_id"]
    assert relay_now()["sent"] == 1
    assert kannel_up.smsc.wait_for(lambda m: text in m.text)
    assert _statuses(api, batch) == ["sent"]


def test_kannel_refusing_a_number_fails_that_message_only(kannel_up, app, api, relay_now, unique):
    """Kannel's own refusal of a number (400, its black list) is final for that message,
    with Kannel's words as the reason; the rest of the batch goes out."""
    text = unique("黑名单")
    batch = api("rep1", "POST", "/sms", {"recipients": ["13911112222", "13600001111"], "text": text}).json["batch_id"]
    assert relay_now() == {"sent": 1, "retry": 0, "failed": 1}
    refused, sent = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert refused["status"] == "failed" and refused["error"].startswith("kannel 400: Number(s) has/have been denied")
    assert refused["reason"] == refused["error"]
    assert sent["status"] == "sent"
    assert [m.receiver for m in kannel_up.smsc.wait_for(lambda m: text in m.text)] == ["13600001111"]


def test_a_wrong_kannel_password_is_retried_until_fixed(kannel_up, app, api, relay_now, unique):
    text = unique("拒收")
    app.config["SCM_SMS_KANNEL_PASSWORD"] = "wrong"
    batch = api("rep1", "POST", "/sms", {"recipients": ["13600001111"], "text": text}).json["batch_id"]
    counts = relay_now()
    assert counts == {"sent": 0, "retry": 1, "failed": 0}           # a configuration error is retried
    message = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
    assert message["status"] == "queued" and message["error"].startswith("kannel 403")
    app.config["SCM_SMS_KANNEL_PASSWORD"] = kannel_up.password
    assert relay_now(due=True)["sent"] == 1
    assert kannel_up.smsc.wait_for(lambda m: text in m.text)
