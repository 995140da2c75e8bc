"""Fixtures of the API fuzzing: a database with real objects behind every GET (orders of
both kinds in every state, attachments, an alert policy with an open alarm, feedback with
a reply and a file, a shared document, recorded customer stock, an SMS batch), a bearer
token per role, and the OpenAPI document loaded *as the app serves it*.

The fuzz runs on every selected engine (it is cheap enough: see test_fuzz_api.py)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import schemathesis
from hypothesis import strategies as st

from fixtures.orders import order_payload
from scm_plugin import accounts

PREFIX = "/scm/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FUZZ_USERS = {"rep": "rep1", "customer": "cust1", "admin": "admin"}


@pytest.fixture
def app_config():
    return {"SCM_SMS_BACKEND": "log"}


@dataclasses.dataclass
class Seeded:
    """Real identifiers in the database, offered to the fuzzer next to generated ones."""

    tokens: dict[str, str]
    order_nos: list[str]
    attachment_ids: list[int]
    alarm_ids: list[int]
    feedback_ids: list[int]
    feedback_attachment_ids: list[int]
    document_ids: list[int]
    sms_batch_ids: list[int]
    customer_codes: list[str]
    inventory_codes: list[str]


def _call(client, token, method, path, **kwargs):
    headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {token}")
    resp = client.open(f"{PREFIX}{path}", method=method, headers=headers, **kwargs)
    assert resp.status_code < 300, (method, path, resp.status_code, resp.get_data(as_text=True)[:500])
    return resp.json if resp.is_json else None


@pytest.fixture
def seeded(app, db, users) -> Seeded:
    """Objects made through the API, as the customers' and reps' systems would."""
    tokens = {role: accounts.create_token(db, name) for role, name in FUZZ_USERS.items()}
    client = app.test_client()
    cust, rep = tokens["customer"], tokens["rep"]

    def call(token, method, path, **kwargs):
        return _call(client, token, method, path, **kwargs)

    pending = call(cust, "POST", "/orders", json=order_payload("sales"))
    sample = call(rep, "POST", "/orders", json=order_payload(
        "sample", customer_code="C002", lines=[{"inventory_code": "1001001", "quantity": "500"}]))
    approved = call(cust, "POST", "/orders", json=order_payload("sales", customer_order_no="PO-FUZZ-2"))
    rejected = call(cust, "POST", "/orders", json=order_payload("sample", customer_order_no="PO-FUZZ-3"))
    att = call(cust, "POST", f"/orders/{pending['order_no']}/attachments", content_type="multipart/form-data",
               data={"file": (io.BytesIO(PDF), "图纸.pdf")})
    call(rep, "POST", f"/orders/{approved['order_no']}/approve")
    call(rep, "POST", f"/orders/{rejected['order_no']}/reject", json={"reason": "数量不符"})

    # an alert policy whose first checkpoint is already due: the checker raises an alarm
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    call(rep, "PUT", f"/orders/{approved['order_no']}/alert-policy", json={
        "checkpoints": [
            {"due_at": (now + dt.timedelta(days=1)).isoformat(), "process_step": "MST", "quantity": "10"},
            {"due_at": (now + dt.timedelta(days=5)).isoformat(), "process_step": "PCK", "quantity": "30000"}],
        "sms_to": ["13800138000"]})
    from scm_plugin.blueprints.alert_policy import checker as alert_checker
    with app.app_context():
        alert_checker.check(app.extensions["scm"].db, at=(now + dt.timedelta(days=2)).replace(tzinfo=None))
    alarm_ids = [r["id"] for r in db.all_sql("SELECT id FROM scm_alarm ORDER BY id")]
    assert alarm_ids, "the seed should hold an open alarm"

    fb = call(cust, "POST", "/feedback", json={"type": "complaint", "subject": "第 3 批盘面划伤", "body": "批号 HY-0315"})
    fb_file = call(cust, "POST", f"/feedback/{fb['id']}/attachments", content_type="multipart/form-data",
                   data={"file": (io.BytesIO(PDF), "照片.pdf")})
    call(rep, "POST", f"/feedback/{fb['id']}/replies", json={"body": "已安排复检"})
    fb2 = call(cust, "POST", "/feedback", json={"type": "suggestion", "subject": "包装", "body": "请加护角"})

    doc = call(rep, "POST", "/documents", content_type="multipart/form-data",
               data={"subject": "2026 年光盘包装规范", "customer_codes": ["C001", "C002"],
                     "file": (io.BytesIO(PDF), "包装规范.pdf")})
    call(rep, "PUT", "/customers/C001/stock/1001001", json={"quantity": "1200", "remarks": "月初盘点"})
    sms = call(rep, "POST", "/sms", json={"recipients": ["13800138000", "0755-12345678"], "text": "交货提醒"})

    return Seeded(
        tokens=tokens,
        order_nos=[o["order_no"] for o in (pending, sample, approved, rejected)],
        attachment_ids=[att["id"]], alarm_ids=alarm_ids, feedback_ids=[fb["id"], fb2["id"]],
        feedback_attachment_ids=[fb_file["id"]], document_ids=[doc["id"]], sms_batch_ids=[sms["batch_id"]],
        customer_codes=["C001", "C002", "C003"], inventory_codes=["1001001"])


_REAL = {
    "order_no": "order_nos", "attachment_id": "attachment_ids", "alarm_id": "alarm_ids",
    "feedback_id": "feedback_ids", "document_id": "document_ids", "batch_id": "sms_batch_ids",
    "customer_code": "customer_codes", "inventory_code": "inventory_codes",
}


def load_served_schema(app, seeded: Seeded):
    """The document exactly as GET openapi.json answers it; path parameters are either
    generated or, as often, the id of an object in the seed (else nearly every call of
    ``/orders/{order_no}/...`` would be a 404 and the handlers behind it never run)."""
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)
    # The tests send a real bearer token; a generated (invalid) Authorization header would
    # be replaced by it, so a "negative" case would in fact be valid.
    schema.config.generation.update(with_security_parameters=False)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        real = {}
        for name in path_parameters:
            values = getattr(seeded, _REAL[name], None) if name in _REAL else None
            if name == "attachment_id" and "feedback_id" in path_parameters:
                values = seeded.feedback_attachment_ids
            if values:
                real[name] = st.sampled_from(values)
        if not real:
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.fixed_dictionaries({**{k: st.just(v) for k, v in
                                                                              path_parameters.items()}, **real}))

    return schema


@pytest.fixture
def api_schema(app, seeded):
    return load_served_schema(app, seeded)
