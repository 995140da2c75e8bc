"""Web orders — sales orders and sample orders are one implementation with a ``kind``.

Placing an order (portal page, API, a rep through the API) validates the input against
the ERP (inventory codes, the customer's part numbers), stores the order, its lines and
documents, and mails each rep granted that customer through the outbox — all in one
transaction. Reading an order always goes through the caller's customer scope. The
schemas and the API's representations are in ``order_schemas``.
"""
from __future__ import annotations

import hashlib
import logging

from flask import current_app

from . import attachments, audit, i18n, notify
from .erp_bridge import Database, UniqueViolation
from .erp_bridge.repos import erp as erp_repo
from .erp_bridge.repos import files as files_repo
from .erp_bridge.repos import orders as repo
from .erp_bridge.repos.scope import Scope
from .errors import Conflict, InvalidInput, NotFound
from .messages import coded
from .order_schemas import OrderIn, OrderLineIn
from .quantities import unit_refusal

log = logging.getLogger(__name__)

KIND_PREFIX = {"sales": "SO", "sample": "SP"}


# --- placing --------------------------------------------------------------------------
def request_hash(data: OrderIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode("utf-8")).hexdigest()


def _resolve_lines(tx, customer_code: str, lines: list[OrderLineIn]) -> tuple[list[dict], dict[str, str]]:
    """Each line's item from the ERP: by inventory code, or by the customer's part no.
    The quantity answers to the item's unit as the ERP keeps it (``SCM_UNIT_DECIMALS``)."""
    resolved, errors = [], {}
    unit_decimals = current_app.config.get("SCM_UNIT_DECIMALS")
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
        refused = unit_refusal(line.quantity, item, unit_decimals)
        if refused:
            errors[f"lines.{i}.quantity"] = coded(refused.code, unit=refused.unit, places=refused.places)
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

    try:
        stored = attachments.store_all(uploads, max_files=None)
    except InvalidInput as exc:
        errors.update(exc.fields)  # shown together with what the ERP says of the lines
        stored = []
    try:
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
            files = attachments.attach(tx, stored, draft_ids, owner_type="order", owner_id=order_id,
                                       customer_code=customer_code, user_id=user.id)
            if key:
                repo.idempotency_insert(tx, user.id, key, order_id, fingerprint)
            notify.mail_reps(tx, customer_code, "order_placed", about=("order", order_id),
                             setting="SCM_NOTIFY_REPS", per_customer=True,
                             link=notify.link("order_review.detail", fallback="home.index", order_no=order_no),
                             order_no=order_no, kind=data.kind, lines=lines)
            audit.record(tx, "order.place", "order", order_no, customer_code=customer_code,
                         detail=f"{data.kind}, {len(lines)} lines, {len(files)} files")
    except UniqueViolation:
        # A concurrent retry with the same Idempotency-Key won the race.
        attachments.discard_all(stored)
        replay = _replay(db, user.id, key, fingerprint, scope) if key else None
        if replay is None:
            raise
        return replay, True
    except BaseException:
        attachments.discard_all(stored)
        raise
    return get_order(db, scope, order_no), False


def _replay(db: Database, user_id: int, key: str, fingerprint: str, scope: Scope) -> dict | None:
    found = db.read(lambda tx: repo.idempotency_find(tx, user_id, key))
    if found is None:
        return None
    if found["request_hash"] and found["request_hash"] != fingerprint:
        raise Conflict("idempotency_key_reused")
    return get_order(db, scope, found["order_no"])


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
    stored = attachments.store_one(upload)
    try:
        with db.transaction() as tx:
            [att_id] = attachments.attach(tx, [stored], owner_type="order", owner_id=order["id"],
                                          customer_code=order["customer_code"], user_id=user.id)
            audit.record(tx, "order.attach", "order", order_no, customer_code=order["customer_code"],
                         detail=stored.original_name)
    except BaseException:
        attachments.discard_all([stored])
        raise
    return db.read(lambda tx: files_repo.by_id(tx, att_id))


def search(db: Database, scope: Scope, **filters) -> tuple[list[dict], int]:
    return db.read(lambda tx: repo.search(tx, scope, **filters))
