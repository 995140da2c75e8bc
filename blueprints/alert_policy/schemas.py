"""The API's input and output of alert policies and alarms: pydantic models (the
OpenAPI document is generated from them) and the serialisers that fill the output ones."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scm_plugin.quantities import parse_quantity, plain
from scm_plugin.serialize import iso

MAX_NOTE = 500


# --- input -------------------------------------------------------------------------------------
class CheckpointIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    due_at: dt.datetime = Field(..., description="ISO 8601; without an offset it is read in SCM_TIMEZONE")
    process_step: str = Field(..., min_length=1, max_length=10, description="An ERP process step code (GET /process-steps)")
    quantity: Decimal = Field(..., description="Expected quantity at this step (or a later one), > 0")

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value):
        return parse_quantity(value)


class PolicyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    checkpoints: list[CheckpointIn] = Field(..., max_length=100,
                                            description="In route order, due times ascending, quantities not decreasing")
    sms_to: list[str] | None = Field(None, max_length=100, description=(
        'SMS recipients: phone numbers, "contact:<id>" (a contact of the order\'s customer) or '
        '"user:<username>" (a rep or administrator with a mobile number). Default: the caller.'))


class CancelIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field(..., max_length=MAX_NOTE, description="Why the alarm is cancelled (kept in the audit log)")


# --- output ------------------------------------------------------------------------------------
class CheckpointOut(BaseModel):
    id: int
    seq: int
    due_at: str
    process_step: str
    process_name: str | None = None
    quantity: str
    reached: str
    state: str = Field(..., description="pending | met | missed")
    awaiting_contract_no: bool = Field(False, description=(
        "Pending because the ERP files progress by contract number and has not numbered this order's form "
        "yet: no alarm is raised until it has; then the checkpoint is judged against its own due time"))


class AlarmOut(BaseModel):
    id: int
    level: str = Field(..., description="alarm (locks the policy) | warning")
    status: str = Field(..., description="open | cancelled")
    order_no: str
    kind: str
    customer_code: str
    checkpoint_id: int
    due_at: str | None = None
    process_step: str | None = None
    quantity: str | None = None
    reached: str | None = None
    raised_at: str
    detail: str | None = None
    cancelled_at: str | None = None
    cancel_note: str | None = None


class PolicyOut(BaseModel):
    order_no: str
    kind: str
    customer_code: str
    checkpoints: list[CheckpointOut]
    sms_to: list[str]
    locked: bool
    progress_by: str = Field(..., description="What the ERP's progress reports name: form_no | contract_no")
    progress_ref: str | None = Field(None, description=(
        "The number this order's progress is reported against, as the ERP holds it now "
        "(null: no ERP form, or no contract number yet)"))
    open_alarms: list[AlarmOut]
    updated_at: str | None = None


class AlarmListOut(BaseModel):
    items: list[AlarmOut]
    page: int
    per_page: int
    total: int


def policy_to_api(view: dict) -> dict:
    """A policy as ``policy.policy_view`` reads it → ``PolicyOut``."""
    order = view["order"]
    out = PolicyOut(
        order_no=order["order_no"], kind=order["kind"], customer_code=order["customer_code"],
        checkpoints=[CheckpointOut(id=c["id"], seq=int(c["seq"]), due_at=iso(c["due_at"]),
                                   process_step=c["process_code"], process_name=c.get("process_name"),
                                   quantity=plain(c["quantity"]), reached=plain(c["reached"]), state=c["state"],
                                   awaiting_contract_no=bool(c.get("awaiting_contract_no")))
                     for c in view["checkpoints"]],
        sms_to=view["sms_to"], locked=view["locked"], progress_by=view["progress_by"],
        progress_ref=view["progress_ref"],
        open_alarms=[alarm_to_api(dict(a, order_no=order["order_no"], kind=order["kind"],
                                       customer_code=order["customer_code"])) for a in view["open_alarms"]],
        updated_at=iso(view["policy"]["updated_at"]) if view["policy"] else None)
    return out.model_dump()


def alarm_to_api(a: dict) -> dict:
    return AlarmOut(
        id=a["id"], level=a["level"], status=a["status"], order_no=a["order_no"], kind=a["kind"],
        customer_code=a["customer_code"], checkpoint_id=int(a["checkpoint_id"]), due_at=iso(a.get("due_at")),
        process_step=a.get("process_code"), quantity=plain(a["quantity"]) if a.get("quantity") is not None else None,
        reached=plain(a["reached_qty"]) if a.get("reached_qty") is not None else None,
        raised_at=iso(a["raised_at"]), detail=a.get("detail"), cancelled_at=iso(a.get("cancelled_at")),
        cancel_note=a.get("cancel_note")).model_dump()
