"""Helpers of the alert-policy tests: approved orders, policies set through the API,
progress reports written into the ERP (through the mapping, in the ERP's local time),
and checker runs "as of" a given time."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fixtures.orders import order_payload
from scm_plugin import accounts
from scm_plugin.erp_bridge import erp_schema

ERP_TZ = ZoneInfo("Asia/Shanghai")   # [erp] timezone of both mappings


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def erp_local(utc: dt.datetime) -> dt.datetime:
    """A plugin time (naive UTC) as the ERP writes it (naive, its own zone)."""
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(ERP_TZ).replace(tzinfo=None)


def iso(utc: dt.datetime) -> str:
    return utc.replace(tzinfo=dt.timezone.utc).isoformat()


class Kit:
    """What the tests do again and again, on one app and its database."""

    def __init__(self, app, db):
        self.app = app
        self.db = db
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = accounts.create_token(self.db, username)
        return self._tokens[username]

    def api(self, method: str, path: str, user: str = "rep1", json=None):
        return self.app.test_client().api(method, path, json=json, token=self.token(user))

    def approved_order(self, customer_user: str = "cust1", kind: str = "sales", approver: str = "rep1",
                       **overrides) -> dict:
        resp = self.api("POST", "/orders", customer_user, json=order_payload(kind, **overrides))
        assert resp.status_code == 201, resp.get_json()
        order_no = resp.json["order_no"]
        resp = self.api("POST", f"/orders/{order_no}/approve", approver)
        assert resp.status_code == 200, resp.get_json()
        return resp.json

    def set_policy(self, order_no: str, checkpoints: list[tuple], sms_to=("13800138000",), user: str = "rep1"):
        """``checkpoints``: (due_at UTC, step, quantity) tuples."""
        body = {"checkpoints": [{"due_at": iso(due), "process_step": step, "quantity": str(qty)}
                                for due, step, qty in checkpoints],
                "sms_to": list(sms_to)}
        return self.api("PUT", f"/orders/{order_no}/alert-policy", user, json=body)

    def report(self, form_no: str, step: str, quantity, at_utc: dt.datetime, reporter: str = "车间") -> None:
        """A production-progress record (订单打更记录) as the ERP writes it."""
        with self.db.transaction() as tx:
            erp_schema.insert_entity_rows(tx, "progress", [{
                "order_ref": form_no, "process_code": step, "quantity": str(quantity),
                "reported_at": erp_local(at_utc).isoformat(), "reporter": reporter}])

    def check(self, at: dt.datetime):
        from scm_plugin.blueprints.alert_policy import checker
        with self.app.app_context():
            return checker.check(self.app.extensions["scm"].db, at=at)

    def alarms(self, order_no: str | None = None) -> list[dict]:
        sql = ("SELECT a.id, a.checkpoint_id, a.level, a.status, a.sms_batch_id, a.reached_qty, o.order_no "
               "FROM scm_alarm a JOIN scm_order o ON o.id = a.order_id")
        if order_no:
            return self.db.all_sql(sql + " WHERE o.order_no = ? ORDER BY a.id", order_no)
        return self.db.all_sql(sql + " ORDER BY a.id")

    def sms_of_alarm(self, alarm_id: int) -> list[dict]:
        """Outbox rows of the SMS batch raised with an alarm."""
        return self.db.all_sql(
            "SELECT x.id, x.recipient, x.body FROM scm_outbox x JOIN scm_sms_message m ON m.outbox_id = x.id "
            "JOIN scm_sms_batch b ON b.id = m.batch_id WHERE b.ref_type = 'alarm' AND b.ref_id = ? ORDER BY x.id",
            alarm_id)

    def sms_count(self) -> int:
        return int(self.db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox WHERE channel = 'sms'") or 0)
