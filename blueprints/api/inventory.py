"""API: inventory query (function 5) and customer stock (function 6) — the same services
as the pages, so the scope and complete-input rules are the same."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scm_plugin.api_errors import api_error
from scm_plugin.auth import get_user
from scm_plugin.permissions import current_scope
from scm_plugin.state import get_db

from . import bp
from .spec import api_route

STAFF = ("rep", "admin")


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _num(value) -> str | None:
    return None if value is None else str(value)


# --- GET /inventory --------------------------------------------------------------------
class InventoryQuery(BaseModel):
    """Exactly one key, complete and exact (surrounding whitespace is trimmed)."""

    model_config = ConfigDict(extra="forbid")

    inventory_code: str | None = Field(None, description="Our inventory code (存货编码), complete")
    item_name: str | None = Field(None, description="The item name (存货名称), complete")
    master_disc_no: str | None = Field(None, description="The master-disc no (母盘号), complete")


class ItemOut(BaseModel):
    code: str
    name: str | None = None
    spec: str | None = None
    unit: str | None = None
    master_disc_no: str | None = None


class StockFigureOut(BaseModel):
    holder: Literal["own", "customer", "supplier"]
    holder_code: str | None = Field(None, description="Customer or supplier code; null for our warehouses")
    holder_name: str | None = None
    warehouse_code: str | None = Field(None, description="Our warehouses only")
    warehouse_name: str | None = None
    warehouse_kind: Literal["disc", "material", "accessory"] | None = Field(
        None, description="光盘成品 / 材料 / 附件包成品; null for other warehouses and other holders")
    quantity: str = Field(..., description="Decimal as a string")
    updated_at: str = Field(..., description="UTC. Our warehouses: the moment the ERP was read (live figures)")
    updated_by: str | None = None
    remarks: str | None = None
    source: Literal["erp", "recorded", "imported"]


class ItemStockOut(BaseModel):
    item: ItemOut
    stock: list[StockFigureOut]


class InventoryOut(ItemStockOut):
    other_items: list[ItemStockOut] = Field(
        default_factory=list, description="Further items with the same name or master-disc no")
    more_items: bool = Field(False, description="Still more items match than are listed (SCM_INVENTORY_MAX_MATCHES)")


def _item_out(item: dict) -> dict:
    return ItemOut(code=item["code"], name=item.get("name"), spec=item.get("spec"), unit=item.get("unit"),
                   master_disc_no=item.get("master_disc_no")).model_dump()


def _answer_out(answer) -> dict:
    return {"item": _item_out(answer.item), "stock": [StockFigureOut(
        holder=f.holder, holder_code=f.holder_code, holder_name=f.holder_name, warehouse_code=f.warehouse_code,
        warehouse_name=f.warehouse_name, warehouse_kind=f.warehouse_kind, quantity=str(f.quantity),
        updated_at=_iso(f.updated_at), updated_by=f.updated_by_username, remarks=f.remarks, source=f.source).model_dump()
        for f in answer.stock]}


@api_route(bp, "/inventory", "GET", summary="Stock of one item in our warehouses, at granted customers and suppliers",
           roles=STAFF, query=InventoryQuery, response=InventoryOut)
def inventory_query(query: InventoryQuery):
    from scm_plugin.blueprints.inventory import services

    # an empty key counts as not given (API.md: empty → 404 no_such_item)
    given = {k: v for k, v in query.model_dump().items() if v is not None and v.strip()}
    if len(given) > 1:
        return api_error(400, "invalid_input", {k: "inventory_one_key" for k in given})
    if not given:
        raise services.NoSuchItem()
    key, value = next(iter(given.items()))
    answers = services.query(get_db(), current_scope(), key, value)
    out = _answer_out(answers[0])
    out["other_items"] = [_answer_out(a) for a in answers[1:]]
    out["more_items"] = answers.more
    return jsonify(out)


# --- customer stock ---------------------------------------------------------------------
class Consumption(BaseModel):
    per_day: str | None = Field(None, description="Average use per day over the window; null: too little history")
    days_of_cover: str | None = Field(None, description="The last figure ÷ the rate")
    runs_out_on: str | None = Field(None, description="UTC: the last figure's time + the days of cover")


class CustomerStockItemOut(BaseModel):
    inventory_code: str
    item_name: str | None = None
    spec: str | None = None
    unit: str | None = None
    master_disc_no: str | None = None
    quantity: str
    remarks: str | None = None
    updated_at: str
    updated_by: str | None = None
    consumption: Consumption


class CustomerStockOut(BaseModel):
    customer_code: str
    customer_name: str
    window_days: int
    items: list[CustomerStockItemOut]


class HistoryOut(BaseModel):
    changed_at: str
    changed_by: str | None = None
    old_quantity: str | None = None
    new_quantity: str
    remarks: str | None = None


class CustomerStockDetailOut(CustomerStockItemOut):
    customer_code: str
    history: list[HistoryOut]


class StockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Any = Field(..., description="≥ 0, at most 4 decimals; a string keeps every digit",
                          json_schema_extra={"anyOf": [{"type": "string"}, {"type": "number"}]})
    remarks: str | None = Field(None, description="At most 255 characters")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value):
        # the rules of the pages (services.parse_quantity), with their message codes
        from scm_plugin.blueprints.inventory.services import parse_quantity
        from scm_plugin.errors import InvalidInput

        try:
            return parse_quantity(value)
        except InvalidInput as exc:
            raise ValueError(exc.fields["quantity"]) from None


def _consumption_out(c) -> dict:
    return Consumption(per_day=_num(c.per_day), days_of_cover=_num(c.days_of_cover),
                       runs_out_on=_iso(c.runs_out_on)).model_dump()


def _row_out(r: dict) -> dict:
    return CustomerStockItemOut(
        inventory_code=r["inventory_code"], item_name=r.get("item_name"), spec=r.get("spec"), unit=r.get("unit"),
        master_disc_no=r.get("master_disc_no"), quantity=str(r["quantity"]), remarks=r.get("remarks"),
        updated_at=_iso(r["updated_at"]), updated_by=r.get("updated_by_name"),
        consumption=_consumption_out(r["consumption"])).model_dump()


def _detail_out(d: dict) -> dict:
    cur, item = d["current"], d["item"]
    return CustomerStockDetailOut(
        customer_code=d["customer"]["code"], inventory_code=item["code"], item_name=item.get("name"),
        spec=item.get("spec"), unit=item.get("unit"), master_disc_no=item.get("master_disc_no"),
        quantity=str(cur["quantity"]), remarks=cur.get("remarks"), updated_at=_iso(cur["updated_at"]),
        updated_by=cur.get("updated_by_name"), consumption=_consumption_out(d["consumption"]),
        history=[HistoryOut(changed_at=_iso(h["changed_at"]), changed_by=h.get("changed_by_name"),
                            old_quantity=_num(h["old_quantity"]), new_quantity=str(h["new_quantity"]),
                            remarks=h.get("remarks")) for h in d["history"]]).model_dump()


@api_route(bp, "/customers/<customer_code>/stock", "GET", summary="A customer's recorded stock",
           roles=STAFF, response=CustomerStockOut)
def customer_stock(customer_code: str):
    from scm_plugin.blueprints.customer_stock import services

    data = services.stock_list(get_db(), current_scope(), customer_code)
    return jsonify(CustomerStockOut(customer_code=data["customer"]["code"], customer_name=data["customer"]["name"],
                                    window_days=data["window_days"],
                                    items=[_row_out(r) for r in data["rows"]]).model_dump())


@api_route(bp, "/customers/<customer_code>/stock/<inventory_code>", "GET",
           summary="One item of a customer's recorded stock, with its history", roles=STAFF,
           response=CustomerStockDetailOut)
def customer_stock_item(customer_code: str, inventory_code: str):
    from scm_plugin.blueprints.customer_stock import services

    return jsonify(_detail_out(services.item_detail(get_db(), current_scope(), customer_code, inventory_code)))


@api_route(bp, "/customers/<customer_code>/stock/<inventory_code>", "PUT",
           summary="Record the customer's current stock of an item (history kept)", roles=STAFF,
           body=StockIn, response=CustomerStockDetailOut)
def put_customer_stock(customer_code: str, inventory_code: str, body: StockIn):
    from scm_plugin.blueprints.customer_stock import services

    db, scope = get_db(), current_scope()
    saved = services.record(db, get_user(), scope, customer_code, inventory_code, body.quantity, body.remarks)
    return jsonify(_detail_out(services.item_detail(db, scope, saved["customer_code"], saved["inventory_code"])))
