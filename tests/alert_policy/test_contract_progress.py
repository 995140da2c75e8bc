"""An ERP that files production progress under the review form's contract number, in a
table without a key of its own, and keeps the customer's contact on the customer card
(tests/fixtures/card_erp.py): the checker, the policy page and the API follow the
contract number as the ERP holds it at each check (the plugin's contract-number sync job
never runs here), wait for it rather than calling a checkpoint missed, and alarms reach
contacts whose ids are customer codes."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from alert_policy.helpers import Kit, utcnow
from fixtures import web as web_fixtures
from scm_plugin.messages import message


@pytest.fixture
def db(card_db):
    """Every fixture of this module (users, tokens, the kit) runs on the card ERP."""
    return card_db


@pytest.fixture
def app(db, tmp_path, app_config):
    app = web_fixtures.make_app(db.test_dsn, tmp_path, SCM_ERP_MAPPING=db.test_mapping_path, **app_config)
    app.test_client_class = web_fixtures.Client
    yield app
    app.extensions["scm"].db.dispose()


@pytest.fixture
def kit(app, db, users):
    return Kit(app, db)


def number_form(db, form_no: str, contract_no: str | None) -> None:
    """What the ERP's approval flow does: give the review form its contract number."""
    with db.transaction() as tx:
        changed = tx.execute_sql("UPDATE {contract_review} SET {contract_review.contract_no} = ? "
                                 "WHERE {contract_review.form_no} = ?", contract_no, form_no)
    assert changed == 1


def synced_contract_no(db, order_no: str):
    """The plugin's own copy (what the sync job would fill): it stays empty in this module."""
    return db.scalar_sql("SELECT contract_no FROM scm_order WHERE order_no = ?", order_no)


def policy(kit, order_no: str) -> dict:
    resp = kit.api("GET", f"/orders/{order_no}/alert-policy")
    assert resp.status_code == 200, resp.json
    return resp.json


def test_the_mapping_is_the_one_under_test(app, db):
    mapping = app.extensions["scm"].db.mapping
    assert mapping.entities["progress"].order_ref_is == "contract_no"
    assert mapping.column("progress", "id") is None
    assert mapping.table("customer_contact") == mapping.table("customer")


def test_progress_reported_against_the_contract_number_counts(kit, db, login):
    order = kit.approved_order()
    number_form(db, order["erp_form_no"], "HT-2026-7001")
    t = utcnow() + dt.timedelta(hours=2)
    assert kit.set_policy(order["order_no"], [(t, "REP", 7000)]).status_code == 200
    kit.report("HT-2026-7001", "REP", 4000, t - dt.timedelta(hours=1))
    kit.report("HT-2026-7001", "REP", 3200, t - dt.timedelta(minutes=10))
    kit.report("HT-2026-7001", "REP", 5000, t + dt.timedelta(minutes=1))     # after T: does not count
    result = kit.check(t + dt.timedelta(minutes=5))
    assert (result.met, result.alarms, result.warnings, result.waiting) == (1, [], [], 0)
    assert kit.alarms(order["order_no"]) == [] and kit.sms_count() == 0
    state = policy(kit, order["order_no"])
    assert [(c["state"], c["reached"], c["awaiting_contract_no"]) for c in state["checkpoints"]] == \
        [("met", "7200", False)]
    assert (state["progress_by"], state["progress_ref"]) == ("contract_no", "HT-2026-7001")
    assert synced_contract_no(db, order["order_no"]) is None      # no sync job was needed
    # The page: the ERP's number, the progress per step and the latest records (no key:
    # newest first by report time).
    page = login("rep1").get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert "HT-2026-7001" in page.split('id="contract-no"')[1].split("</dd>")[0]
    steps = page.split('id="progress-steps"')[1].split("</table>")[0]
    assert "12,200" in steps.split('data-step="REP"')[1].split("</tr>")[0]
    records = page.split('id="progress-records"')[1].split("</table>")[0]
    assert [q for q in ("5,000", "3,200", "4,000") if q in records] == ["5,000", "3,200", "4,000"]
    assert records.index("5,000") < records.index("3,200") < records.index("4,000")


def test_progress_against_the_form_number_does_not_count(kit, db):
    order = kit.approved_order()
    number_form(db, order["erp_form_no"], "HT-2026-7002")
    t = utcnow() + dt.timedelta(hours=1)
    assert kit.set_policy(order["order_no"], [(t, "REP", 7000)]).status_code == 200
    kit.report(order["erp_form_no"], "REP", 7200, t - dt.timedelta(minutes=30))   # the wrong number
    result = kit.check(t + dt.timedelta(minutes=1))
    assert result.met == 0 and len(result.alarms) == 1 and result.alarms[0]["reached"] == 0
    # The alarm's SMS names the contract number as the ERP holds it.
    sms = kit.sms_of_alarm(result.alarms[0]["id"])
    assert len(sms) == 1 and "HT-2026-7002" in sms[0]["body"]
    assert policy(kit, order["order_no"])["checkpoints"][0]["reached"] == "0"


