"""The mail server stopped while reps work: the pages succeed and say the mail is on its
way, the relay retries without giving up too early, and once the server is back every
mail arrives exactly once — also when the server went away in the middle of a batch."""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt

import pytest

from faults.conftest import relay_once
from scm_plugin import outbox
from scm_plugin.erp_bridge.clock import utcnow


@pytest.fixture
def app_config(mail_config):
    return dict(mail_config, SCM_OUTBOX_BACKOFF_SECONDS=1)


def _flash(client, resp) -> str:
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:800]
    return client.get(resp.headers["Location"]).get_data(as_text=True)


def _received(smtp) -> collections.Counter:
    return collections.Counter((rcpt, str(m["Subject"]))
                               for m, (_from, rcpts) in zip(smtp.messages, smtp.collector.envelopes)
                               for rcpt in rcpts)


def _expected(db) -> collections.Counter:
    return collections.Counter((r["recipient"], r["subject"])
                               for r in db.all_sql("SELECT recipient, subject FROM scm_outbox WHERE channel = 'mail'"))


def test_reject_and_reply_while_the_mail_server_is_down_each_mail_arrives_once(app, db, smtp_back, make_order,
                                                                              tokens, login):
    smtp = smtp_back
    order = make_order("cust1")
    fb = app.test_client().api("POST", "/feedback", token=tokens("cust1"), json={
        "type": "complaint", "subject": "包装破损", "body": "第二箱外包装破损。"})
    assert fb.status_code == 201, fb.get_data(as_text=True)
    assert relay_once(app)["sent"] >= 2            # the reps' mails of the order and the complaint
    before = len(smtp.messages)

    smtp.stop()
    rep = login("rep1")
    page = _flash(rep, rep.form(f"/scm/review/orders/{order['order_no']}/reject", {"reason": "交期无法满足"}))
    assert "已退回" in page or "已拒绝" in page, page
    assert "邮件" in page and ("发送" in page or "排队" in page), page       # told the mail is on its way…
    assert "已通知客户" not in page                                          # …not that it has arrived
    page = _flash(rep, rep.form(f"/scm/feedback/{fb.json['id']}/reply", {"body": "已安排补发，抱歉。"}))
    assert "回复已保存" in page, page
    assert "已收到邮件" not in page and "邮件" in page, page

    # The relay runs while the server is down: nothing sent, nothing given up, retried later.
    assert relay_once(app) == {"sent": 0, "retry": 2, "failed": 0}
    rows = db.all_sql("SELECT recipient, status, attempts, next_attempt_at, last_error FROM scm_outbox "
                      "WHERE status <> 'sent'")
    assert sorted(r["recipient"] for r in rows) == ["cust1@example.test"] * 2
    assert all(r["status"] == "pending" and r["attempts"] == 1 and r["next_attempt_at"] > utcnow()
               - dt.timedelta(seconds=1) and "unreachable" in r["last_error"] for r in rows), rows
    assert relay_once(app) == {"sent": 0, "retry": 0, "failed": 0}          # back-off: not yet due
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 2, "failed": 0}
    assert len(smtp.messages) == before

    smtp.start()
    assert relay_once(app, db, due=True) == {"sent": 2, "retry": 0, "failed": 0}
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
    got = _received(smtp)
    assert got == _expected(db) and set(got.values()) == {1}, got
    to_customer = smtp.collector.to("cust1@example.test")
    assert len(to_customer) == 2
    assert any("交期无法满足" in m.get_body(("plain",)).get_content() for m in to_customer)
    assert any("已安排补发" in m.get_body(("plain",)).get_content() for m in to_customer)


