"""The database stopped while a customer places an order in the portal and a rep
approves one: a clear message in Chinese (a 503 page that keeps what was typed, or the
API's error JSON), nothing half-written; once the database is back the same submission
(the same form, the same Idempotency-Key) creates exactly one order and one ERP form,
the checker raises each alarm once and the scheduler's lease recovers."""
from __future__ import annotations

import datetime as dt
import re
import uuid

from alert_policy.helpers import Kit, utcnow
from fixtures.orders import order_payload
from scm_plugin.scheduler import jobs_of, run_job

ORDER_FORM = {"kind": "sales", "customer_order_no": "PO-断库-01", "requested_date": "",
              "remarks": "断库期间提交，请勿重复", "lines-0-inventory_code": "1001001", "lines-0-quantity": "12000",
              "lines-1-customer_part_no": "HY-P001", "lines-1-quantity": "3000", "lines-1-remarks": "附件包"}
TRACE_WORDS = ("Traceback", "pyodbc", "SQLSTATE", "SELECT ", "INSERT ", "Internal Server Error", "HY000",
               "08S01", "Exception")


def _count(db, sql, *params) -> int:
    return int(db.scalar_sql(sql, *params) or 0)


def _orders(db, remarks) -> int:
    return _count(db, "SELECT COUNT(*) AS n FROM scm_order WHERE remarks = ?", remarks)


def _erp_forms(db) -> int:
    return _count(db, "SELECT COUNT(*) AS n FROM {contract_review}")


def _assert_clear_page(resp):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 503, (resp.status_code, html[:1500])
    assert "数据库" in html and ("重试" in html or "稍后" in html), html
    assert not any(w in html for w in TRACE_WORDS), html
    return html


def _assert_clear_json(resp):
    assert resp.status_code == 503, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == "database_unavailable", body
    assert "数据库" in body["message"] and "重试" in body["message"], body
    assert not any(w in resp.get_data(as_text=True) for w in TRACE_WORDS)


def test_portal_order_form_during_an_outage_keeps_the_input_and_resubmits_once(outage_app, db):
    app = outage_app
    customer = app.test_client()
    assert customer.login("cust1").status_code == 302
    page = customer.get("/scm/portal/orders/new").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    form = dict(ORDER_FORM, form_token=token, csrf_token=customer.csrf(),
                requested_date=(dt.date.today() + dt.timedelta(days=20)).isoformat())

    app.scm_outage_start()
    resp = customer.post("/scm/portal/orders/new", data=form)
    html = _assert_clear_page(resp)
    for value in ("PO-断库-01", "断库期间提交，请勿重复", "12000", "HY-P001", "附件包", token):
        assert value in html, value                                 # what the customer typed is still there
    assert "没有丢失" in html and "再次提交" in html                   # …and the page says so
    assert customer.post("/scm/portal/orders/new", data=form).status_code == 503   # an impatient second click
    app.scm_outage_end()
    assert _orders(db, ORDER_FORM["remarks"]) == 0                   # nothing half-written

    # The page's own "submit again": the fields it kept, with a fresh CSRF token.
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    kept["csrf_token"] = customer.csrf()
    for key in ("customer_order_no", "remarks", "lines-0-inventory_code", "form_token"):
        assert kept.get(key) == form[key], (key, kept)
    first = customer.post("/scm/portal/orders/new", data=kept)
    assert first.status_code in (302, 303), first.get_data(as_text=True)[:1500]
    again = customer.post("/scm/portal/orders/new", data=kept)       # the answer was lost; sent again
    assert again.status_code in (302, 303) and again.headers["Location"] == first.headers["Location"]
    assert _orders(db, ORDER_FORM["remarks"]) == 1
    lines = _count(db, "SELECT COUNT(*) AS n FROM scm_order_line l JOIN scm_order o ON o.id = l.order_id "
                       "WHERE o.remarks = ?", ORDER_FORM["remarks"])
    assert lines == 2


def test_api_order_and_approve_during_an_outage_then_retried_make_one_order_and_one_erp_form(outage_app, db):
    app = outage_app
    kit = Kit(app, db)
    remarks = f"API 断库 {uuid.uuid4().hex[:6]}"
    payload = order_payload(remarks=remarks)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    cust_token, rep_token = kit.token("cust1"), kit.token("rep1")
    pending = kit.api("POST", "/orders", "cust1", json=order_payload(remarks=f"{remarks}-待审")).json["order_no"]
    forms_before = _erp_forms(db)

    app.scm_outage_start()
    c = app.test_client()
    _assert_clear_json(c.api("POST", "/orders", json=payload, token=cust_token, headers=dict(key)))
    _assert_clear_json(c.api("POST", f"/orders/{pending}/approve", token=rep_token))
    app.scm_outage_end()
    assert _orders(db, remarks) == 0 and _erp_forms(db) == forms_before

    first = c.api("POST", "/orders", json=payload, token=cust_token, headers=dict(key))
    assert first.status_code == 201, first.get_data(as_text=True)
    again = c.api("POST", "/orders", json=payload, token=cust_token, headers=dict(key))
    assert again.status_code in (200, 201) and again.json["order_no"] == first.json["order_no"]
    assert _orders(db, remarks) == 1

    approved = c.api("POST", f"/orders/{pending}/approve", token=rep_token)
    assert approved.status_code == 200, approved.get_data(as_text=True)
    replay = c.api("POST", f"/orders/{pending}/approve", token=rep_token)
    assert replay.status_code == 200 and replay.json["erp_form_no"] == approved.json["erp_form_no"]
    assert _erp_forms(db) == forms_before + 1


