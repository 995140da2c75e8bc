"""Contacts kept on the customer card (tests/fixtures/card_erp.py): the contact's id is the
customer's code, a text. The compose page offers them, the API takes ``contact:C001``,
the SMS goes out through a real Kannel and the message records the contact as text."""
from __future__ import annotations

import pytest

from fixtures import web as web_fixtures


@pytest.fixture
def db(card_db):
    """Every fixture of this module (users, tokens, the relay) runs on the card ERP."""
    return card_db


@pytest.fixture
def app_config(kannel):
    return dict(kannel.app_config(), SCM_SMS_SIGNATURE="华光光盘", SCM_OUTBOX_BACKOFF_SECONDS=1)


@pytest.fixture
def app(db, tmp_path, app_config):
    app = web_fixtures.make_app(db.test_dsn, tmp_path, SCM_ERP_MAPPING=db.test_mapping_path, **app_config)
    app.test_client_class = web_fixtures.Client
    yield app
    app.extensions["scm"].db.dispose()


@pytest.fixture
def reports_to(app, live_server):
    app.config["SCM_SMS_DLR_URL_BASE"] = f"{live_server}/scm"
    return live_server


def _messages(db, batch_id):
    return db.all_sql("SELECT input, number, customer_code, contact_ref, contact_id, contact_name, status "
                      "FROM scm_sms_message WHERE batch_id = ? ORDER BY id", batch_id)


def test_a_text_id_contact_reaches_kannel_and_is_recorded(kannel_up, reports_to, api, db, relay_now, wait,
                                                          unique):
    text = unique("您好，合同已排产")
    resp = api("rep1", "POST", "/sms", {"recipients": ["contact:C001", "contact:C002", "contact:C003",
                                                       "contact:C999", "contact:"], "text": text})
    assert resp.status_code == 202, resp.json
    batch = resp.json["batch_id"]
    # C003 is not rep1's customer: reported exactly like a contact that does not exist
    assert [(m["input"], m["status"], m["error"], m["contact_id"], m["customer_code"])
            for m in resp.json["messages"]] == [
        ("contact:C001", "queued", None, "C001", "C001"),
        ("contact:C002", "queued", None, "C002", "C002"),
        ("contact:C003", "invalid", "contact_unknown", None, None),
        ("contact:C999", "invalid", "contact_unknown", None, None),
        ("contact:", "invalid", "contact_unknown", None, None)]
    assert relay_now() == {"sent": 2, "retry": 0, "failed": 0}
    got = kannel_up.smsc.wait_for(lambda m: text in m.text, count=2)
    assert sorted((m.receiver, m.text) for m in got) == [
        ("13600001111", "【华光光盘】" + text), ("13800138000", "【华光光盘】" + text)]
    assert wait(lambda: [m["status"] for m in api("rep1", "GET", f"/sms/{batch}").json["messages"]][:2]
                == ["delivered", "delivered"], timeout=20)
    rows = _messages(db, batch)
    assert [(r["input"], r["number"], r["customer_code"], r["contact_ref"], r["contact_id"], r["contact_name"])
            for r in rows[:2]] == [("contact:C001", "13800138000", "C001", "C001", None, "李红"),
                                   ("contact:C002", "13600001111", "C002", "C002", None, "陈静")]
    assert [r["contact_ref"] for r in rows[2:]] == [None, None, None]
    follow = api("rep1", "GET", f"/sms/{batch}").json["messages"]
    assert [(m["contact_id"], m["contact_name"]) for m in follow[:2]] == [("C001", "李红"), ("C002", "陈静")]


def test_the_compose_page_lists_and_sends_to_card_contacts(kannel_up, app, db, login, relay_now, unique):
    rep = login("rep1")
    page = rep.get("/scm/sms/").get_data(as_text=True)
    assert 'name="contact" value="C001"' in page and 'name="contact" value="C002"' in page
    assert 'value="C003"' not in page                                   # not rep1's customer
    listed = login("admin").get("/scm/sms/").get_data(as_text=True)
    assert 'name="contact" value="C003"' in listed                     # phone only: still a contact
    assert 'value="C005"' not in listed                                 # a card without a contact on it
    text = unique("表单发送")
    resp = rep.form("/scm/sms/", {"text": text, "contact": ["C001", " C002 ", "C003"], "numbers": ""})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    batch = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    assert [(r["input"], r["contact_ref"], r["status"]) for r in _messages(db, batch)] == [
        ("contact:C001", "C001", "queued"), ("contact:C002", "C002", "queued"),
        ("contact:C003", None, "invalid")]
    assert relay_now()["sent"] == 2
    assert len(kannel_up.smsc.wait_for(lambda m: text in m.text, count=2)) == 2
    # a ticked contact stays ticked when the page is shown again (preview)
    preview = rep.form("/scm/sms/", {"text": text, "contact": ["C001"], "numbers": "", "action": "preview"})
    assert 'value="C001" data-customer="C001" checked' in preview.get_data(as_text=True)
