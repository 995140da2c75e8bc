"""Inputs the fuzzer reaches only by luck, tried on purpose on every engine: NUL bytes,
non-UTF-8, overlong text, numbers beyond every integer type. Each is refused with a
documented status and the error format, or answered normally - never a 5xx."""
from __future__ import annotations

PREFIX = "/scm/api/v1"
HUGE = "9" * 30
LONG = "长" * 5000

GETS = [
    "/orders?customer_code=C0%0001", "/orders?order_no=%00", "/orders?contract_no=%FF%FE",
    f"/orders?page={HUGE}", f"/orders?per_page={HUGE}", "/orders/%00", "/orders/%FF",
    f"/orders/{LONG}", f"/orders/x/attachments/{HUGE}", f"/feedback/{HUGE}", f"/documents/{HUGE}/file",
    f"/sms/{HUGE}", "/inventory?inventory_code=%00", "/inventory?item_name=%FF", f"/inventory?master_disc_no={LONG}",
    "/customers/%00/stock", f"/customers/C001/stock/{LONG}", "/alarms?customer_code=%00", "/documents?customer_code=%00",
    "/feedback?customer_code=%00", "/orders/%00/alert-policy",
]


def test_hostile_query_and_path(client, seeded):
    # one seeded database for all (reads only); every bad answer is listed
    bad = []
    for path in GETS:
        resp = client.get(f"{PREFIX}{path}", headers={"Authorization": f"Bearer {seeded.tokens['rep']}"})
        if resp.status_code not in (200, 400, 404) or not resp.is_json or (
                resp.status_code >= 400 and not (resp.json["error"] and resp.json["message"])):
            bad.append((path[:60], resp.status_code, resp.get_data(as_text=True)[:200]))
    assert not bad


BODIES = [
    ("POST", "/orders", "customer", {"kind": "sales", "requested_date": "2030-01-01", "customer_order_no": "PO\x00",
                                     "lines": [{"inventory_code": "1001001", "quantity": "1"}]}),
    ("POST", "/orders", "customer", {"kind": "sales", "requested_date": "2030-01-01",
                                     "lines": [{"inventory_code": "\x00", "quantity": "1"}]}),
    ("POST", "/orders", "customer", {"kind": "sales", "requested_date": "2030-01-01",
                                     "lines": [{"inventory_code": "1001001", "quantity": int(HUGE)}]}),
    ("POST", "/orders", "customer", {"kind": "sales", "requested_date": "2030-01-01", "remarks": LONG,
                                     "lines": [{"inventory_code": "1001001", "quantity": 1e308}]}),
    ("POST", "/feedback", "customer", {"type": "complaint", "subject": "a\x00b", "body": "c\x00"}),
    ("POST", "/sms", "rep", {"recipients": ["contact:" + HUGE, "\x00138"], "text": "hi\x00"}),
    ("POST", "/sms", "rep", {"recipients": ["13800138000"], "text": "\x00"}),
    ("PUT", "/customers/C001/stock/1001001", "rep", {"quantity": "1", "remarks": "\x00"}),
    ("PUT", "/customers/C001/stock/\x00", "rep", {"quantity": "1"}),
]


def test_hostile_json_bodies(client, seeded):
    bad = []
    for method, path, role, body in BODIES:
        resp = client.open(f"{PREFIX}{path}", method=method, json=body,
                           headers={"Authorization": f"Bearer {seeded.tokens[role]}"})
        if resp.status_code >= 500 or not resp.is_json:
            bad.append((method, path[:60], resp.status_code, resp.get_data(as_text=True)[:200]))
    assert not bad


def test_non_utf8_json_body_is_400(client, seeded):
    resp = client.post(f"{PREFIX}/feedback", data=b'{"type": "complaint", "subject": "\xff\xfe", "body": "x"}',
                       content_type="application/json",
                       headers={"Authorization": f"Bearer {seeded.tokens['customer']}"})
    assert resp.status_code == 400 and resp.json["error"] == "invalid_input"
