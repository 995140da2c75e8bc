"""Web orders — sales orders and sample orders are one implementation with a ``kind``.

Placing an order (portal page, API, a rep through the API) validates the input against
the ERP (inventory codes, the customer's part numbers), stores the order, its lines and
documents, and writes a mail to each rep granted that customer into the outbox — all in
one transaction. Reading an order always goes through the caller's customer scope.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from decimal import Decimal
from typing import Literal

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import audit, drafts, i18n, storage
from .erp_bridge import Database, UniqueViolation
from .erp_bridge.repos import erp as erp_repo
from .erp_bridge.repos import files as files_repo
from .erp_bridge.repos import orders as repo
from .erp_bridge.repos import users as users_repo
from .erp_bridge.repos.scope import Scope
from .errors import Conflict, InvalidInput, NotFound
from .quantities import parse_quantity

log = logging.getLogger(__name__)

KIND_PREFIX = {"sales": "SO", "sample": "SP"}
MAX_LINES = 200


# --- input schemas (the API's OpenAPI document is generated from these) ---------------
class OrderLineIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    inventory_code: str | None = Field(None, max_length=30, description="Our inventory code (存货编码)")
    customer_part_no: str | None = Field(None, max_length=40, description="The customer's part no (料号)")
    item_name: str | None = Field(None, max_length=100)
    master_disc_no: str | None = Field(None, max_length=30)
    quantity: Decimal = Field(..., description="Greater than 0, at most 4 decimals")
    unit: str | None = Field(None, max_length=20)
    remarks: str | None = Field(None, max_length=255)

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value):
        return parse_quantity(value)


class OrderIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: Literal["sales", "sample"]
    customer_code: str | None = Field(None, max_length=30, description="Reps only: the customer")
    customer_order_no: str | None = Field(None, max_length=40)
    requested_date: dt.date
    remarks: str | None = Field(None, max_length=2000)
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=MAX_LINES)


class OrderLineOut(BaseModel):
    line_no: int
    inventory_code: str | None = None
    customer_part_no: str | None = None
    item_name: str | None = None
    master_disc_no: str | None = None
    quantity: str
    unit: str | None = None
    remarks: str | None = None


class AttachmentOut(BaseModel):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: str


class OrderOut(BaseModel):
    order_no: str
    kind: str
    status: str
    customer_code: str
    customer_name: str | None = None
    placed_at: str
    customer_order_no: str | None = None
    requested_date: str | None = None
    remarks: str | None = None
    lines: list[OrderLineOut] = []
    attachments: list[AttachmentOut] = []
    erp_form_no: str | None = None
    contract_no: str | None = None
    reject_reason: str | None = None


class OrderSummaryOut(BaseModel):
    order_no: str
    kind: str
    status: str
    customer_code: str
    customer_name: str | None = None
    placed_at: str
    customer_order_no: str | None = None
    requested_date: str | None = None
    line_count: int
    erp_form_no: str | None = None
    contract_no: str | None = None
    reject_reason: str | None = None


class OrderListOut(BaseModel):
    items: list[OrderSummaryOut]
    page: int
    per_page: int
    total: int


# --- placing --------------------------------------------------------------------------
def request_hash(data: OrderIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode("utf-8")).hexdigest()


def _resolve_lines(tx, customer_code: str, lines: list[OrderLineIn]) -> tuple[list[dict], dict[str, str]]:
    """Each line's item from the ERP: by inventory code, or by the customer's part no."""
    resolved, errors = [], {}
    for i, line in enumerate(lines):
        item = None
        if line.inventory_code:
            item = erp_repo.item(tx, line.inventory_code)
            if item is None:
                errors[f"lines.{i}.inventory_code"] = "item_unknown"
        elif line.customer_part_no:
            item = erp_repo.item_by_customer_part(tx, customer_code, line.customer_part_no)
            if item is None:
                errors[f"lines.{i}.customer_part_no"] = "part_no_unknown"
        else:
            errors[f"lines.{i}.inventory_code"] = "item_required"
        if item is None:
            continue
        resolved.append({
            "inventory_code": item["code"],
            "customer_part_no": line.customer_part_no or item.get("customer_part_no"),
            "item_name": line.item_name or item["name"],
            "master_disc_no": line.master_disc_no or item["master_disc_no"],
            "quantity": line.quantity,
            "unit": line.unit or item["unit"],
            "remarks": line.remarks,
        })
    return resolved, errors


def place_order(db: Database, user, scope: Scope, data: OrderIn, *, uploads=(), draft_ids=(),
                idempotency_key: str | None = None, copied_from: str | None = None
                ) -> tuple[dict, bool]:
    """Validate and store an order; returns (order, replayed). ``uploads`` are Werkzeug
    files, stored before the transaction and removed again if it does not commit.
    A repeated ``idempotency_key`` returns the first order (replayed=True)."""
    errors: dict[str, str] = {}
    if user.role == "customer":
        customer_code = user.customer_code
    else:
        customer_code = data.customer_code
        if not customer_code:
            errors["customer_code"] = "customer_required"
    if data.requested_date < i18n.local_today():
        errors["requested_date"] = "date_in_past"
    key = (idempotency_key or "").strip()[:80] or None
    fingerprint = request_hash(data)

    if key:
        replay = _replay(db, user.id, key, fingerprint, scope)
        if replay is not None:
            return replay, True

    stored: list[storage.StoredFile] = []
    try:
        for upload in uploads:
            try:
                stored.append(storage.save(upload, field="files"))
            except InvalidInput as exc:
                errors.update(exc.fields)
        with db.transaction(write=True) as tx:
            if customer_code and not scope.allows(tx, customer_code):
                errors["customer_code"] = "customer_unknown"
            lines, line_errors = _resolve_lines(tx, customer_code or "", data.lines) if customer_code else ([], {})
            errors.update(line_errors)
            if errors:
                raise InvalidInput(errors)
            source = None
            if copied_from:
                original = repo.header(tx, copied_from)
                if original and original["customer_code"] == customer_code:
                    source = original["id"]
            order_id, order_no = repo.insert_order(
                tx, kind=data.kind, customer_code=customer_code, customer_order_no=data.customer_order_no,
                requested_date=data.requested_date, remarks=data.remarks, placed_by=user.id,
                number_prefix=KIND_PREFIX[data.kind], local_day=i18n.local_today(), copied_from=source)
            for n, line in enumerate(lines, start=1):
                repo.insert_line(tx, order_id, n, line)
            drafts.adopt_drafts(tx, draft_ids, user_id=user.id, owner_type="order", owner_id=order_id,
                                customer_code=customer_code)
            for f in stored:
                files_repo.insert(tx, owner_type="order", owner_id=order_id, customer_code=customer_code,
                                  stored=f, uploaded_by=user.id)
            if key:
                repo.idempotency_insert(tx, user.id, key, order_id, fingerprint)
            _notify_reps(tx, order_no, data.kind, customer_code, order_id, lines)
            audit.record(tx, "order.place", "order", order_no, customer_code=customer_code,
                         detail=f"{data.kind}, {len(lines)} lines, {len(stored) + len(draft_ids)} files")
    except UniqueViolation:
        # A concurrent retry with the same Idempotency-Key won the race.
        for f in stored:
            storage.discard(f)
        replay = _replay(db, user.id, key, fingerprint, scope) if key else None
        if replay is None:
            raise
        return replay, True
    except BaseException:
        for f in stored:
            storage.discard(f)
        raise
    return get_order(db, scope, order_no), False


def keep_drafts(db: Database, user, uploads) -> tuple[list[dict], dict[str, str]]:
    """Store the valid files of a form that failed validation, so the user does not
    have to choose them again; returns the drafts and the per-file errors."""
    drafts, errors = [], {}
    for upload in uploads:
        try:
            upload.stream.seek(0)  # place_order may already have read it
            f = storage.save(upload, field="files")
        except InvalidInput as exc:
            errors.update(exc.fields)
            continue
        with db.transaction() as tx:
            draft_id = files_repo.insert(tx, owner_type="draft", owner_id=None, customer_code=None,
                                         stored=f, uploaded_by=user.id)
        drafts.append({"id": draft_id, "original_name": f.original_name, "size_bytes": f.size_bytes})
    return drafts, errors


def drafts_of(db: Database, user, ids) -> list[dict]:
    wanted = {int(i) for i in ids if str(i).isdigit()}
    rows = db.read(lambda tx: files_repo.drafts_of_user(tx, user.id))
    return [r for r in rows if r["id"] in wanted]


def _replay(db: Database, user_id: int, key: str, fingerprint: str, scope: Scope) -> dict | None:
    found = db.read(lambda tx: repo.idempotency_find(tx, user_id, key))
    if found is None:
        return None
    if found["request_hash"] and found["request_hash"] != fingerprint:
        raise Conflict("idempotency_key_reused")
    return get_order(db, scope, found["order_no"])


def _notify_reps(tx, order_no: str, kind: str, customer_code: str, order_id: int, lines: list[dict]) -> None:
    config = current_app.config
    if not repo.customer_notify(tx, customer_code, bool(config.get("SCM_NOTIFY_REPS", True))):
        return
    from .outbox import (
        enqueue_mail,  # the outbox imports the scheduler; keep import light here
    )
    customer = erp_repo.customer(tx, customer_code) or {"code": customer_code, "name": customer_code}
    reps = users_repo.reps_of_customer(tx, customer_code, i18n.local_today())
    link = _review_link(order_no)
    for rep in reps:
        if not rep["email"]:
            continue
        with i18n.force_locale(rep.get("locale")):
            enqueue_mail(tx, to=rep["email"], template="order_placed",
                         context={"rep": rep, "customer": customer, "order_no": order_no, "kind": kind,
                                  "lines": lines, "link": link},
                         ref_type="order", ref_id=order_id, customer_code=customer_code)


def _review_link(order_no: str) -> str | None:
    from werkzeug.routing import BuildError

    from .web import scm_url
    try:
        return scm_url("order_review.detail", order_no=order_no, _external=True)
    except BuildError:  # the review module is switched off: link to the start page
        return scm_url("home.index", _external=True)


# --- reading ----------------------------------------------------------------------------
def get_order(db: Database, scope: Scope, order_no: str) -> dict:
    """Header, lines and attachments; NotFound if missing or outside the scope."""
    def read(tx):
        head = repo.header(tx, order_no)
        if head is None or not scope.allows(tx, head["customer_code"]):
            raise NotFound("order")
        head["lines"] = repo.lines(tx, head["id"])
        head["attachments"] = files_repo.of_owner(tx, "order", head["id"])
        return head
    return db.read(read)


def get_attachment(db: Database, scope: Scope, order_no: str, attachment_id: int) -> dict:
    order = get_order(db, scope, order_no)
    for att in order["attachments"]:
        if att["id"] == attachment_id:
            return att
    raise NotFound("attachment")


def add_attachment(db: Database, user, scope: Scope, order_no: str, upload) -> dict:
    """A document for a pending order (API)."""
    order = get_order(db, scope, order_no)
    if order["status"] != "pending":
        raise Conflict("order_not_pending")
    stored = storage.save(upload)
    try:
        with db.transaction() as tx:
            att_id = files_repo.insert(tx, owner_type="order", owner_id=order["id"],
                                       customer_code=order["customer_code"], stored=stored, uploaded_by=user.id)
            audit.record(tx, "order.attach", "order", order_no, customer_code=order["customer_code"],
                         detail=stored.original_name)
    except BaseException:
        storage.discard(stored)
        raise
    return db.read(lambda tx: files_repo.by_id(tx, att_id))


def search(db: Database, scope: Scope, **filters) -> tuple[list[dict], int]:
    return db.read(lambda tx: repo.search(tx, scope, **filters))


# --- API representations ------------------------------------------------------------------
def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def to_api(order: dict) -> dict:
    out = OrderOut(
        order_no=order["order_no"], kind=order["kind"], status=order["status"],
        customer_code=order["customer_code"], customer_name=order.get("customer_name"),
        placed_at=_iso(order["placed_at"]), customer_order_no=order.get("customer_order_no"),
        requested_date=_iso(order.get("requested_date")), remarks=order.get("remarks"),
        lines=[OrderLineOut(line_no=l["line_no"], inventory_code=l["inventory_code"],
                            customer_part_no=l["customer_part_no"], item_name=l["item_name"],
                            master_disc_no=l["master_disc_no"], quantity=str(_qty(l["quantity"])),
                            unit=l["unit"], remarks=l["remarks"]) for l in order.get("lines", [])],
        attachments=[attachment_to_api(a) for a in order.get("attachments", [])],
        erp_form_no=order.get("erp_form_no"), contract_no=order.get("contract_no"),
        reject_reason=order.get("reject_reason"))
    return out.model_dump()


def attachment_to_api(a: dict) -> dict:
    return AttachmentOut(id=a["id"], original_name=a["original_name"], content_type=a["content_type"],
                         size_bytes=int(a["size_bytes"]), uploaded_at=_iso(a["uploaded_at"])).model_dump()


def summary_to_api(row: dict) -> dict:
    return OrderSummaryOut(
        order_no=row["order_no"], kind=row["kind"], status=row["status"], customer_code=row["customer_code"],
        customer_name=row.get("customer_name"), placed_at=_iso(row["placed_at"]),
        customer_order_no=row.get("customer_order_no"), requested_date=_iso(row.get("requested_date")),
        line_count=int(row.get("line_count") or 0), erp_form_no=row.get("erp_form_no"),
        contract_no=row.get("contract_no"), reject_reason=row.get("reject_reason")).model_dump()


def _qty(value) -> Decimal:
    """Quantities without trailing zeros: 30000.000000 → 30000, 12.50 → 12.5."""
    q = Decimal(value)
    return q.quantize(Decimal(1)) if q == q.to_integral() else q.normalize()


def order_as_form_data(order: dict) -> dict:
    """A rejected order as the starting point of a new one (re-place as an editable copy)."""
    return {
        "kind": order["kind"], "customer_order_no": order.get("customer_order_no") or "",
        "requested_date": "", "remarks": order.get("remarks") or "",
        "lines": [{"inventory_code": l["inventory_code"] or "", "customer_part_no": l["customer_part_no"] or "",
                   "item_name": l["item_name"] or "", "master_disc_no": l["master_disc_no"] or "",
                   "quantity": str(_qty(l["quantity"])), "unit": l["unit"] or "", "remarks": l["remarks"] or ""}
                  for l in order["lines"]],
    }


