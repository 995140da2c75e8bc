"""API: alert policies of orders and their alarms (functions 3 and 4, both kinds)."""
from typing import Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from scm_plugin.blueprints.api.spec import ApiRoutes
from scm_plugin.erp_bridge.repos import erp as erp_repo

from scm_plugin.auth import get_user
from scm_plugin.permissions import current_scope
from scm_plugin.roles import STAFF
from scm_plugin.state import get_db

from . import policy
from .schemas import (
    AlarmListOut,
    AlarmOut,
    CancelIn,
    PolicyIn,
    PolicyOut,
    alarm_to_api,
    policy_to_api,
)

routes = ApiRoutes()



class AlarmQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["open", "cancelled"] | None = None
    level: Literal["alarm", "warning"] | None = None
    kind: Literal["sales", "sample"] | None = None
    customer_code: str | None = Field(None, max_length=30)
    order_no: str | None = Field(None, max_length=30)
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)


@routes.route("/orders/<order_no>/alert-policy", "GET", summary="An order's alert policy, its state and open alarms",
           roles=STAFF, response=PolicyOut)
def get_alert_policy(order_no: str):
    return jsonify(policy_to_api(policy.policy_view(get_db(), current_scope(), order_no)))


@routes.route("/orders/<order_no>/alert-policy", "PUT",
           summary="Set an order's checkpoints and SMS recipients (409 while an alarm is open)",
           roles=STAFF, body=PolicyIn, response=PolicyOut)
def put_alert_policy(order_no: str, body: PolicyIn):
    view = policy.save_policy(get_db(), get_user(), current_scope(), order_no, body)
    return jsonify(policy_to_api(view))


@routes.route("/alarms", "GET", summary="Alarms and early warnings in the caller's scope", roles=STAFF,
           query=AlarmQuery, response=AlarmListOut)
def list_alarms(query: AlarmQuery):
    rows, total = policy.alarms(get_db(), current_scope(), status=query.status, level=query.level, kind=query.kind,
                                customer_code=query.customer_code, order_no=query.order_no,
                                limit=query.per_page, offset=(query.page - 1) * query.per_page)
    return jsonify({"items": [alarm_to_api(r) for r in rows], "page": query.page,
                    "per_page": query.per_page, "total": total})


@routes.route("/alarms/<int:alarm_id>/cancel", "POST", summary="Cancel an open alarm with a note (unlocks the policy)",
           roles=STAFF, body=CancelIn, response=AlarmOut)
def cancel_alarm(alarm_id: int, body: CancelIn):
    policy.cancel_alarm(get_db(), get_user(), current_scope(), alarm_id, body.note)
    return jsonify(alarm_to_api(policy.get_alarm(get_db(), current_scope(), alarm_id)))


class ProcessStepOut(BaseModel):
    code: str
    name: str
    seq: int


class ProcessStepList(BaseModel):
    items: list[ProcessStepOut]


@routes.route("/process-steps", summary="The ERP's process steps, in route order (the steps of checkpoints)",
              roles=STAFF, response=ProcessStepList)
def process_steps():
    rows = get_db().read(erp_repo.process_steps)
    return jsonify({"items": [{"code": r["code"], "name": r["name"], "seq": int(r["seq"])} for r in rows]})
