"""The ``aliyun`` backend through Alibaba Cloud's official SDK against a local stand-in that
checks the ACS3-HMAC-SHA256 signature of every request (tests/sms/conftest.py)."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def app_config(aliyun):
    return dict(aliyun.app_config(), SCM_OUTBOX_BACKOFF_SECONDS=1)


def test_template_sign_name_and_parameters_reach_the_api_signed(aliyun, app, api, contact, relay_now):
    text = "您好，订单SO2611已发货 & 请查收 100% 😀"
    batch = api("rep1", "POST", "/sms", {"recipients": [f"contact:{contact('李红')}", "0755-12345678"],
                                         "text": text}).json["batch_id"]
    assert relay_now() == {"sent": 2, "retry": 0, "failed": 0}
    assert aliyun.rejected == []
    assert [(c["action"], c["version"], c["PhoneNumbers"], c["SignName"], c["TemplateCode"]) for c in aliyun.calls] == [
        ("SendSms", "2017-05-25", "13800138000", "华光光盘", "SMS_270155001"),
        ("SendSms", "2017-05-25", "106075512345678", "华光光盘", "SMS_270155001")]
    # the body goes in as the template's parameter; the provider adds the signature itself
    assert [json.loads(c["TemplateParam"]) for c in aliyun.calls] == [{"content": text}] * 2
    messages = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert [m["status"] for m in messages] == ["sent", "sent"]
    assert [c["OutId"] for c in aliyun.calls] == [str(m["id"]) for m in messages]


def test_a_bad_signature_is_refused_by_the_server_and_retried(aliyun, app, api, relay_now):
    app.config["SCM_SMS_ALIYUN_ACCESS_KEY_SECRET"] = "not-the-secret"
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "签名"}).json["batch_id"]
    assert relay_now() == {"sent": 0, "retry": 1, "failed": 0}
    assert aliyun.rejected == ["SignatureDoesNotMatch"] and aliyun.calls == []
    message = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
    assert message["status"] == "queued" and "SignatureDoesNotMatch" in message["error"]
    app.config["SCM_SMS_ALIYUN_ACCESS_KEY_SECRET"] = aliyun.SECRET
    assert relay_now(due=True) == {"sent": 1, "retry": 0, "failed": 0}


def test_provider_codes_final_or_retried(aliyun, app, api, relay_now):
    aliyun.answers[:] = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r1"}),
                         (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控", "RequestId": "r2"})]
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000", "13600001111"],
                                         "text": "流控"}).json["batch_id"]
    assert relay_now() == {"sent": 0, "retry": 1, "failed": 1}
    illegal, limited = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert illegal["status"] == "failed" and illegal["error"] == "aliyun isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"
    assert limited["status"] == "queued" and "BUSINESS_LIMIT_CONTROL" in limited["error"]
    assert relay_now(due=True) == {"sent": 1, "retry": 0, "failed": 0}


def test_the_provider_unreachable_is_retried(aliyun, app, api, relay_now):
    aliyun.stop()
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "断网"}).json["batch_id"]
    assert relay_now() == {"sent": 0, "retry": 1, "failed": 0}
    assert api("rep1", "GET", f"/sms/{batch}").json["messages"][0]["error"] == "gateway_unreachable"


def test_a_message_the_provider_took_without_answering_is_not_sent_twice(aliyun, app, api, relay_now):
    """The provider's receipts do not come back to the plugin: a request that went out and
    got no answer may have been delivered, so it is marked failed with that reason (an
    admin may retry it), never resent on a guess, even with a DLR URL configured."""
    app.config["SCM_SMS_TIMEOUT_SECONDS"] = 1
    app.config["SCM_SMS_DLR_URL_BASE"] = "http://127.0.0.1:9/scm"
    aliyun.hang_seconds = 2.5
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "已收未答"}).json["batch_id"]
    assert relay_now() == {"sent": 0, "retry": 0, "failed": 1}
    aliyun.hang_seconds = 0
    assert relay_now(due=True) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(aliyun.calls) == 1
    message = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
    assert message["status"] == "failed" and message["error"] == "gateway_no_answer_unconfirmed"
