"""Double clicks and impatient retries that meet right as the database comes back: two
approvals of the same order, two submissions of the same portal form, two API calls
with the same Idempotency-Key — each ends with one ERP form / one order."""
from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

from alert_policy.helpers import Kit
from fixtures.orders import order_payload


def _together(n, fn):
    """Run ``fn(i)`` in ``n`` threads released at once; their results (bounded wait)."""
    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung"
    assert not errors, errors
    return results


def _erp_forms(db) -> int:
    return int(db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review}") or 0)


def test_two_approvals_as_the_database_comes_back_make_one_erp_form(outage_app, db):
    app = outage_app
    kit = Kit(app, db)
    order_no = kit.api("POST", "/orders", "cust1", json=order_payload()).json["order_no"]
    forms_before = _erp_forms(db)
    reps = []
    for name in ("rep1", "rep1", "admin"):                # a double click, and a second approver
        c = app.test_client()
        assert c.login(name).status_code == 302
        reps.append((c, c.csrf()))
    tokens = [kit.token("rep1"), kit.token("admin")]

    app.scm_outage_start()
    assert reps[0][0].post(f"/scm/review/orders/{order_no}/approve",
                           data={"csrf_token": reps[0][1]}).status_code == 503
    app.scm_outage_end()

    def approve(i):
        if i < 3:
            c, csrf = reps[i]
            return c.post(f"/scm/review/orders/{order_no}/approve", data={"csrf_token": csrf})
        return app.test_client().api("POST", f"/orders/{order_no}/approve", token=tokens[i - 3])
    results = _together(5, approve)
    assert [r.status_code for r in results[:3]] == [303] * 3, [r.get_data(as_text=True)[:500] for r in results]
    assert [r.status_code for r in results[3:]] == [200, 200], [r.get_data(as_text=True) for r in results[3:]]
    assert len({r.json["erp_form_no"] for r in results[3:]}) == 1
    assert _erp_forms(db) == forms_before + 1
    assert db.scalar_sql("SELECT erp_form_no FROM scm_order WHERE order_no = ?", order_no) == results[3].json["erp_form_no"]


def test_the_same_portal_form_and_api_call_sent_twice_at_once_after_the_outage(outage_app, db):
    app = outage_app
    kit = Kit(app, db)
    remarks = f"并发重提 {uuid.uuid4().hex[:6]}"
    customers = []
    for _ in range(2):
        c = app.test_client()
        assert c.login("cust1").status_code == 302
        customers.append(c)
    page = customers[0].get("/scm/portal/orders/new").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    form = {"kind": "sales", "customer_order_no": "PO-并发", "remarks": remarks, "form_token": token,
            "requested_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
            "lines-0-inventory_code": "1001001", "lines-0-quantity": "500"}
    api_remarks = remarks + " API"
    key = uuid.uuid4().hex
    forms = [dict(form, csrf_token=c.csrf()) for c in customers]

    app.scm_outage_start()
    assert customers[0].post("/scm/portal/orders/new", data=forms[0]).status_code == 503
    app.scm_outage_end()

    def submit(i):
        if i < 2:
            return customers[i].post("/scm/portal/orders/new", data=forms[i])
        return app.test_client().api("POST", "/orders", json=order_payload(remarks=api_remarks),
                                     token=kit.token("cust1"), headers={"Idempotency-Key": key})
    results = _together(4, submit)
    assert [r.status_code for r in results[:2]] == [302, 302], [r.get_data(as_text=True)[:800] for r in results]
    assert results[0].headers["Location"] == results[1].headers["Location"]
    assert {r.status_code for r in results[2:]} <= {200, 201}, [r.get_data(as_text=True) for r in results[2:]]
    assert results[2].json["order_no"] == results[3].json["order_no"]
    for text in (remarks, api_remarks):
        assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order WHERE remarks = ?", text) == 1, text
