"""Function 9 and the SMS layer on every engine: queue_sms, the API, the pages, scope, the
outbox sender (log gateway) and delivery reports."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from scm_plugin import sms
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.errors import InvalidInput
from scm_plugin.sms import gateways



# --- queue_sms: the interface the alert job uses ---------------------------------------------
def test_queue_sms_writes_batch_messages_and_outbox_in_the_callers_transaction(app, db, users, contact):
    lihong = contact("李红")
    with app.app_context(), db.transaction() as tx:
        result = sms.queue_sms(tx, recipients=["+86 138 0013 8000", "0755-12345678", "13800138000", "abc",
                                               "55667788", f"contact:{lihong}", "contact:999999"],
                               text="订单 SO1 已发货", created_by=users["rep1"], source="alarm",
                               customer_code="C001", ref_type="alarm", ref_id=42)
    got = [(m["input"], m["number"], m["kind"], m["status"], m["error"]) for m in result["messages"]]
    assert got == [
        ("+86 138 0013 8000", "13800138000", "mobile", "queued", None),
        ("0755-12345678", "106075512345678", "phs", "queued", None),
        # "13800138000" is the first number again: merged; so is 李红's mobile (13800138000)
        ("abc", None, None, "invalid", "phone_invalid"),
        ("55667788", None, None, "invalid", "area_code_missing"),
        ("contact:999999", None, None, "invalid", "contact_unknown"),
    ]
    batch = db.one_sql("SELECT text, source, customer_code, ref_type, ref_id, created_by FROM scm_sms_batch WHERE id = ?",
                       result["batch_id"])
    assert batch == {"text": "订单 SO1 已发货", "source": "alarm", "customer_code": "C001", "ref_type": "alarm",
                     "ref_id": 42, "created_by": users["rep1"]}
    messages = db.all_sql("SELECT id, status, customer_code, dlr_secret, outbox_id FROM scm_sms_message "
                          "WHERE batch_id = ? ORDER BY id", result["batch_id"])
    assert [m["status"] for m in messages] == ["queued", "queued", "invalid", "invalid", "invalid"]
    assert messages[0]["customer_code"] == "C001"          # typed numbers belong to the batch's customer
    assert all(len(m["dlr_secret"]) >= 32 for m in messages[:2]) and not messages[2]["dlr_secret"]
    outbox = db.all_sql("SELECT id, channel, recipient, body, ref_type, ref_id FROM scm_outbox ORDER BY id")
    assert [(o["channel"], o["recipient"], o["body"]) for o in outbox] == [
        ("sms", "13800138000", "订单 SO1 已发货"), ("sms", "106075512345678", "订单 SO1 已发货")]
    assert [o["id"] for o in outbox] == [m["outbox_id"] for m in messages[:2]]


def test_queue_sms_rolls_back_with_the_caller(app, db, users):
    with pytest.raises(RuntimeError), app.app_context(), db.transaction() as tx:
        sms.queue_sms(tx, recipients=["13800138000"], text="告警", created_by=None, source="alarm")
        raise RuntimeError("the alarm insert failed")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox") == 0


def test_queue_sms_refuses_bad_text_and_no_recipients(app, db):
    with app.app_context(), db.transaction() as tx:
        for text, code in (("货" * 71, "text_too_long"), ("", "text_empty")):
            with pytest.raises(InvalidInput) as exc:
                sms.queue_sms(tx, recipients=["13800138000"], text=text, created_by=None)
            assert exc.value.fields == {"text": code}
        with pytest.raises(InvalidInput) as exc:
            sms.queue_sms(tx, recipients=[" ", ""], text="货" * 71, created_by=None)
        assert exc.value.fields == {"text": "text_too_long", "recipients": "recipients_required"}
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0


@pytest.mark.parametrize("app_config", [{"SCM_SMS_SIGNATURE": "华光光盘", "SCM_SMS_PHS_PREFIX": ""}])
def test_signature_and_phs_switched_off(app, db):
    with app.app_context(), db.transaction() as tx:
        with pytest.raises(InvalidInput) as exc:
            sms.queue_sms(tx, recipients=["13800138000"], text="货" * 65, created_by=None)
        assert exc.value.fields == {"text": "text_too_long"}
        with pytest.raises(InvalidInput) as exc:
            sms.queue_sms(tx, recipients=["13800138000"], text="【通知】发货", created_by=None)
        assert exc.value.fields == {"text": "text_brackets"}
        result = sms.queue_sms(tx, recipients=["13800138000", "0755-12345678"], text="货" * 64, created_by=None)
    assert [(m["status"], m["error"]) for m in result["messages"]] == [("queued", None), ("invalid", "phs_disabled")]
    assert db.scalar_sql("SELECT body FROM scm_outbox") == "【华光光盘】" + "货" * 64


def test_a_contact_uses_the_mobile_or_else_the_phone(app, db, contact):
    front_desk = contact("小灵通前台")     # C003, phone 021-55667788 only
    zhao = contact("赵敏")                 # C003, mobile 0086-137-0021-3344
    with app.app_context(), db.transaction() as tx:
        result = sms.queue_sms(tx, recipients=[f"contact:{front_desk}", f"contact:{zhao}"], text="您好",
                               created_by=None)
    assert [(m["number"], m["kind"], m["customer_code"], m["contact_name"]) for m in result["messages"]] == [
        ("10602155667788", "phs", "C003", "小灵通前台"), ("13700213344", "mobile", "C003", "赵敏")]


# --- the API --------------------------------------------------------------------------------------
def test_api_send_and_follow(app, db, api, contact, relay_now):
    lihong, wang = contact("李红"), contact("王强")
    resp = api("rep1", "POST", "/sms", {"recipients": [f"contact:{lihong}", f"contact:{wang}", "0755-12345678",
                                                       "+86 139 2233 4455", "garbage"],
                                        "text": "您好，订单已发货"})
    assert resp.status_code == 202, resp.json
    body = resp.json
    assert [(m["input"], m["number"], m["kind"], m["status"]) for m in body["messages"]] == [
        (f"contact:{lihong}", "13800138000", "mobile", "queued"),
        (f"contact:{wang}", "13922334455", "mobile", "queued"),
        ("0755-12345678", "106075512345678", "phs", "queued"),
        ("garbage", None, None, "invalid")]                 # 王强's number typed again: merged
    assert body["messages"][3]["error"] == "phone_invalid" and body["messages"][3]["reason"]
    status = api("rep1", "GET", f"/sms/{body['batch_id']}").json
    assert status["counts"] == {"queued": 3, "sent": 0, "delivered": 0, "failed": 0, "invalid": 1}
    assert status["finished"] is False
    assert relay_now()["sent"] == 3
    status = api("rep1", "GET", f"/sms/{body['batch_id']}").json
    assert [m["status"] for m in status["messages"]] == ["sent", "sent", "sent", "invalid"]
    assert all(m["sent_at"].endswith("Z") for m in status["messages"][:3])
    listing = api("rep1", "GET", "/sms").json
    assert listing["total"] == 1 and listing["items"][0]["counts"]["sent"] == 3


def test_api_errors(app, db, api):
    resp = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "货" * 71})
    assert resp.status_code == 400 and resp.json["error"] == "text_too_long"
    assert "70" in resp.json["message"] and "text" in resp.json["fields"]
    resp = api("rep1", "POST", "/sms", {"recipients": ["abc", "55667788"], "text": "您好"})
    assert resp.status_code == 400 and resp.json["error"] == "no_valid_recipients"
    resp = api("rep1", "POST", "/sms", {"recipients": [], "text": "您好"})
    assert resp.status_code == 400 and resp.json["error"] == "recipients_required"
    resp = api("rep1", "POST", "/sms", {"recipients": "13800138000", "text": "您好"})
    assert resp.status_code == 400 and resp.json["error"] == "invalid_input"
    resp = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "您好\x00"})
    assert resp.status_code == 400 and resp.json["error"] == "text_unsendable"
    assert api("cust1", "POST", "/sms", {"recipients": ["13800138000"], "text": "您好"}).status_code == 403
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0
    assert api("rep1", "GET", "/sms/987654").status_code == 404
    assert api("rep1", "GET", f"/sms/{2**64}").status_code == 404
    assert app.test_client().get(f"/scm/sms/dlr/{2**64}/x?type=1").status_code == 404


def test_api_hostile_recipients_are_reported_not_stored_raw(app, db, api):
    resp = api("rep1", "POST", "/sms", {"recipients": ["138\x000013\x07", "contact:１２", "contact:1e3",
                                                       "contact:" + "9" * 40, "13800138000"], "text": "您好"})
    assert resp.status_code == 202, resp.json
    assert [(m["input"], m["status"], m["error"]) for m in resp.json["messages"]] == [
        ("138?0013?", "invalid", "phone_invalid"), ("contact:１２", "invalid", "contact_unknown"),
        ("contact:1e3", "invalid", "contact_unknown"), ("contact:" + "9" * 40, "invalid", "contact_unknown"),
        ("13800138000", "queued", None)]


# --- scope ------------------------------------------------------------------------------------------
def test_a_rep_cannot_send_to_or_see_other_customers_contacts_and_batches(app, db, api, login, contact):
    zhao = contact("赵敏")              # C003: granted to rep2, not to rep1
    lihong = contact("李红")            # C001: rep1's
    # rep1 names a C003 contact: reported exactly like a contact that does not exist
    resp = api("rep1", "POST", "/sms", {"recipients": [f"contact:{zhao}", f"contact:{lihong}"], "text": "您好"})
    assert resp.status_code == 202
    foreign, own = resp.json["messages"]
    assert foreign == {"input": f"contact:{zhao}", "number": None, "kind": None, "status": "invalid",
                       "error": "contact_unknown", "reason": foreign["reason"], "customer_code": None,
                       "contact_id": None, "contact_name": None}
    assert own["status"] == "queued"
    rep1_batch = resp.json["batch_id"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox WHERE recipient = ?", "13700213344") == 0

    # rep2's batch to C003 is invisible to rep1, in the API and on the pages, and in lists
    c3 = api("rep2", "POST", "/sms", {"recipients": [f"contact:{zhao}"], "text": "东方音像您好"}).json["batch_id"]
    assert api("rep1", "GET", f"/sms/{c3}").status_code == 404
    assert api("rep2", "GET", f"/sms/{c3}").status_code == 200
    assert api("rep2", "GET", f"/sms/{rep1_batch}").status_code == 404
    assert api("admin", "GET", f"/sms/{c3}").status_code == 200          # "*"
    assert [i["batch_id"] for i in api("rep1", "GET", "/sms").json["items"]] == [rep1_batch]
    rep1 = login("rep1")
    assert rep1.get(f"/scm/sms/batches/{c3}").status_code == 404
    assert rep1.get(f"/scm/sms/batches/{c3}/export.xlsx").status_code == 404
    assert rep1.get(f"/scm/sms/batches/{c3}?partial=1").status_code == 404
    page = rep1.get("/scm/sms/batches").get_data(as_text=True)
    assert f'data-batch="{rep1_batch}"' in page and f'data-batch="{c3}"' not in page
    # the compose page lists only the rep's customers' contacts
    compose = rep1.get("/scm/sms/").get_data(as_text=True)
    assert "李红" in compose and "陈静" in compose and "赵敏" not in compose and "小灵通前台" not in compose
    searched = rep1.get("/scm/sms/?q=赵敏").get_data(as_text=True)
    assert 'id="no-contacts"' in searched and f'name="contact" value="{zhao}"' not in searched
    assert 'name="contact" value="' in rep1.get("/scm/sms/?q=李").get_data(as_text=True)


def test_a_batch_with_one_foreign_customer_is_hidden_and_typed_numbers_are_the_authors(app, db, api, login, contact):
    zhao, lihong = contact("赵敏"), contact("李红")
    both = api("admin", "POST", "/sms", {"recipients": [f"contact:{zhao}", f"contact:{lihong}"],
                                         "text": "您好"}).json["batch_id"]
    typed = api("rep2", "POST", "/sms", {"recipients": ["13800138000"], "text": "您好"}).json["batch_id"]
    assert api("rep1", "GET", f"/sms/{both}").status_code == 404       # C003 in it
    assert api("rep2", "GET", f"/sms/{both}").status_code == 404       # C001 in it
    assert api("rep2", "GET", f"/sms/{typed}").status_code == 200
    assert api("rep1", "GET", f"/sms/{typed}").status_code == 404
    nobody = api("rep_nogrant", "POST", "/sms", {"recipients": [f"contact:{lihong}", "13600001111"],
                                                 "text": "您好"})
    assert [m["status"] for m in nobody.json["messages"]] == ["invalid", "queued"]
    assert [i["batch_id"] for i in api("rep_nogrant", "GET", "/sms").json["items"]] == [nobody.json["batch_id"]]
    assert "李红" not in login("rep_nogrant").get("/scm/sms/").get_data(as_text=True)


# --- the pages ----------------------------------------------------------------------------------------
def test_compose_preview_send_and_the_batch_page(app, db, login, contact, relay_now):
    rep1 = login("rep1")
    page = rep1.get("/scm/sms/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-max="70"' in html and 'id="sms-counter"' in html and "scm-sms.js" in html
    lihong, chen = contact("李红"), contact("陈静")
    assert f'value="{lihong}"' in html and "106075526881234" not in html   # 李红's mobile is used
    data = {"text": "您好，样品已寄出", "numbers": "0755-12345678\n55667788", "contact": [str(lihong), str(chen)]}
    preview = rep1.form("/scm/sms/", dict(data, action="preview")).get_data(as_text=True)
    assert "106075512345678" in preview and "13800138000" in preview and "13600001111" in preview
    assert "preview-table" in preview and db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0
    partial = rep1.form("/scm/sms/preview", {"numbers": "+86 139 2233 4455", "contact": [str(lihong)]})
    assert partial.status_code == 200 and "13922334455" in partial.get_data(as_text=True)
    assert "<html" not in partial.get_data(as_text=True)

    resp = rep1.form("/scm/sms/", dict(data, action="send"))
    assert resp.status_code == 303
    batch_url = resp.headers["Location"]
    batch_id = int(re.search(r"/batches/(\d+)", batch_url).group(1))
    html = rep1.get(batch_url).get_data(as_text=True)
    assert html.count('data-status="queued"') == 3 and html.count('data-status="invalid"') == 1
    assert 'data-finished="0"' in html and "batch-status" in html
    relay_now()
    partial = rep1.get(f"/scm/sms/batches/{batch_id}?partial=1").get_data(as_text=True)
    assert partial.count('data-status="sent"') == 3 and "<html" not in partial
    listing = rep1.get("/scm/sms/batches").get_data(as_text=True)
    assert f'data-batch="{batch_id}"' in listing
    xlsx = rep1.get(f"/scm/sms/batches/{batch_id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert db.one_sql("SELECT action, object_id FROM scm_audit WHERE action = 'sms.send'") == \
        {"action": "sms.send", "object_id": str(batch_id)}


def test_compose_refuses_71_characters_and_keeps_the_input(app, db, login):
    rep1 = login("rep1")
    resp = rep1.form("/scm/sms/", {"text": "货" * 71, "numbers": "13800138000", "action": "send"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "货" * 71 in html and "13800138000" in html and 'id="form-errors"' in html
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_batch") == 0
    resp = rep1.form("/scm/sms/", {"text": "您好", "numbers": "", "action": "send"})
    assert resp.status_code == 400
    assert login("cust1").get("/scm/sms/").status_code == 403


# --- sending through the outbox ---------------------------------------------------------------------------
def test_log_gateway_marks_sent_and_a_reclaimed_row_is_not_sent_twice(app, db, api, relay_now):
    gateways.RECORDED.clear()
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "一次"}).json["batch_id"]
    assert relay_now() == {"sent": 1, "retry": 0, "failed": 0}
    assert [m.number for m in gateways.RECORDED] == ["13800138000"]
    # A relay that crashed after the gateway took it left the outbox row "sending":
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET status = 'sending', claimed_by = 'dead:1', claimed_at = ?",
                       utcnow() - dt.timedelta(hours=1))
    assert relay_now()["sent"] == 1                 # reclaimed, and closed without sending
    assert len(gateways.RECORDED) == 1
    assert api("rep1", "GET", f"/sms/{batch}").json["messages"][0]["status"] == "sent"


def test_gateway_failures_retry_then_fail_with_the_reason(app, db, api, monkeypatch, login, relay_now):
    from scm_plugin.outbox import PermanentFailure, TemporaryFailure

    answers = []

    class Flaky:
        name = "flaky"

        def send(self, msg):
            outcome = answers.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    monkeypatch.setattr("scm_plugin.sms.sender.gateway", lambda app: Flaky())
    app.config["SCM_OUTBOX_MAX_ATTEMPTS"] = 2
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000", "13600001111"],
                                         "text": "重试"}).json["batch_id"]
    answers[:] = [TemporaryFailure("kannel unreachable (ConnectionRefusedError)"), PermanentFailure("kannel 400: denied")]
    assert relay_now() == {"sent": 0, "retry": 1, "failed": 1}
    first, second = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert first["status"] == "queued" and "unreachable" in first["error"]
    assert second["status"] == "failed" and second["error"] == "kannel 400: denied"
    answers[:] = [TemporaryFailure("kannel unreachable (ConnectionRefusedError)")]
    assert relay_now(due=True) == {"sent": 0, "retry": 0, "failed": 1}        # gave up after 2 attempts
    first = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
    assert first["status"] == "failed" and "gave up" in first["error"]
    assert api("rep1", "GET", f"/sms/{batch}").json["finished"] is True
    # an admin retries the failed outbox row: it goes out once the gateway is back
    row = db.scalar_sql("SELECT id FROM scm_outbox WHERE recipient = ?", "13800138000")
    admin = login("admin")
    assert admin.form(f"/scm/admin/outbox/{row}/retry").status_code == 302
    answers[:] = ["ref-1"]
    assert relay_now()["sent"] == 1
    assert api("rep1", "GET", f"/sms/{batch}").json["messages"][0]["status"] == "sent"


@pytest.mark.parametrize("app_config", [{"SCM_SMS_BACKEND": "kannel"}])
def test_a_gateway_without_its_settings_retries_instead_of_losing_messages(app, db, api, relay_now):
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "配置"}).json["batch_id"]
    assert relay_now() == {"sent": 0, "retry": 1, "failed": 0}
    message = api("rep1", "GET", f"/sms/{batch}").json["messages"][0]
    assert message["status"] == "queued" and "SCM_SMS_KANNEL_URL" in message["error"]


# --- delivery reports -------------------------------------------------------------------------------------------
def test_delivery_report_route_needs_the_messages_secret(app, db, api, relay_now):
    batch = api("rep1", "POST", "/sms", {"recipients": ["13800138000", "13600001111"], "text": "回执"}).json["batch_id"]
    relay_now()
    first, second = db.all_sql("SELECT id, dlr_secret FROM scm_sms_message WHERE batch_id = ? ORDER BY id", batch)
    client = app.test_client()
    for url in (f"/scm/sms/dlr/{first['id']}/{second['dlr_secret']}?type=1",      # another message's secret
                f"/scm/sms/dlr/{first['id']}/guess?type=1", f"/scm/sms/dlr/987654/{first['dlr_secret']}?type=1"):
        resp = client.get(url)
        assert resp.status_code == 404 and resp.data == b"", url
    assert db.scalar_sql("SELECT status FROM scm_sms_message WHERE id = ?", first["id"]) == "sent"
    # no session, no CSRF token: the gateway's POST works too
    ok = client.post(f"/scm/sms/dlr/{first['id']}/{first['dlr_secret']}", data={"type": "1", "reason": ""})
    assert ok.status_code == 200 and ok.data == b"OK"
    assert client.get(f"/scm/sms/dlr/{second['id']}/{second['dlr_secret']}?type=16&reason=blacklisted").status_code == 200
    # a late "accepted" report does not step back from delivered
    client.get(f"/scm/sms/dlr/{first['id']}/{first['dlr_secret']}?type=8&reason=ACK")
    messages = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert [(m["status"], m["error"]) for m in messages] == [("delivered", None), ("failed", "DLR 16: blacklisted")]
    assert messages[0]["delivered_at"]


@pytest.mark.parametrize("app_config", [{"SCM_SMS_DLR_URL_BASE": "http://scm.intranet:8000/scm"}])
def test_dlr_url_carries_the_message_and_its_secret(app, db, api):
    from scm_plugin.sms.sender import dlr_url

    api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "地址"})
    message = db.one_sql("SELECT id, dlr_secret FROM scm_sms_message")
    assert dlr_url(app, message) == (f"http://scm.intranet:8000/scm/sms/dlr/{message['id']}/{message['dlr_secret']}"
                                     "?type=%d&reason=%A")
    app.extensions["scm"].modules = tuple(m for m in app.extensions["scm"].modules if m != "sms")
    assert dlr_url(app, message) is None          # function 9 (the report route) switched off


@pytest.mark.parametrize("app_config", [{"SCM_ENABLED_MODULES": ("order_review", "portal", "admin", "api")}])
def test_the_sms_layer_works_with_function_9_switched_off(app, db, api, login, relay_now):
    """The alert job sends through the core layer whatever modules are enabled; the pages
    and the API of function 9 are gone with it."""
    with app.app_context(), db.transaction() as tx:
        result = sms.queue_sms(tx, recipients=["13800138000"], text="告警", created_by=None, source="alarm")
    assert relay_now()["sent"] == 1
    assert db.scalar_sql("SELECT status FROM scm_sms_message WHERE batch_id = ?", result["batch_id"]) == "sent"
    assert api("rep1", "POST", "/sms", {"recipients": ["13800138000"], "text": "您好"}).status_code == 404
    rep1 = login("rep1")
    assert rep1.get("/scm/sms/").status_code == 404
    assert "/scm/sms/" not in rep1.get("/scm/").get_data(as_text=True)