def test_relay_interrupted_mid_batch_sends_the_rest_later_without_doubling(app, db, smtp_back, make_order,
                                                                          monkeypatch):
    smtp = smtp_back
    for no in range(3):
        make_order("cust1", customer_order_no=f"PO-中断-{no}")
    expected = _expected(db)
    assert sum(expected.values()) == 6                    # rep1 and admin, three orders each

    channels = app.extensions["scm"].channels
    real_send = channels["mail"].send
    calls = []

    def send_then_server_dies(app_, row):
        real_send(app_, row)
        calls.append(row["id"])
        if len(calls) == 1:
            smtp.stop()                                   # gone right after the first message
    monkeypatch.setitem(channels, "mail", dataclasses.replace(channels["mail"], send=send_then_server_dies))

    assert relay_once(app) == {"sent": 1, "retry": 5, "failed": 0}
    assert len(smtp.messages) == 1
    statuses = collections.Counter(r["status"] for r in db.all_sql("SELECT status FROM scm_outbox"))
    assert statuses == {"sent": 1, "pending": 5}
    smtp.start()
    assert relay_once(app, db, due=True) == {"sent": 5, "retry": 0, "failed": 0}
    assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
    got = _received(smtp)
    assert got == expected and set(got.values()) == {1}, got
    # Each message carries its own row's Message-ID: none repeated.
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(ids)) == len(ids) == 6


def test_a_long_mail_outage_is_waited_out_not_given_up(app, db, smtp_back, make_order):
    """With the default settings a mail survives a night's outage of the mail server
    (12 hours) before it is marked failed for an admin."""
    smtp = smtp_back
    for key in ("SCM_OUTBOX_MAX_ATTEMPTS", "SCM_OUTBOX_BACKOFF_SECONDS"):
        app.config.pop(key, None)
    from scm_plugin.config import defaults  # the package defaults, as an install gets them
    app.config.update({k: v for k, v in defaults.DEFAULTS.items() if k.startswith("SCM_OUTBOX_")})
    make_order("cust1", lines=[{"inventory_code": "1001001", "quantity": "100"}])
    smtp.stop()
    waited = dt.timedelta(0)
    for _ in range(200):                          # bounded: far more than any sane retry count
        counts = relay_once(app, db, due=True)
        rows = db.all_sql("SELECT status, next_attempt_at FROM scm_outbox ORDER BY id")
        if all(r["status"] == "failed" for r in rows):
            break
        assert counts["sent"] == 0 and counts["retry"] == len(rows)
        waited += max(r["next_attempt_at"] for r in rows) - utcnow()
    assert waited >= dt.timedelta(hours=12), f"gave up after {waited} of outage"
    smtp.start()


class _DropsAtQuit:
    """A mail server that takes every message (250 to DATA) and then drops the line
    instead of answering QUIT, as a server restarting at that moment does."""

    def __init__(self):
        import socket
        import threading

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.taken: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            with conn, conn.makefile("rb") as lines:
                conn.settimeout(5)
                conn.sendall(b"220 drops-at-quit\r\n")
                data = None
                for line in lines:
                    if data is not None:
                        if line in (b".\r\n", b".\n"):
                            self.taken.append(b"".join(data))
                            data = None
                            conn.sendall(b"250 taken\r\n")
                        else:
                            data.append(line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"QUIT":
                        break                              # no 221: the line just drops
                    if verb == b"DATA":
                        data = []
                        conn.sendall(b"354 go on\r\n")
                    else:
                        conn.sendall(b"250 ok\r\n")

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()


def test_a_server_that_drops_the_line_after_taking_the_mail_gets_it_once(app, db, make_order):
    server = _DropsAtQuit()
    try:
        app.config["MAIL_PORT"] = server.port
        app.extensions["mail"].port = server.port
        make_order("cust1", customer_order_no="PO-断线-1")
        expected = sum(_expected(db).values())
        assert relay_once(app) == {"sent": expected, "retry": 0, "failed": 0}
        assert relay_once(app, db, due=True) == {"sent": 0, "retry": 0, "failed": 0}
        assert len(server.taken) == expected
    finally:
        server.close()
