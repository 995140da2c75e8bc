"""API: customer stock (function 6) — the same services as the pages."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin.auth import get_user
from scm_plugin.permissions import current_scope
from scm_plugin.quantities import STOCK, parse_quantity
from scm_plugin.roles import STAFF
from scm_plugin.serialize import iso, text
from scm_plugin.state import get_db

from . import services

routes = ApiRoutes()


class Consumption(BaseModel):
    per_day: str | None = Field(None, description="Average use per day over the window; null: too little history")
    days_of_cover: str | None = Field(None, description="The last figure ÷ the rate")
    runs_out_on: str | None = Field(None, description="UTC: the last figure's time + the days of cover")


class CustomerStockItemOut(BaseModel):
    inventory_code: str
    item_name: str | None = None
    spec: str | None = None
    unit: str | None = Field(None, description="The unit as shown (片): its name where the ERP keeps unit codes")
    unit_code: str | None = Field(None, description="The item's unit as the ERP keeps it (a code or a name)")
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
        # the rules of the pages, with their message codes
        return parse_quantity(value, STOCK)


def _consumption_out(c) -> dict:
    return Consumption(per_day=text(c.per_day), days_of_cover=text(c.days_of_cover),
                       runs_out_on=iso(c.runs_out_on)).model_dump()


def _row_out(r: dict) -> dict:
    return CustomerStockItemOut(
        inventory_code=r["inventory_code"], item_name=r.get("item_name"), spec=r.get("spec"), unit=r.get("unit"),
        unit_code=r.get("unit_code"), master_disc_no=r.get("master_disc_no"), quantity=str(r["quantity"]), remarks=r.get("remarks"),
        updated_at=iso(r["updated_at"]), updated_by=r.get("updated_by_name"),
        consumption=_consumption_out(r["consumption"])).model_dump()


def _detail_out(d: dict) -> dict:
    cur, item = d["current"], d["item"]
    return CustomerStockDetailOut(
        customer_code=d["customer"]["code"], inventory_code=item["code"], item_name=item.get("name"),
        spec=item.get("spec"), unit=item.get("unit"), unit_code=item.get("unit_code"),
        master_disc_no=item.get("master_disc_no"),
        quantity=str(cur["quantity"]), remarks=cur.get("remarks"), updated_at=iso(cur["updated_at"]),
        updated_by=cur.get("updated_by_name"), consumption=_consumption_out(d["consumption"]),
        history=[HistoryOut(changed_at=iso(h["changed_at"]), changed_by=h.get("changed_by_name"),
                            old_quantity=text(h["old_quantity"]), new_quantity=str(h["new_quantity"]),
                            remarks=h.get("remarks")) for h in d["history"]]).model_dump()


@routes.route("/customers/<customer_code>/stock", "GET", summary="A customer's recorded stock",
           roles=STAFF, response=CustomerStockOut)
def customer_stock(customer_code: str):
    data = services.stock_list(get_db(), current_scope(), customer_code)
    return jsonify(CustomerStockOut(customer_code=data["customer"]["code"], customer_name=data["customer"]["name"],
                                    window_days=data["window_days"],
                                    items=[_row_out(r) for r in data["rows"]]).model_dump())


@routes.route("/customers/<customer_code>/stock/<inventory_code>", "GET",
           summary="One item of a customer's recorded stock, with its history", roles=STAFF,
           response=CustomerStockDetailOut)
def customer_stock_item(customer_code: str, inventory_code: str):
    return jsonify(_detail_out(services.item_detail(get_db(), current_scope(), customer_code, inventory_code)))


@routes.route("/customers/<customer_code>/stock/<inventory_code>", "PUT",
           summary="Record the customer's current stock of an item (history kept)", roles=STAFF,
           body=StockIn, response=CustomerStockDetailOut)
def put_customer_stock(customer_code: str, inventory_code: str, body: StockIn):
    db, scope = get_db(), current_scope()
    saved = services.record(db, get_user(), scope, customer_code, inventory_code, body.quantity, body.remarks)
    return jsonify(_detail_out(services.item_detail(db, scope, saved["customer_code"], saved["inventory_code"])))
