"""The database goes away for a moment right after the mail server or the SMS gateway
took a message, before the relay could record it: the relay waits the blip out (bounded)
and records it, so the row is not reclaimed and sent a second time."""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import threading

from alert_policy.helpers import Kit
from faults.conftest import relay_once
from fixtures.orders import order_payload
from scm_plugin import outbox
from scm_plugin.erp_bridge.clock import utcnow


def test_a_database_blip_after_sending_does_not_send_twice(outage_app, db, monkeypatch):
    app = outage_app
    kit = Kit(app, db)
    kit.api("POST", "/orders", "cust1", json=order_payload())                       # two mails
    assert kit.api("POST", "/sms", json={"recipients": ["13800138000", "13600001111"],
                                         "text": "断库瞬断测试"}).status_code == 202  # two SMS
    calls: collections.Counter = collections.Counter()
    timers: list[threading.Timer] = []

    channels = app.extensions["scm"].channels

    def wrap(channel):
        real = channels[channel].send

        def send_then_blip(app_, row):
            real(app_, row)
            calls[row["id"]] += 1
            if len(timers) < 2 and sum(calls.values()) in (1, 3):   # after the first mail and the first SMS
                app.scm_outage_start()
                timer = threading.Timer(1.0, app.scm_outage_end)   # back a second later
                timers.append(timer)
                timer.start()
        return send_then_blip
    for channel in ("mail", "sms"):
        monkeypatch.setitem(channels, channel, dataclasses.replace(channels[channel], send=wrap(channel)))
    try:
        counts = relay_once(app)
    finally:
        for timer in timers:
            timer.join(timeout=5)
        app.scm_outage_end()
    assert len(timers) == 2, "the blips never happened"
    assert counts == {"sent": 4, "retry": 0, "failed": 0}
    rows = db.all_sql("SELECT id, status FROM scm_outbox")
    assert {r["status"] for r in rows} == {"sent"}
    # Whatever a reclaim would find later: nothing is left to send again.
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_outbox SET claimed_at = ?", utcnow() - dt.timedelta(hours=1))
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
    assert sorted(calls) == sorted(r["id"] for r in rows) and set(calls.values()) == {1}, calls
    assert {m["status"] for m in db.all_sql("SELECT status FROM scm_sms_message")} == {"sent"}