def test_rep_approves_on_the_page_during_an_outage_and_once_it_is_back(outage_app, db):
    app = outage_app
    kit = Kit(app, db)
    order_no = kit.api("POST", "/orders", "cust1", json=order_payload()).json["order_no"]
    rep = app.test_client()
    assert rep.login("rep1").status_code == 302
    url = f"/scm/review/orders/{order_no}/approve"
    forms_before = _erp_forms(db)

    app.scm_outage_start()
    _assert_clear_page(rep.form(url))
    app.scm_outage_end()
    assert _erp_forms(db) == forms_before
    assert db.scalar_sql("SELECT status FROM scm_order WHERE order_no = ?", order_no) == "pending"

    resp = rep.form(url)
    assert resp.status_code == 303
    page = rep.get(resp.headers["Location"]).get_data(as_text=True)
    assert "ERP" in page and "已" in page
    assert _erp_forms(db) == forms_before + 1


def test_cut_in_the_middle_of_an_approval_writes_nothing_and_the_retry_writes_once(outage_app, db, monkeypatch):
    """The database goes away after the ERP form was inserted, before the commit."""
    from scm_plugin import audit

    app = outage_app
    kit = Kit(app, db)
    order_no = kit.api("POST", "/orders", "cust1", json=order_payload()).json["order_no"]
    forms_before = _erp_forms(db)
    real_record = audit.record
    cut = []

    def record_then_cut(tx, action, *args, **kw):
        real_record(tx, action, *args, **kw)
        if action == "order.approve" and not cut:
            cut.append(True)
            app.scm_outage_start()            # the customer's mail is the next statement
    monkeypatch.setattr(audit, "record", record_then_cut)
    client = app.test_client()
    resp = client.api("POST", f"/orders/{order_no}/approve", token=kit.token("rep1"))
    assert cut, "the approval was never cut"
    _assert_clear_json(resp)
    app.scm_outage_end()
    assert _erp_forms(db) == forms_before                            # rolled back with the order's state
    assert db.scalar_sql("SELECT status FROM scm_order WHERE order_no = ?", order_no) == "pending"
    resp = client.api("POST", f"/orders/{order_no}/approve", token=kit.token("rep1"))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert _erp_forms(db) == forms_before + 1


def test_cut_after_the_approval_committed_the_retry_gets_the_same_erp_form(outage_app, db, monkeypatch):
    """The answer is lost instead: committed, then the database goes away while the
    approved order is read back. The rep is told to retry; the retry changes nothing."""
    from scm_plugin import orders

    app = outage_app
    kit = Kit(app, db)
    order_no = kit.api("POST", "/orders", "cust1", json=order_payload()).json["order_no"]
    forms_before = _erp_forms(db)
    real_get = orders.get_order
    cut = []

    def cut_then_get(*args, **kw):
        if not cut:
            cut.append(True)
            app.scm_outage_start()
        return real_get(*args, **kw)
    monkeypatch.setattr(orders, "get_order", cut_then_get)
    client = app.test_client()
    _assert_clear_json(client.api("POST", f"/orders/{order_no}/approve", token=kit.token("rep1")))
    app.scm_outage_end()
    assert _erp_forms(db) == forms_before + 1
    first_form = db.scalar_sql("SELECT erp_form_no FROM scm_order WHERE order_no = ?", order_no)
    for _ in range(2):                                               # the rep retries, twice
        resp = client.api("POST", f"/orders/{order_no}/approve", token=kit.token("rep1"))
        assert resp.status_code == 200 and resp.json["erp_form_no"] == first_form, resp.get_data(as_text=True)
    assert _erp_forms(db) == forms_before + 1


