"""The policy editor and its rules, the lock while an alarm is open, cancelling, the
search, templates, scope, the API and the command line."""
from __future__ import annotations

import datetime as dt
import io
import re

from zoneinfo import ZoneInfo

import openpyxl

from alert_policy.helpers import iso, utcnow


def _local_input(utc: dt.datetime) -> str:
    """What a datetime-local field holds: SCM_TIMEZONE (Asia/Shanghai) wall time."""
    return (utc + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def _form(rows, sms=(), other=""):
    data = {"sms_other": other}
    for i, (due, step, qty) in enumerate(rows):
        data[f"cp-{i}-due_at"] = due
        data[f"cp-{i}-process_step"] = step
        data[f"cp-{i}-quantity"] = qty
    data["sms"] = list(sms)
    return data


# --- the editor ---------------------------------------------------------------------------------
def test_rep_sets_a_policy_on_the_page(kit, login, db):
    order = kit.approved_order()
    contact = db.scalar_sql("SELECT {customer_contact.id} AS id FROM {customer_contact} "
                            "WHERE {customer_contact.customer_code} = ? AND {customer_contact.name} = ?", "C001", "李红")
    rep = login("rep1")
    page = rep.get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="policy-editor"' in page and 'id="no-policy"' in page
    # the ERP's steps in route order
    assert re.findall(r'<option value="(\w+)"', page.split('id="checkpoint-rows"')[1])[:6] == \
        ["MST", "ELF", "REP", "PRT", "PCK", "WHI"]
    t1, t2 = utcnow() + dt.timedelta(days=3), utcnow() + dt.timedelta(days=6)
    resp = rep.form(f"/scm/alerts/orders/{order['order_no']}",
                    _form([(_local_input(t1), "REP", "15000"), (_local_input(t2), "PCK", "30000")],
                          sms=[f"contact:{contact}"], other="13912345678\n0755-12345678"))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    policy = kit.api("GET", f"/orders/{order['order_no']}/alert-policy").json
    assert [(c["process_step"], c["quantity"], c["state"]) for c in policy["checkpoints"]] == \
        [("REP", "15000", "pending"), ("PCK", "30000", "pending")]
    assert policy["checkpoints"][0]["due_at"] == iso(t1.replace(second=0)).replace("+00:00", "Z")
    assert policy["sms_to"] == [f"contact:{contact}", "13912345678", "0755-12345678"]
    assert policy["locked"] is False and policy["open_alarms"] == []
    page = rep.get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert 'data-state="pending"' in page and 'data-action="policy.save"' in page


def test_the_editor_explains_every_rule(kit, login, db):
    order = kit.approved_order()
    rep = login("rep1")
    now = utcnow()
    rows = [
        (_local_input(now + dt.timedelta(days=5)), "REP", "20000"),
        (_local_input(now + dt.timedelta(days=4)), "MST", "1"),       # step before the previous; earlier time; less
        (_local_input(now - dt.timedelta(hours=1)), "PCK", "30000"),  # in the past
        (_local_input(now + dt.timedelta(days=9)), "XXX", "30000"),    # no such step
    ]
    resp = rep.form(f"/scm/alerts/orders/{order['order_no']}", _form(rows, other="abc"))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert page.count('class="scm-field-error"') == 6
    assert "<code>abc</code>" in page
    # values that are not even numbers or times are reported first
    resp = rep.form(f"/scm/alerts/orders/{order['order_no']}",
                    _form([("", "PCK", "30000"), (_local_input(now + dt.timedelta(days=9)), "PCK", "0")]))
    assert resp.status_code == 400 and resp.get_data(as_text=True).count('class="scm-field-error"') == 2
    api = kit.api("PUT", f"/orders/{order['order_no']}/alert-policy", json={
        "checkpoints": [{"due_at": iso(now + dt.timedelta(days=5)), "process_step": "REP", "quantity": 20000},
                        {"due_at": iso(now + dt.timedelta(days=4)), "process_step": "MST", "quantity": 1},
                        {"due_at": iso(now - dt.timedelta(hours=1)), "process_step": "PCK", "quantity": 30000},
                        {"due_at": iso(now + dt.timedelta(days=9)), "process_step": "XXX", "quantity": 30000}],
        "sms_to": ["abc", "contact:999", "user:nobody", "user:rep2"]})
    assert api.status_code == 400
    fields = api.json["fields"]
    assert set(fields) == {"checkpoints.1.process_step", "checkpoints.1.due_at", "checkpoints.1.quantity",
                           "checkpoints.2.due_at", "checkpoints.3.process_step",
                           "sms_to.0", "sms_to.1", "sms_to.2", "sms_to.3"}, fields
    with kit.app.test_request_context():   # the API answered in the default language
        from scm_plugin.messages import message
        assert fields["checkpoints.1.process_step"] == message("cp_step_order")
        assert fields["checkpoints.2.due_at"] == message("cp_due_past")
        assert fields["sms_to.3"] == message("alert_sms_user_no_mobile")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_alert_policy") == 0



# --- SMS recipients: the SMS layer's phone rule ---------------------------------------------------
def test_a_number_the_sms_layer_refuses_is_refused_as_a_recipient(kit, db):
    """Numbers an alarm's SMS could not go to are refused when the policy is saved, for the
    SMS layer's reasons (what the SMS page says of them); "not a number" keeps its code."""
    from scm_plugin.messages import message
    from scm_plugin.sms.numbers import normalise

    order = kit.approved_order()
    refused = ["12345", "+1 212 555 0100", "87654321", "abc"]
    assert [normalise(n).error for n in refused] == ["phone_too_short", "phone_foreign", "area_code_missing",
                                                      "phone_invalid"]
    resp = kit.set_policy(order["order_no"], [(utcnow() + dt.timedelta(days=1), "REP", 1)], sms_to=refused)
    assert resp.status_code == 400
    fields = resp.json["fields"]
    assert set(fields) == {"sms_to.0", "sms_to.1", "sms_to.2", "sms_to.3"}, fields
    with kit.app.test_request_context():
        assert fields["sms_to.0"] == message("phone_too_short")
        assert fields["sms_to.1"] == message("phone_foreign")
        assert fields["sms_to.2"] == message("area_code_missing")
        assert fields["sms_to.3"] == message("alert_sms_number_invalid")
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_alert_policy") == 0


def test_numbers_the_sms_layer_accepts_are_accepted_and_get_the_alarm_sms(kit):
    """A PHS number with its area code, a mobile with +86 and spaces, full-width digits."""
    order = kit.approved_order()
    accepted = ["010-12345678", "+86 138 0013 8000", "１３９１２３４５６７８"]
    t = utcnow() + dt.timedelta(hours=1)
    resp = kit.set_policy(order["order_no"], [(t, "REP", 10)], sms_to=accepted)
    assert resp.status_code == 200, resp.json
    assert resp.json["sms_to"] == accepted
    result = kit.check(t + dt.timedelta(minutes=1))
    assert sorted(result.alarms[0]["numbers"]) == ["10601012345678", "13800138000", "13912345678"]


def test_a_phs_number_is_refused_while_the_sms_layer_cannot_send_to_it(kit):
    from scm_plugin.messages import message

    kit.app.config["SCM_SMS_PHS_PREFIX"] = ""
    order = kit.approved_order()
    resp = kit.set_policy(order["order_no"], [(utcnow() + dt.timedelta(days=1), "REP", 1)],
                          sms_to=["13800138000", "010-12345678"])
    assert resp.status_code == 400
    with kit.app.test_request_context():
        assert resp.json["fields"] == {"sms_to.1": message("phs_disabled")}


def test_only_approved_orders_get_a_policy(kit, login, make_order):
    pending = make_order("cust1")
    t = utcnow() + dt.timedelta(days=1)
    resp = kit.set_policy(pending["order_no"], [(t, "REP", 1)])
    assert resp.status_code == 409 and resp.json["error"] == "policy_order_not_approved"
    page = login("rep1").get(f"/scm/alerts/orders/{pending['order_no']}").get_data(as_text=True)
    assert 'id="not-approved"' in page and 'id="policy-form"' not in page


def test_unchanged_checkpoints_keep_their_state_when_the_policy_is_edited(kit):
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "MST", 1), (t + dt.timedelta(days=2), "REP", 100)])
    kit.report(order["erp_form_no"], "MST", 1, t - dt.timedelta(minutes=5))
    kit.check(t + dt.timedelta(minutes=1))
    before = kit.api("GET", f"/orders/{order['order_no']}/alert-policy").json["checkpoints"]
    assert [c["state"] for c in before] == ["met", "pending"]
    # the met checkpoint (now in the past) stays; the second one moves; a third is added
    resp = kit.set_policy(order["order_no"], [(t, "MST", 1), (t + dt.timedelta(days=3), "REP", 100),
                                              (t + dt.timedelta(days=4), "PCK", 100)])
    assert resp.status_code == 200, resp.json
    after = resp.json["checkpoints"]
    assert after[0]["id"] == before[0]["id"] and after[0]["state"] == "met"
    assert after[1]["id"] != before[1]["id"] and [c["seq"] for c in after] == [1, 2, 3]


