"""Order intake through the API (API.md): both kinds, scope, idempotency, documents."""
from __future__ import annotations

import concurrent.futures
import io

import pytest

from fixtures.orders import order_payload


def test_customer_places_sales_and_sample_orders(app, tokens, db):
    client = app.test_client()
    for kind, prefix in (("sales", "SO"), ("sample", "SP")):
        resp = client.api("POST", "/orders", json=order_payload(kind), token=tokens("cust1"))
        assert resp.status_code == 201, resp.json
        order = resp.json
        assert order["order_no"].startswith(prefix)
        assert order["kind"] == kind and order["status"] == "pending"
        assert order["customer_code"] == "C001"
        lines = order["lines"]
        assert [l["inventory_code"] for l in lines] == ["1001001", "3001001"]  # part no resolved
        assert lines[0]["master_disc_no"] == "MD2026-0001"                    # filled from the ERP
        assert lines[1]["customer_part_no"] == "HY-P001"
        assert lines[0]["quantity"] == "30000"
        assert order["customer_order_no"] == "PO-测试-001"


def test_customer_cannot_choose_another_customer(app, tokens):
    resp = app.test_client().api("POST", "/orders", json=order_payload(customer_code="C003"), token=tokens("cust1"))
    assert resp.status_code == 201
    assert resp.json["customer_code"] == "C001"


def test_rep_places_for_a_granted_customer_only(app, tokens):
    client = app.test_client()
    ok = client.api("POST", "/orders", json=order_payload(customer_code="C002",
                                                          lines=[{"inventory_code": "1001003", "quantity": 5}]),
                    token=tokens("rep1"))
    assert ok.status_code == 201 and ok.json["customer_code"] == "C002"
    refused = client.api("POST", "/orders", json=order_payload(customer_code="C003"), token=tokens("rep1"))
    assert refused.status_code == 400
    assert refused.json["fields"]["customer_code"]
    missing = client.api("POST", "/orders", json=order_payload(), token=tokens("rep1"))
    assert missing.status_code == 400 and "customer_code" in missing.json["fields"]


@pytest.mark.parametrize("change, field", [
    ({"lines": []}, "lines"),
    ({"lines": [{"inventory_code": "1001001", "quantity": "0"}]}, "lines.0.quantity"),
    ({"lines": [{"inventory_code": "1001001", "quantity": "-5"}]}, "lines.0.quantity"),
    ({"lines": [{"inventory_code": "1001001", "quantity": "abc"}]}, "lines.0.quantity"),
    ({"lines": [{"inventory_code": "1001001", "quantity": "1.23456"}]}, "lines.0.quantity"),
    ({"lines": [{"inventory_code": "NOPE-1", "quantity": "5"}]}, "lines.0.inventory_code"),
    ({"lines": [{"customer_part_no": "XG-2026-01", "quantity": "5"}]}, "lines.0.customer_part_no"),  # C002's part
    ({"lines": [{"quantity": "5"}]}, "lines.0.inventory_code"),
    ({"requested_date": "2020-01-01"}, "requested_date"),
    ({"requested_date": "31/12/2026"}, "requested_date"),
    ({"kind": "rush"}, "kind"),
    ({"customer_order_no": "x" * 41}, "customer_order_no"),
    ({"lines": [{"inventory_code": "' OR 1=1 --", "quantity": "5"}]}, "lines.0.inventory_code"),
])
def test_bad_input_is_refused_and_nothing_saved(app, tokens, db, change, field):
    resp = app.test_client().api("POST", "/orders", json=order_payload(**change), token=tokens("cust1"))
    assert resp.status_code == 400, resp.json
    assert resp.json["error"] == "invalid_input"
    assert field in resp.json["fields"], resp.json
    assert resp.json["fields"][field]  # a message, in the user's language
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox") == 0


def test_not_json_is_400(app, tokens):
    resp = app.test_client().post("/scm/api/v1/orders", data="kind=sales",
                                  headers={"Authorization": f"Bearer {tokens('cust1')}"})
    assert resp.status_code == 400


