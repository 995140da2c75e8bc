"""Regression tests for what the fuzzing found (one test per finding, each could fail)."""
from __future__ import annotations

PREFIX = "/scm/api/v1"


def _auth(seeded, role="rep"):
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def test_undeclared_method_on_a_real_path_is_405_with_allow(client, seeded):
    resp = client.put(f"{PREFIX}/alarms", headers=_auth(seeded))
    assert resp.status_code == 405
    assert resp.json["error"] == "method_not_allowed" and resp.json["message"]
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    # an unknown path is still a 404, whatever the method
    assert client.put(f"{PREFIX}/no-such-thing", headers=_auth(seeded)).status_code == 404


def test_options_lists_only_the_served_methods(client, seeded):
    resp = client.options(f"{PREFIX}/orders/{seeded.order_nos[0]}/alert-policy", headers=_auth(seeded))
    assert resp.status_code == 200
    assert sorted(resp.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS", "PUT"]
    assert client.options(f"{PREFIX}/no-such-thing").status_code == 404


def test_query_numbers_and_dates_must_be_written_as_documented(client, seeded):
    # pydantic's lax mode took these: 0 as a Unix time, 1.0, +1 and 1_0 as integers
    for query, field in (("date_to=0", "date_to"), ("date_from=2026-01-01T00:00:00", "date_from"),
                         ("page=1.0", "page"), ("page=%2B1", "page"), ("page=1_0", "page"),
                         ("per_page=%201", "per_page")):
        resp = client.get(f"{PREFIX}/orders?{query}", headers=_auth(seeded))
        assert resp.status_code == 400, query
        assert resp.json["error"] == "invalid_input" and set(resp.json["fields"]) == {field}, query
    ok = client.get(f"{PREFIX}/orders?date_from=2020-01-01&page=1&per_page=20", headers=_auth(seeded))
    assert ok.status_code == 200 and ok.json["per_page"] == 20 and ok.json["total"] >= 3


def test_inventory_with_empty_keys_is_no_such_item_not_two_keys(client, seeded):
    # API.md: empty → 404 no_such_item; two empty keys had been "give only one key"
    resp = client.get(f"{PREFIX}/inventory?inventory_code=&item_name=", headers=_auth(seeded))
    assert resp.status_code == 404 and resp.json["error"] == "no_such_item"
    two = client.get(f"{PREFIX}/inventory?inventory_code=1001001&item_name=x", headers=_auth(seeded))
    assert two.status_code == 400 and set(two.json["fields"]) == {"inventory_code", "item_name"}


def test_multipart_fields_are_documented_as_required(client):
    doc = client.get(f"{PREFIX}/openapi.json").json
    form = doc["paths"][f"{PREFIX}/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert sorted(form["required"]) == ["file", "subject"]
    assert {"expires_on", "customer_codes", "customer_codes[]"} <= set(form["properties"])
    att = doc["paths"][f"{PREFIX}/orders/{{order_no}}/attachments"]["post"]["requestBody"]
    assert att["content"]["multipart/form-data"]["schema"]["required"] == ["file"]


def test_unknown_multipart_fields_are_refused_like_unknown_json_fields(app, client, seeded, db):
    import io
    before = db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment")
    resp = client.post(f"{PREFIX}/orders/{seeded.order_nos[0]}/attachments", headers=_auth(seeded, "customer"),
                       content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf"), "\x06odd": "1"})
    assert resp.status_code == 400
    assert resp.json["fields"] == {"\x06odd": resp.json["fields"]["\x06odd"]} and resp.json["fields"]["\x06odd"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == before
    doc = client.get(f"{PREFIX}/openapi.json").json
    form = doc["paths"][f"{PREFIX}/feedback/{{feedback_id}}/replies"]["post"]["requestBody"]["content"]
    assert form["multipart/form-data"]["schema"]["additionalProperties"] is False


def test_idempotency_key_longer_than_stored_is_refused_not_cut(client, seeded, db):
    from fixtures.orders import order_payload
    headers = _auth(seeded, "customer")
    before = db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order")
    long_a, long_b = "k" * 80 + "-a", "k" * 80 + "-b"
    first = client.post(f"{PREFIX}/orders", json=order_payload(), headers={**headers, "Idempotency-Key": long_a})
    other = client.post(f"{PREFIX}/orders", json=order_payload(customer_order_no="PO-other"),
                        headers={**headers, "Idempotency-Key": long_b})
    # cut to 80 characters both were one key: the second order had been a 409 "key reused"
    assert first.status_code == other.status_code == 400
    assert first.json["fields"] == {"Idempotency-Key": first.json["fields"]["Idempotency-Key"]}
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == before
    ok = client.post(f"{PREFIX}/orders", json=order_payload(), headers={**headers, "Idempotency-Key": "k" * 80})
    again = client.post(f"{PREFIX}/orders", json=order_payload(), headers={**headers, "Idempotency-Key": "k" * 80})
    assert (ok.status_code, again.status_code) == (201, 200) and ok.json["order_no"] == again.json["order_no"]


def test_order_replay_and_its_header_are_documented(client):
    op = client.get(f"{PREFIX}/openapi.json").json["paths"][f"{PREFIX}/orders"]["post"]
    assert {"200", "201"} <= set(op["responses"])
    header = [p for p in op["parameters"] if p["in"] == "header"]
    assert header == [{"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": header[0]["description"], "schema": {"type": "string", "maxLength": 80}}]


def test_a_newline_in_the_path_gets_the_json_404_not_the_host_page(client, seeded):
    for path in ("/documents/J%0Ax", "/sms/%0A", "/orders/x%0A/approve", "/%0A"):
        resp = client.get(f"{PREFIX}{path}", headers=_auth(seeded))
        assert resp.status_code in (404, 405) and resp.is_json, (path, resp.status_code, resp.mimetype)
        assert resp.json["error"] in ("not_found", "method_not_allowed")


def test_a_form_part_without_a_name_is_refused_not_a_500(client, seeded):
    body = (b'--b\r\nContent-Disposition: form-data; name="a\r\n\r\n{}\r\n'
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--b--\r\n')
    resp = client.post(f"{PREFIX}/feedback/{seeded.feedback_ids[0]}/attachments", data=body,
                       content_type="multipart/form-data; boundary=b", headers=_auth(seeded, "customer"))
    assert resp.status_code == 400 and resp.json["error"] == "invalid_input"
    assert list(resp.json["fields"]) == ["?"]


def test_reply_documents_its_json_body_too(client, seeded):
    op = client.get(f"{PREFIX}/openapi.json").json["paths"][f"{PREFIX}/feedback/{{feedback_id}}/replies"]["post"]
    assert set(op["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    resp = client.post(f"{PREFIX}/feedback/{seeded.feedback_ids[0]}/replies", json={"body": "好的", "internal": True},
                       headers=_auth(seeded))
    assert resp.status_code == 201 and resp.json["internal"] is True
