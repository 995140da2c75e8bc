"""API: inventory query (function 5) — the same services as the page, so the scope and
complete-input rules are the same."""
from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from scm_plugin.blueprints.api.spec import ApiRoutes

from scm_plugin.api_errors import api_error
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.serialize import iso
from scm_plugin.state import get_db

from . import services

routes = ApiRoutes()



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
    unit: str | None = Field(None, description="The unit as shown (片): its name where the ERP keeps unit codes")
    unit_code: str | None = Field(None, description="The item's unit as the ERP keeps it (a code or a name)")
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
                   unit_code=item.get("unit_code"), master_disc_no=item.get("master_disc_no")).model_dump()


def _answer_out(answer) -> dict:
    return {"item": _item_out(answer.item), "stock": [StockFigureOut(
        holder=f.holder, holder_code=f.holder_code, holder_name=f.holder_name, warehouse_code=f.warehouse_code,
        warehouse_name=f.warehouse_name, warehouse_kind=f.warehouse_kind, quantity=str(f.quantity),
        updated_at=iso(f.updated_at), updated_by=f.updated_by_username, remarks=f.remarks, source=f.source).model_dump()
        for f in answer.stock]}


@routes.route("/inventory", "GET", summary="Stock of one item in our warehouses, at granted customers and suppliers",
           roles=STAFF, query=InventoryQuery, response=InventoryOut)
def inventory_query(query: InventoryQuery):
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