def test_a_contract_number_the_erp_sets_after_approval_is_picked_up_at_the_next_check(kit, db, login):
    order = kit.approved_order()
    t1 = utcnow() + dt.timedelta(hours=1)
    t2 = t1 + dt.timedelta(hours=2)
    assert kit.set_policy(order["order_no"], [(t1, "REP", 7000), (t2, "PCK", 7000)]).status_code == 200
    kit.report(order["erp_form_no"], "REP", 7200, t1 - dt.timedelta(minutes=30))  # not its number
    # T1 has passed and the second window is well past its middle, but the ERP has not
    # numbered the form: no "0 of 7000" alarm, no warning, nothing sent.
    waiting = kit.check(t1 + dt.timedelta(minutes=90))
    assert (waiting.met, waiting.alarms, waiting.warnings, waiting.waiting) == (0, [], [], 2)
    assert kit.alarms() == [] and kit.sms_count() == 0
    state = policy(kit, order["order_no"])
    assert [(c["state"], c["awaiting_contract_no"]) for c in state["checkpoints"]] == \
        [("pending", True), ("pending", True)]
    assert state["progress_ref"] is None and state["locked"] is False
    page = login("rep1").get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="awaiting-contract-no"' in page and 'data-awaiting="contract_no"' in page
    assert 'id="no-progress"' in page
    # The ERP numbers the form; the workshop's reports name the contract number.
    number_form(db, order["erp_form_no"], "HT-2026-7003")
    kit.report("HT-2026-7003", "REP", 7200, t1 - dt.timedelta(minutes=10))
    result = kit.check(t2 + dt.timedelta(minutes=1))
    assert result.waiting == 0 and result.met == 1
    assert [(a["process_code"], a["reached"]) for a in result.alarms] == [("PCK", 0)]   # a true alarm
    state = policy(kit, order["order_no"])
    assert [(c["state"], c["reached"], c["awaiting_contract_no"]) for c in state["checkpoints"]] == \
        [("met", "7200", False), ("missed", "0", False)]
    assert state["progress_ref"] == "HT-2026-7003"
    assert synced_contract_no(db, order["order_no"]) is None


def test_an_empty_contract_number_is_no_contract_number(kit, db):
    order = kit.approved_order()
    number_form(db, order["erp_form_no"], "")
    kit.report("", "REP", 9000, utcnow())
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "REP", 7000)])
    result = kit.check(t + dt.timedelta(minutes=1))
    assert (result.met, result.alarms, result.waiting) == (0, [], 1)


def test_sample_orders_follow_the_sample_forms_contract_number(kit, db):
    order = kit.approved_order(kind="sample", lines=[{"inventory_code": "1001003", "quantity": "50"}])
    with db.transaction() as tx:
        tx.execute_sql("UPDATE {sample_review} SET {sample_review.contract_no} = ? WHERE {sample_review.form_no} = ?",
                       "YP-2026-0042", order["erp_form_no"])
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "REP", 50)])
    kit.report("YP-2026-0042", "REP", 50, t - dt.timedelta(minutes=5))
    result = kit.check(t + dt.timedelta(minutes=1))
    assert (result.met, result.alarms) == (1, [])


# --- contacts on the customer card: text ids as alarm recipients ---------------------------------
def test_an_alarm_reaches_a_contact_whose_id_is_the_customer_code(kit, db, login):
    order = kit.approved_order()                     # cust1: customer C001
    number_form(db, order["erp_form_no"], "HT-2026-7004")
    t = utcnow() + dt.timedelta(hours=1)
    # a contact of another customer, and one that does not exist, are refused
    with kit.app.test_request_context():
        unknown = message("alert_sms_contact_unknown")
    for wrong in ("contact:C003", "contact:C999", "contact:12"):
        resp = kit.set_policy(order["order_no"], [(t, "REP", 7000)], sms_to=[wrong])
        assert resp.status_code == 400 and resp.json["fields"] == {"sms_to.0": unknown}, (wrong, resp.json)
    resp = kit.set_policy(order["order_no"], [(t, "REP", 7000)], sms_to=["contact:C001", "13600001111"])
    assert resp.status_code == 200, resp.json
    assert resp.json["sms_to"] == ["contact:C001", "13600001111"]
    page = login("rep1").get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    recipients = page.split('id="sms-recipients"')[1].split("</p>")[0]
    assert "李红" in recipients and "13800138000" in recipients
    assert 'name="sms" value="contact:C001" checked' in page
    kit.report("HT-2026-7004", "REP", 6999, t - dt.timedelta(minutes=5))
    result = kit.check(t + dt.timedelta(minutes=1))
    assert len(result.alarms) == 1 and sorted(result.alarms[0]["numbers"]) == ["13600001111", "13800138000"]
    rows = db.all_sql("SELECT m.input, m.number, m.customer_code, m.contact_ref, m.contact_name, m.contact_id "
                      "FROM scm_sms_message m JOIN scm_sms_batch b ON b.id = m.batch_id "
                      "WHERE b.ref_type = 'alarm' AND b.ref_id = ? ORDER BY m.id", result.alarms[0]["id"])
    assert [(r["input"], r["number"], r["customer_code"], r["contact_ref"], r["contact_name"], r["contact_id"])
            for r in rows] == [("contact:C001", "13800138000", "C001", "C001", "李红", None),
                               ("13600001111", "13600001111", "C001", None, None, None)]
    history = json.loads(db.scalar_sql("SELECT detail FROM scm_audit WHERE action = 'alarm.raise'"))
    assert sorted(history["sms"]) == ["13600001111", "13800138000"]
    assert Decimal(kit.alarms(order["order_no"])[0]["reached_qty"]) == 6999


def test_the_editor_form_saves_a_text_contact_id(kit, db, login):
    order = kit.approved_order()
    rep = login("rep1")
    due = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    resp = rep.form(f"/scm/alerts/orders/{order['order_no']}", {
        "cp-0-due_at": due, "cp-0-process_step": "REP", "cp-0-quantity": "7000", "sms": ["contact:C001"]})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    assert policy(kit, order["order_no"])["sms_to"] == ["contact:C001"]