# --- the lock ------------------------------------------------------------------------------------
def test_an_open_alarm_locks_the_policy_until_it_is_cancelled(kit, login, db):
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "REP", 100), (t + dt.timedelta(days=1), "PCK", 100)])
    alarm = kit.check(t + dt.timedelta(minutes=1)).alarms[0]
    later = [(t + dt.timedelta(days=2), "REP", 100)]
    # API: 409
    resp = kit.set_policy(order["order_no"], later)
    assert resp.status_code == 409 and resp.json["error"] == "policy_locked"
    # page: read-only, and a forged post is 409
    rep = login("rep1")
    page = rep.get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="policy-locked"' in page and 'id="policy-form"' not in page
    assert f'data-alarm="{alarm["id"]}"' in page
    resp = rep.form(f"/scm/alerts/orders/{order['order_no']}",
                    _form([(_local_input(t + dt.timedelta(days=2)), "REP", "100")]))
    assert resp.status_code == 409 and 'id="policy-locked"' in resp.get_data(as_text=True)
    # cancelling needs a note
    resp = kit.api("POST", f"/alarms/{alarm['id']}/cancel", json={"note": "  "})
    assert resp.status_code == 400 and "note" in resp.json["fields"]
    resp = rep.form(f"/scm/alerts/alarms/{alarm['id']}/cancel",
                    {"note": "客户同意延期 <b>", "next": f"/scm/alerts/orders/{order['order_no']}"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/scm/alerts/orders/{order['order_no']}")
    assert kit.api("POST", f"/alarms/{alarm['id']}/cancel", json={"note": "again"}).status_code == 409
    # unlocked: the edit goes through, and the missed checkpoint does not alarm again
    resp = kit.set_policy(order["order_no"], later)
    assert resp.status_code == 200 and resp.json["locked"] is False, resp.json
    assert kit.check(t + dt.timedelta(hours=5)).alarms == []
    actions = [r["action"] for r in db.all_sql("SELECT action FROM scm_audit WHERE object_type = 'alert_policy' "
                                               "AND object_id = ? ORDER BY id", order["order_no"])]
    assert actions == ["policy.save", "alarm.raise", "alarm.cancel", "policy.save"]
    note = db.scalar_sql("SELECT detail FROM scm_audit WHERE action = 'alarm.cancel' AND object_id = ?",
                         order["order_no"])
    assert "客户同意延期 <b>" in note
    page = rep.get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert "客户同意延期 &lt;b&gt;" in page and 'id="policy-locked"' not in page
    # the history tells each step in the reader's language, contacts and steps by name
    history = page[page.index('id="history"'):]
    assert f"报警 {alarm['id']} 已取消：客户同意延期 &lt;b&gt;" in history
    assert "个检查点（新增" in history and "已完成" in history and "json:" not in history
    assert rep.form("/scm/locale", {"locale": "en"}).status_code == 302
    history = rep.get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    history = history[history.index('id="history"'):]
    assert f"Alarm {alarm['id']} cancelled: 客户同意延期 &lt;b&gt;" in history and "checkpoints (" in history
    # the retired checkpoint keeps its alarm's history
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint WHERE retired_at IS NOT NULL") == 1


def test_an_edit_first_judges_what_is_due(kit):
    """A checkpoint that is due but not yet checked cannot be edited away: the save
    evaluates it first, raises its alarm and is refused."""
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(seconds=3)
    assert kit.set_policy(order["order_no"], [(t, "REP", 100)]).status_code == 200
    import time
    time.sleep(4)
    resp = kit.set_policy(order["order_no"], [(utcnow() + dt.timedelta(days=1), "REP", 100)])
    assert resp.status_code == 409 and resp.json["error"] == "policy_locked"
    assert len(kit.alarms(order["order_no"])) == 1 and kit.sms_count() == 1


# --- scope ---------------------------------------------------------------------------------------
def test_nothing_outside_the_reps_grants(kit, login):
    mine = kit.approved_order("cust1")
    other = kit.approved_order("cust3", approver="admin", lines=[{"inventory_code": "1002001", "quantity": 10}])
    t = utcnow() + dt.timedelta(hours=1)
    assert kit.set_policy(mine["order_no"], [(t, "REP", 10)]).status_code == 200
    assert kit.set_policy(other["order_no"], [(t, "REP", 10)], user="admin").status_code == 200
    alarms = {a["order_no"]: a["id"] for a in kit.check(t + dt.timedelta(minutes=1)).alarms}
    for user in ("rep1", "rep_nogrant"):
        client = login(user)
        assert client.get(f"/scm/alerts/orders/{other['order_no']}").status_code == 404
        assert client.form(f"/scm/alerts/orders/{other['order_no']}", {}).status_code == 404
        assert client.form(f"/scm/alerts/alarms/{alarms[other['order_no']]}/cancel", {"note": "x"}).status_code == 404
        assert kit.api("GET", f"/orders/{other['order_no']}/alert-policy", user).status_code == 404
        assert kit.set_policy(other["order_no"], [(t, "REP", 10)], user=user).status_code == 404
        assert kit.api("POST", f"/alarms/{alarms[other['order_no']]}/cancel", user,
                       json={"note": "x"}).status_code == 404
        listed = kit.api("GET", "/alarms", user).json
        assert other["order_no"] not in {a["order_no"] for a in listed["items"]}
        page = client.get("/scm/alerts/alarms?status=all").get_data(as_text=True)
        assert other["order_no"] not in page
        search = client.get(f"/scm/alerts/sales?order_no={other['order_no']}").get_data(as_text=True)
        assert f'data-order="{other["order_no"]}"' not in search and 'id="no-orders"' in search
        export = client.get("/scm/alerts/sales/export.xlsx")
        cells = {c.value for row in openpyxl.load_workbook(io.BytesIO(export.data)).active.iter_rows() for c in row}
        assert other["order_no"] not in cells
    assert mine["order_no"] in {a["order_no"] for a in kit.api("GET", "/alarms", "rep1").json["items"]}
    assert kit.api("GET", "/alarms", "rep_nogrant").json["total"] == 0
    assert login("cust1").get(f"/scm/alerts/orders/{mine['order_no']}").status_code == 403
    assert kit.api("GET", "/alarms", "cust1").status_code == 403


# --- the search ------------------------------------------------------------------------------------
def test_search_by_the_seed_criteria_with_policy_state(kit, login, db):
    a = kit.approved_order(lines=[{"customer_part_no": "HY-A002", "quantity": "500"}])
    b = kit.approved_order()
    c = kit.approved_order(kind="sample")
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_order SET contract_no = ? WHERE order_no = ?", "HT-2026-0777", b["order_no"])
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(a["order_no"], [(t, "REP", 1)])
    kit.set_policy(b["order_no"], [(t + dt.timedelta(days=1), "REP", 1)])
    kit.check(t + dt.timedelta(minutes=1))
    rep = login("rep1")

    def found(query, kind="sales"):
        html = rep.get(f"/scm/alerts/{kind}{query}").get_data(as_text=True)
        return dict(re.findall(r'data-order="([^"]+)" data-policy-state="(\w+)"', html))
    assert found("") == {a["order_no"]: "alarm", b["order_no"]: "active"}
    assert found("", "sample") == {c["order_no"]: "none"}
    assert list(found("?contract_no=HT-2026-0777")) == [b["order_no"]]
    assert list(found("?customer_part_no=HY-A002")) == [a["order_no"]]
    assert list(found("?inventory_code=1001002")) == [a["order_no"]]
    assert set(found("?inventory_code=1001001")) == {b["order_no"]}
    assert list(found(f"?order_no={a['order_no']}")) == [a["order_no"]]
    assert list(found("?policy=alarm")) == [a["order_no"]]
    assert list(found("?policy=active")) == [b["order_no"]]
    assert list(found("?policy=none", "sample")) == [c["order_no"]]
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()   # SCM_TIMEZONE
    assert len(found(f"?date_from={today}&date_to={today}")) == 2
    assert found(f"?date_from={today + dt.timedelta(days=1)}") == {}
    for hostile in ("?sort=password%3B--", "?order_no=%27%20OR%201%3D1%20--", "?date_from=yesterday",
                    "?policy=drop", "?status=deleted", "?customer=%27%20OR%20%271%27%3D%271"):
        assert rep.get(f"/scm/alerts/sales{hostile}").status_code == 200, hostile
    assert found("?order_no=%27%20OR%201%3D1%20--") == {}
    assert list(found("?sort=order_no&dir=asc")) == sorted(found(""))
    wb = openpyxl.load_workbook(io.BytesIO(rep.get("/scm/alerts/sales/export.xlsx?policy=alarm").data))
    assert [r[0].value for r in wb.active.iter_rows(min_row=2)] == [a["order_no"]]


# --- templates -------------------------------------------------------------------------------------
def test_admin_keeps_templates_that_prefill_the_editor(kit, login, db):
    admin = login("admin")
    resp = admin.form("/scm/alerts/templates", {"name": "CD 标准", "family": "CD",
                                               "t-0-step": "MST", "t-0-days_before": "10", "t-0-amount": "1",
                                               "t-1-step": "REP", "t-1-days_before": "5", "t-1-amount": "50%",
                                               "t-2-step": "PCK", "t-2-days_before": "1", "t-2-amount": "100%"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    bad = admin.form("/scm/alerts/templates", {"name": "", "t-0-step": "PCK", "t-0-days_before": "1",
                                              "t-0-amount": "x", "t-1-step": "MST", "t-1-days_before": "3",
                                              "t-1-amount": "1"})
    assert bad.status_code == 400 and bad.get_data(as_text=True).count('class="scm-field-error"') >= 4
    assert login("rep1").get("/scm/alerts/templates").status_code == 403
    order = kit.approved_order(lines=[{"inventory_code": "1001001", "quantity": "30000"},
                                      {"inventory_code": "3001001", "quantity": "30000"}])
    requested = dt.date.fromisoformat(order["requested_date"])
    page = login("rep1").get(f"/scm/alerts/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="prefilled"' in page
    values = re.findall(r'name="cp-(\d)-(due_at|quantity)" value="([^"]*)"', page)
    got = {(i, f): v for i, f, v in values}
    assert got[("0", "due_at")] == f"{requested - dt.timedelta(days=10)}T18:00"
    assert got[("1", "due_at")] == f"{requested - dt.timedelta(days=5)}T18:00"
    assert (got[("0", "quantity")], got[("1", "quantity")], got[("2", "quantity")]) == ("1", "15000", "30000")
    template_id = db.scalar_sql("SELECT id FROM scm_checkpoint_template WHERE name = ?", "CD 标准")
    # a DVD order is not offered the CD template
    dvd = kit.approved_order(lines=[{"inventory_code": "1002001", "quantity": "100"}])
    assert 'id="template-picker"' not in login("rep1").get(f"/scm/alerts/orders/{dvd['order_no']}").get_data(as_text=True)
    edit = admin.get(f"/scm/alerts/templates/{template_id}").get_data(as_text=True)
    assert 'value="50%"' in edit
    assert admin.form(f"/scm/alerts/templates/{template_id}/delete").status_code == 303
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint_template") == 0
    assert admin.get(f"/scm/alerts/templates/{template_id}").status_code == 404


# --- API, CLI, scheduler -----------------------------------------------------------------------------
def test_alarm_list_api_filters(kit):
    t = utcnow() + dt.timedelta(hours=1)
    a = kit.approved_order()
    s = kit.approved_order(kind="sample")
    kit.set_policy(a["order_no"], [(t, "REP", 1)])
    kit.set_policy(s["order_no"], [(t, "REP", 1)])
    raised = {x["order_no"]: x["id"] for x in kit.check(t + dt.timedelta(minutes=1)).alarms}
    assert kit.api("POST", f"/alarms/{raised[s['order_no']]}/cancel", json={"note": "已处理"}).status_code == 200
    items = lambda q: [(i["order_no"], i["status"]) for i in kit.api("GET", f"/alarms{q}").json["items"]]  # noqa: E731
    assert items("?status=open") == [(a["order_no"], "open")]
    assert items("?status=cancelled") == [(s["order_no"], "cancelled")]
    assert items("?kind=sample") == [(s["order_no"], "cancelled")]
    assert kit.api("GET", "/alarms?status=bogus").status_code == 400
    one = kit.api("GET", "/alarms?status=cancelled").json["items"][0]
    assert one["cancel_note"] == "已处理" and one["level"] == "alarm" and one["process_step"] == "REP"
    doc = kit.app.test_client().get("/scm/api/v1/openapi.json").json
    for path in ("/scm/api/v1/orders/{order_no}/alert-policy", "/scm/api/v1/alarms",
                 "/scm/api/v1/alarms/{alarm_id}/cancel"):
        assert path in doc["paths"]
    assert set(doc["paths"]["/scm/api/v1/orders/{order_no}/alert-policy"]) == {"get", "put"}


def test_run_alerts_command(kit, runner):
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "REP", 100)])
    early = runner.invoke(args=["scm", "run-alerts"])
    assert early.exit_code == 0 and "0 alarms" in early.output
    at = (t + dt.timedelta(hours=8, minutes=1)).strftime("%Y-%m-%dT%H:%M")   # local (Asia/Shanghai)
    result = runner.invoke(args=["scm", "run-alerts", "--at", at])
    assert result.exit_code == 0, result.output
    assert "1 alarms" in result.output and order["order_no"] in result.output and "13800138000" in result.output
    again = runner.invoke(args=["scm", "run-alerts", "--at", at])
    assert "0 alarms" in again.output
    bad = runner.invoke(args=["scm", "run-alerts", "--at", "yesterday"])
    assert bad.exit_code == 2
    # while another holder runs the job, a manual pass does nothing
    from scm_plugin.erp_bridge.repos import lease
    assert lease.acquire(kit.db, "job:alerts", "other-host:1:1", 60)
    held = runner.invoke(args=["scm", "run-alerts"])
    assert held.exit_code == 1 and "lease" in held.output
    assert len(kit.alarms()) == 1


def test_the_checker_is_a_scheduled_job_with_its_interval(app):
    from scm_plugin.scheduler import jobs_of
    job = jobs_of(app)["alerts"]
    assert job.interval_key == "SCM_ALERT_INTERVAL_SECONDS" and job.func.__name__ == "alerts_job"
    assert app.config["SCM_ALERT_RUN_SECONDS"] < app.config["SCM_SCHEDULER_LEASE_SECONDS"]


def test_a_long_history_entry_stays_readable(app):
    """Many recipients and a long text: the facts are shortened, never cut mid-JSON."""
    from scm_plugin.blueprints.alert_policy import history
    detail = history.history_detail(alarm=7, step="MST", reached="0", qty="1",
                                     sms=[f"1380013{i:04d}" for i in range(300)], sms_error=None, text="字" * 900)
    assert len(detail) <= 2000
    row = {"action": "alarm.raise", "detail": detail}
    with app.test_request_context():
        text = history.history_text(row, [{"code": "MST", "name": "母盘刻录"}], [])
    assert "13800130000" in text and "(+295)" in text and "母盘刻录" in text