def test_checker_and_scheduler_lease_recover_after_the_outage(outage_app, db, monkeypatch):
    from scm_plugin.blueprints.alert_policy import checker, jobs

    app = outage_app
    kit = Kit(app, db)
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=1)
    assert kit.set_policy(order["order_no"], [(t, "REP", 20000)]).status_code == 200
    monkeypatch.setattr(checker, "utcnow", lambda: t + dt.timedelta(minutes=5))   # the job runs after it
    job = jobs_of(app)[jobs.JOB_NAME]

    app.scm_outage_start()
    assert run_job(app, job) is False                       # could not take the lease: nothing ran
    assert run_job(app, jobs_of(app)["outbox"]) is False
    app.scm_outage_end()
    assert kit.alarms(order["order_no"]) == []

    assert run_job(app, job) is True
    assert run_job(app, job) is True                        # a rerun raises nothing more
    alarms = kit.alarms(order["order_no"])
    assert len(alarms) == 1 and len(kit.sms_of_alarm(alarms[0]["id"])) == 1
    assert run_job(app, jobs_of(app)["outbox"]) is True
    lease = db.one_sql("SELECT holder, expires_at FROM scm_lease WHERE name = ?", f"job:{jobs.JOB_NAME}")
    assert lease["holder"] is None and lease["expires_at"] is None  # released: another host may run it


def test_login_during_an_outage_gets_the_clear_page_and_never_echoes_the_password(outage_app):
    app = outage_app
    c = app.test_client()
    csrf = c.csrf()
    app.scm_outage_start()
    resp = c.post("/scm/login", data={"username": "rep1", "password": "correct-horse-1", "csrf_token": csrf})
    html = _assert_clear_page(resp)
    assert "correct-horse-1" not in html
    app.scm_outage_end()
    assert c.login("rep1").status_code == 302                       # and it works once the database is back


def test_connection_lost_at_the_commit_says_the_outcome_is_unknown_and_the_retry_is_once(outage_app, db, monkeypatch):
    """The server committed, then the answer was lost: the page must not promise that
    nothing was changed; it says to check first. The retry changes nothing."""
    import pyodbc

    lost = []

    class Cursor:
        def __init__(self, cursor, inserted):
            object.__setattr__(self, "_cursor", cursor)
            object.__setattr__(self, "_inserted", inserted)

        def execute(self, sql, *params):
            if sql.lstrip().upper().startswith("INSERT"):
                self._inserted.append(sql)
            return self._cursor.execute(sql, *params)

        def __getattr__(self, name):
            return getattr(self._cursor, name)

        def __setattr__(self, name, value):
            setattr(self._cursor, name, value)

    class AnswerLostAtCommit:
        """The real connection, but the answer to the first commit that saves new rows
        (the approval's) never arrives: committed on the server, lost on the way back."""

        def __init__(self, cnxn):
            object.__setattr__(self, "_cnxn", cnxn)
            object.__setattr__(self, "_inserted", [])

        def cursor(self):
            return Cursor(self._cnxn.cursor(), self._inserted)

        def commit(self):
            self._cnxn.commit()
            wrote, self._inserted[:] = bool(self._inserted), []
            if wrote and not lost:
                lost.append(True)
                raise pyodbc.OperationalError("08S01", "[08S01] Communication link failure")

        def __getattr__(self, name):
            return getattr(self._cnxn, name)

        def __setattr__(self, name, value):
            setattr(self._cnxn, name, value)

    app = outage_app
    kit = Kit(app, db)
    order_no = kit.api("POST", "/orders", "cust1", json=order_payload()).json["order_no"]
    rep = app.test_client()
    assert rep.login("rep1").status_code == 302
    forms_before = _erp_forms(db)
    plugin_db = app.extensions["scm"].db
    real_connect = plugin_db._connect
    monkeypatch.setattr(plugin_db, "_connect", lambda: AnswerLostAtCommit(real_connect()))
    plugin_db.dispose()   # every connection from now on loses its commit's answer
    html = _assert_clear_page(rep.form(f"/scm/review/orders/{order_no}/approve"))
    assert lost and "无法确定" in html and "未做任何更改" not in html and 'id="resubmit-form"' not in html
    # the API says so with its own code; the same Idempotency-Key makes the retry safe
    lost.clear()
    api, key = app.test_client(), uuid.uuid4().hex
    placed = api.api("POST", "/orders", json=order_payload(remarks="提交时断线"), token=kit.token("cust1"),
                     headers={"Idempotency-Key": key})
    assert placed.status_code == 503 and placed.json["error"] == "database_lost_at_commit", placed.json
    assert "无法确定" in placed.json["message"]
    monkeypatch.setattr(plugin_db, "_connect", real_connect)
    plugin_db.dispose()
    assert _erp_forms(db) == forms_before + 1                      # it was committed after all
    resp = rep.form(f"/scm/review/orders/{order_no}/approve")
    assert resp.status_code == 303
    assert _erp_forms(db) == forms_before + 1
    again = api.api("POST", "/orders", json=order_payload(remarks="提交时断线"), token=kit.token("cust1"),
                    headers={"Idempotency-Key": key})
    assert again.status_code == 200 and _orders(db, "提交时断线") == 1