def test_idempotency_key_returns_the_same_order(app, tokens, db):
    client = app.test_client()
    headers = {"Idempotency-Key": "shop-42-attempt"}
    first = client.api("POST", "/orders", json=order_payload(), token=tokens("cust1"), headers=dict(headers))
    again = client.api("POST", "/orders", json=order_payload(), token=tokens("cust1"), headers=dict(headers))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["order_no"] == first.json["order_no"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 1
    other = client.api("POST", "/orders", json=order_payload(remarks="different"), token=tokens("cust1"),
                       headers=dict(headers))
    assert other.status_code == 409 and other.json["error"] == "idempotency_key_reused"


def test_concurrent_retries_make_one_order(app, tokens, db):
    token = tokens("cust1")

    def attempt(_):
        return app.test_client().api("POST", "/orders", json=order_payload(), token=token,
                                     headers={"Idempotency-Key": "race-1"})
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert {r.status_code for r in results} <= {200, 201}
    assert len({r.json["order_no"] for r in results}) == 1
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 1
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order_line") == 2


def test_orders_are_scoped(app, tokens, make_order):
    mine = make_order("cust1")
    theirs = make_order("cust3", lines=[{"inventory_code": "1002001", "quantity": 100}])
    client = app.test_client()
    assert client.api("GET", f"/orders/{mine['order_no']}", token=tokens("cust1")).status_code == 200
    for user, other in (("cust1", theirs), ("cust3", mine), ("rep2", mine), ("rep_nogrant", mine)):
        resp = client.api("GET", f"/orders/{other['order_no']}", token=tokens(user))
        assert resp.status_code == 404, user
        assert resp.json["error"] == "not_found"
    listed = client.api("GET", "/orders", token=tokens("rep1")).json
    assert [o["order_no"] for o in listed["items"]] == [mine["order_no"]]
    assert client.api("GET", "/orders", token=tokens("rep_nogrant")).json["total"] == 0
    assert client.api("GET", "/orders?customer_code=C003", token=tokens("rep1")).json["total"] == 0


def test_order_list_filters(app, tokens, make_order):
    a = make_order("cust1", "sales")
    b = make_order("cust1", "sample", lines=[{"customer_part_no": "HY-A002", "quantity": 10}])
    client = app.test_client()

    def nos(query):
        resp = client.api("GET", f"/orders{query}", token=tokens("rep1"))
        assert resp.status_code == 200, resp.json
        return {o["order_no"] for o in resp.json["items"]}
    assert nos("?kind=sample") == {b["order_no"]}
    assert nos("?inventory_code=1001001") == {a["order_no"]}
    assert nos("?customer_part_no=HY-A002") == {b["order_no"]}
    assert nos(f"?order_no={a['order_no']}") == {a["order_no"]}
    assert nos("?status=approved") == set()
    assert nos("?order_no=%27%20OR%201%3D1%20--") == set()
    assert client.api("GET", "/orders?per_page=500", token=tokens("rep1")).status_code == 400
    assert client.api("GET", "/orders?sort=password", token=tokens("rep1")).status_code == 400


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, token, order_no, content, name):
    return client.post(f"/scm/api/v1/orders/{order_no}/attachments",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
                       headers={"Authorization": f"Bearer {token}"})


def test_document_upload_and_download_keep_the_chinese_name(app, tokens, make_order):
    order = make_order("cust1")
    client = app.test_client()
    resp = _upload(client, tokens("cust1"), order["order_no"], PDF, "采购合同（盖章版）.pdf")
    assert resp.status_code == 201, resp.json
    att = resp.json
    assert att["original_name"] == "采购合同（盖章版）.pdf" and att["content_type"] == "application/pdf"
    for user in ("cust1", "rep1", "admin"):
        got = client.get(f"/scm/api/v1/orders/{order['order_no']}/attachments/{att['id']}",
                         headers={"Authorization": f"Bearer {tokens(user)}"})
        assert got.status_code == 200 and got.data == PDF
        disposition = got.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=UTF-8''%E9%87%87%E8%B4%AD" in disposition
        assert got.headers["X-Content-Type-Options"] == "nosniff"
    for user in ("cust3", "rep2", "rep_nogrant"):
        got = client.get(f"/scm/api/v1/orders/{order['order_no']}/attachments/{att['id']}",
                         headers={"Authorization": f"Bearer {tokens(user)}"})
        assert got.status_code == 404, user


def test_attachment_of_another_order_is_not_reachable_through_mine(app, tokens, make_order):
    mine = make_order("cust1")
    theirs = make_order("cust3", lines=[{"inventory_code": "1002001", "quantity": 100}])
    client = app.test_client()
    att = _upload(client, tokens("cust3"), theirs["order_no"], PDF, "theirs.pdf").json
    got = client.get(f"/scm/api/v1/orders/{mine['order_no']}/attachments/{att['id']}",
                     headers={"Authorization": f"Bearer {tokens('cust1')}"})
    assert got.status_code == 404


@pytest.mark.parametrize("content, name, error", [
    (b"<html><script>alert(1)</script></html>", "page.html", "file_type_not_allowed"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.svg", "file_type_not_allowed"),
    (b"<svg onload=alert(1)>", "logo.txt", "file_type_not_allowed"),
    (b"", "empty.pdf", "file_empty"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.pdf", "file_type_not_allowed"),
])
def test_upload_attack_set_refused(app, tokens, make_order, db, content, name, error):
    order = make_order("cust1")
    resp = _upload(app.test_client(), tokens("cust1"), order["order_no"], content, name)
    assert resp.status_code == 400, resp.json
    assert resp.json["fields"]["file"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0


def test_over_limit_file_refused(app, tokens, make_order, db):
    order = make_order("cust1")
    big = PDF + b"0" * (app.config["SCM_MAX_UPLOAD_MB"] * 1024 * 1024 + 10)
    resp = _upload(app.test_client(), tokens("cust1"), order["order_no"], big, "big.pdf")
    assert resp.status_code in (400, 413)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("报价单<img src=x onerror=alert(1)>'.pdf", "报价单<img src=x onerror=alert(1)>'.pdf"),
    ("/abs/path/规格书.pdf", "规格书.pdf"),
])
def test_hostile_names_are_stored_safely(app, tokens, make_order, name, shown, tmp_path):
    order = make_order("cust1")
    client = app.test_client()
    resp = _upload(client, tokens("cust1"), order["order_no"], PDF, name)
    assert resp.status_code == 201
    assert resp.json["original_name"] == shown
    storage = app.config["SCM_STORAGE_DIR"]
    import pathlib
    stored = [p for p in pathlib.Path(storage).rglob("*") if p.is_file()]
    assert stored and all(p.resolve().is_relative_to(pathlib.Path(storage).resolve()) for p in stored)
    assert all(p.name not in name for p in stored)


def test_documents_only_while_pending(app, tokens, make_order, db):
    order = make_order("cust1")
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_order SET status = 'rejected', reject_reason = ? WHERE order_no = ?",
                       "数量有误", order["order_no"])
    resp = _upload(app.test_client(), tokens("cust1"), order["order_no"], PDF, "late.pdf")
    assert resp.status_code == 409 and resp.json["error"] == "order_not_pending"
