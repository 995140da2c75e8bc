"""API: orders and their documents (both kinds)."""
import datetime as dt
from typing import Literal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin import attachments, order_schemas, orders
from scm_plugin.api_errors import api_error
from scm_plugin.auth import get_user
from scm_plugin.i18n import from_local
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db

from . import services as review

routes = ApiRoutes()

IDEMPOTENCY_KEY_MAX = 80   # scm_idempotency.idem_key; scm_plugin.orders cuts longer keys


class OrderQuery(order_schemas.OrderFilters):
    kind: Literal["sales", "sample"] | None = None
    status: Literal["pending", "approved", "rejected"] | None = None
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)


@routes.route("/orders", "POST", summary="Place a sales or sample order", roles=("customer", "rep", "admin"),
           body=order_schemas.OrderIn, response=order_schemas.OrderOut, status=201, also=(200,),
           headers={"Idempotency-Key": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX, "description":
                    "A retry with the same key and body answers 200 with the same order; another body: 409"}})
def place_order(body: order_schemas.OrderIn):
    key = request.headers.get("Idempotency-Key")
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        # cut to length, two long keys alike in their first characters would be one key
        return api_error(400, "invalid_input", {"Idempotency-Key": "too_long"})
    order, replayed = orders.place_order(get_db(), get_user(), current_scope(), body, idempotency_key=key)
    resp = jsonify(order_schemas.to_api(order))
    resp.status_code = 200 if replayed else 201
    if replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@routes.route("/orders", "GET", summary="Orders in the caller's scope", roles=("customer", "rep", "admin"),
           query=OrderQuery, response=order_schemas.OrderListOut)
def list_orders(query: OrderQuery):
    date_from = from_local(dt.datetime.combine(query.date_from, dt.time())) if query.date_from else None
    date_to = from_local(dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time())) if query.date_to else None
    rows, total = orders.search(
        get_db(), current_scope(), kind=query.kind, status=query.status, customer_code=query.customer_code,
        order_no=query.order_no, contract_no=query.contract_no, customer_part_no=query.customer_part_no,
        inventory_code=query.inventory_code, date_from=date_from, date_to=date_to,
        limit=query.per_page, offset=(query.page - 1) * query.per_page)
    return jsonify({"items": [order_schemas.summary_to_api(r) for r in rows], "page": query.page,
                    "per_page": query.per_page, "total": total})


@routes.route("/orders/<order_no>", "GET", summary="One order", roles=("customer", "rep", "admin"),
           response=order_schemas.OrderOut)
def get_order(order_no: str):
    return jsonify(order_schemas.to_api(orders.get_order(get_db(), current_scope(), order_no)))


@routes.route("/orders/<order_no>/attachments", "POST", summary="Attach a document to a pending order",
           roles=("customer", "rep", "admin"), response=order_schemas.AttachmentOut, status=201,
           multipart={"file": "binary"})
def add_attachment(order_no: str):
    upload = request.files.get("file")
    att = orders.add_attachment(get_db(), get_user(), current_scope(), order_no, upload)
    resp = jsonify(order_schemas.attachment_to_api(att))
    resp.status_code = 201
    return resp


@routes.route("/orders/<order_no>/attachments/<int:attachment_id>", "GET",
           summary="Download a document of an order", roles=("customer", "rep", "admin"), download=True)
def get_attachment(order_no: str, attachment_id: int):
    return attachments.download(orders.get_attachment(get_db(), current_scope(), order_no, attachment_id))



class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(..., min_length=1, max_length=500, description="Shown to the customer")


@routes.route("/orders/<order_no>/approve", "POST", summary="Approve into the ERP review form (exactly once)",
           roles=STAFF, response=order_schemas.OrderOut)
def approve_order(order_no: str):
    decision = review.approve(get_db(), get_user(), current_scope(), order_no)
    return jsonify(order_schemas.to_api(decision.order))


@routes.route("/orders/<order_no>/reject", "POST", summary="Reject with a reason the customer sees",
           roles=STAFF, body=RejectIn, response=order_schemas.OrderOut)
def reject_order(order_no: str, body: RejectIn):
    decision = review.reject(get_db(), get_user(), current_scope(), order_no, body.reason)
    return jsonify(order_schemas.to_api(decision.order))
