"""The web order's input and output schemas (the API's OpenAPI document is generated
from these) and its representations: as the API answers it, and as the portal's form
starts from it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .erp_widths import ContractNo, CustomerCode, CustomerPartNo, InventoryCode, MasterDiscNo
from .quantities import parse_quantity
from .serialize import iso

MAX_LINES = 200


# --- input ---------------------------------------------------------------------------------
KINDS = ("sales", "sample")


class OrderFilters(BaseModel):
    """How a list of web orders is searched, by the API and the alert-policy pages."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_code: CustomerCode | None = None
    order_no: str | None = Field(None, max_length=30)
    contract_no: ContractNo | None = None
    customer_part_no: CustomerPartNo | None = Field(None, description="The customer's part no (料号)")
    inventory_code: InventoryCode | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class OrderLineIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    inventory_code: InventoryCode | None = Field(None, description="Our inventory code (存货编码)")
    customer_part_no: CustomerPartNo | None = Field(None, description="The customer's part no (料号)")
    item_name: str | None = Field(None, max_length=100)
    master_disc_no: MasterDiscNo | None = None
    quantity: Decimal = Field(..., description="Greater than 0, at most 4 decimals; a whole number where the "
                                               "item's unit is counted in whole numbers (SCM_UNIT_DECIMALS)")
    unit: str | None = Field(None, max_length=20)
    remarks: str | None = Field(None, max_length=255)

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value):
        return parse_quantity(value)


class OrderIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    kind: Literal["sales", "sample"]
    customer_code: CustomerCode | None = Field(None, description="Reps only: the customer")
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


# --- representations -----------------------------------------------------------------------
def to_api(order: dict) -> dict:
    out = OrderOut(
        order_no=order["order_no"], kind=order["kind"], status=order["status"],
        customer_code=order["customer_code"], customer_name=order.get("customer_name"),
        placed_at=iso(order["placed_at"]), customer_order_no=order.get("customer_order_no"),
        requested_date=iso(order.get("requested_date")), remarks=order.get("remarks"),
        lines=[OrderLineOut(line_no=l["line_no"], inventory_code=l["inventory_code"],
                            customer_part_no=l["customer_part_no"], item_name=l["item_name"],
                            master_disc_no=l["master_disc_no"], quantity=str(plain_quantity(l["quantity"])),
                            unit=l["unit"], remarks=l["remarks"]) for l in order.get("lines", [])],
        attachments=[attachment_to_api(a) for a in order.get("attachments", [])],
        erp_form_no=order.get("erp_form_no"), contract_no=order.get("contract_no"),
        reject_reason=order.get("reject_reason"))
    return out.model_dump()


def attachment_to_api(a: dict) -> dict:
    return AttachmentOut(id=a["id"], original_name=a["original_name"], content_type=a["content_type"],
                         size_bytes=int(a["size_bytes"]), uploaded_at=iso(a["uploaded_at"])).model_dump()


def summary_to_api(row: dict) -> dict:
    return OrderSummaryOut(
        order_no=row["order_no"], kind=row["kind"], status=row["status"], customer_code=row["customer_code"],
        customer_name=row.get("customer_name"), placed_at=iso(row["placed_at"]),
        customer_order_no=row.get("customer_order_no"), requested_date=iso(row.get("requested_date")),
        line_count=int(row.get("line_count") or 0), erp_form_no=row.get("erp_form_no"),
        contract_no=row.get("contract_no"), reject_reason=row.get("reject_reason")).model_dump()


def plain_quantity(value) -> Decimal:
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
                   "quantity": str(plain_quantity(l["quantity"])), "unit": l["unit"] or "", "remarks": l["remarks"] or ""}
                  for l in order["lines"]],
    }
