"""API: SMS (function 9) — send to numbers and contacts, follow each recipient's status."""
from __future__ import annotations

from typing import Annotated, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin.api_errors import api_error
from scm_plugin.auth import get_user
from scm_plugin.errors import InvalidInput
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.serialize import iso
from scm_plugin.state import get_db

from . import services

routes = ApiRoutes()

class SmsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipients: list[Annotated[str, Field(max_length=80)]] = Field(
        ..., max_length=1000,
        description='Numbers as typed (mobile, or fixed-line/PHS with area code) or "contact:<id>" of an ERP '
                    'contact of a customer in your scope (the id is text: "contact:12", or "contact:C001" '
                    'where the ERP keeps the contact on the customer card)')
    text: str = Field(..., max_length=1000, description="At most SCM_SMS_MAX_CHARS (70) characters, the "
                                                         "signature included; emoji count two")


class SmsQueuedOut(BaseModel):
    input: str
    number: str | None = Field(None, description="What goes to the gateway: 13800138000, 106075512345678")
    kind: Literal["mobile", "phs"] | None = None
    status: Literal["queued", "invalid"]
    error: str | None = Field(None, description="Why it cannot receive SMS (a code)")
    reason: str | None = Field(None, description="The same in the caller's language")
    customer_code: str | None = None
    contact_id: str | None = Field(None, description='The ERP contact\'s id (text), as in "contact:<id>"')
    contact_name: str | None = None


class SmsSentOut(BaseModel):
    batch_id: int
    messages: list[SmsQueuedOut]


class SmsMessageOut(BaseModel):
    id: int
    input: str
    number: str | None = None
    kind: Literal["mobile", "phs"] | None = None
    status: Literal["queued", "sent", "delivered", "failed", "invalid"]
    error: str | None = Field(None, description="A code, or the gateway's own words")
    reason: str | None = Field(None, description="In the caller's language where the plugin knows the code")
    customer_code: str | None = None
    contact_id: str | None = Field(None, description='The ERP contact\'s id (text), as in "contact:<id>"')
    contact_name: str | None = None
    sent_at: str | None = None
    delivered_at: str | None = None


class SmsCounts(BaseModel):
    queued: int
    sent: int
    delivered: int
    failed: int
    invalid: int


class SmsBatchOut(BaseModel):
    batch_id: int
    created_at: str
    source: Literal["manual", "alarm"]
    text: str
    signature: str | None = None
    customer_code: str | None = None
    counts: SmsCounts
    finished: bool = Field(..., description="No message will change any more (as far as the plugin waits)")
    messages: list[SmsMessageOut]


class SmsBatchSummaryOut(BaseModel):
    batch_id: int
    created_at: str
    source: Literal["manual", "alarm"]
    text: str
    counts: SmsCounts


class SmsBatchListOut(BaseModel):
    items: list[SmsBatchSummaryOut]
    page: int
    per_page: int
    total: int


class SmsBatchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["manual", "alarm"] | None = None
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)


@routes.route("/sms", "POST", summary="Send an SMS to numbers and contacts (queued; 202)", roles=STAFF,
           body=SmsIn, response=SmsSentOut, status=202)
def send_sms(body: SmsIn):
    try:
        result = services.send(get_db(), get_user(), current_scope(), text=body.text, recipients=body.recipients)
    except InvalidInput as exc:
        code = next(iter(exc.fields.values())) if len(exc.fields) == 1 else "invalid_input"
        return api_error(400, code, exc.fields)
    out = SmsSentOut(batch_id=result["batch_id"], messages=[
        SmsQueuedOut(input=m["input"], number=m["number"], kind=m["kind"], status=m["status"], error=m["error"],
                     reason=services.reason(m["error"]) or None, customer_code=m["customer_code"],
                     contact_id=m["contact_ref"], contact_name=m["contact_name"])
        for m in result["messages"]])
    resp = jsonify(out.model_dump())
    resp.status_code = 202
    return resp


@routes.route("/sms", "GET", summary="SMS batches in the caller's scope, newest first", roles=STAFF,
           query=SmsBatchQuery, response=SmsBatchListOut)
def list_sms(query: SmsBatchQuery):
    rows, total = services.batches(get_db(), get_user(), current_scope(), source=query.source,
                                      page=query.page, per_page=query.per_page)
    items = [SmsBatchSummaryOut(batch_id=r["id"], created_at=iso(r["created_at"]), source=r["source"],
                                text=r["text"], counts=SmsCounts(**r["counts"])).model_dump() for r in rows]
    return jsonify({"items": items, "page": query.page, "per_page": query.per_page, "total": total})


@routes.route("/sms/<int:batch_id>", "GET", summary="One SMS batch: each recipient's status and reason",
           roles=STAFF, response=SmsBatchOut)
def get_sms_batch(batch_id: int):
    head = services.batch(get_db(), get_user(), current_scope(), batch_id)
    out = SmsBatchOut(
        batch_id=head["id"], created_at=iso(head["created_at"]), source=head["source"], text=head["text"],
        signature=head["signature"], customer_code=head["customer_code"], counts=SmsCounts(**head["counts"]),
        finished=head["finished"],
        messages=[SmsMessageOut(id=m["id"], input=m["input"], number=m["number"], kind=m["kind"], status=m["status"],
                                error=m["error"], reason=m["reason"] or None, customer_code=m["customer_code"],
                                contact_id=m["contact_ref"], contact_name=m["contact_name"],
                                sent_at=iso(m["sent_at"]), delivered_at=iso(m["delivered_at"]))
                  for m in head["messages"]])
    return jsonify(out.model_dump())
