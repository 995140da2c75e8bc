"""The outbox's SMS sender and the delivery reports that come back.

The relay hands each due ``sms`` outbox row to ``send_sms``. The message's own row says
whether it went out already: a message the gateway took (or that a delivery report has
reached) is never handed over again, even when its outbox row is reclaimed after a crash
or retried by an admin. The window for a duplicate is the gateway's answer not reaching
us: a Kannel delivery report for that message closes it, because it names the message.
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import urllib.parse

from flask import Flask

from ..erp_bridge.repos import sms as repo
from ..outbox import PermanentFailure, TemporaryFailure, record_sent
from .gateways import Gateway, NoAnswer, OutgoingSMS, Unreachable, gateway_for

log = logging.getLogger(__name__)

_GATEWAY_KEYS = ("SCM_SMS_BACKEND", "SCM_SMS_TIMEOUT_SECONDS", "SCM_SMS_KANNEL_URL", "SCM_SMS_KANNEL_USERNAME",
                 "SCM_SMS_KANNEL_PASSWORD", "SCM_SMS_KANNEL_FROM", "SCM_SMS_KANNEL_SMSC",
                 "SCM_SMS_ALIYUN_ACCESS_KEY_ID", "SCM_SMS_ALIYUN_ACCESS_KEY_SECRET", "SCM_SMS_ALIYUN_ENDPOINT",
                 "SCM_SMS_ALIYUN_PROTOCOL", "SCM_SMS_ALIYUN_SIGN_NAME", "SCM_SMS_ALIYUN_TEMPLATE_CODE",
                 "SCM_SMS_ALIYUN_TEMPLATE_PARAM", "SCM_SMS_SIGNATURE")


def gateway(app: Flask) -> Gateway:
    """The configured gateway, kept per app (the Aliyun client holds a connection pool)."""
    key = tuple(str(app.config.get(k)) for k in _GATEWAY_KEYS)
    extra = app.extensions["scm"].extra
    cached = extra.get("sms_gateway")
    if cached is None or cached[0] != key:
        cached = extra["sms_gateway"] = (key, gateway_for(app.config))
    return cached[1]


def dlr_url(app: Flask, message: dict) -> str | None:
    """Where Kannel reports back: ``SCM_SMS_DLR_URL_BASE`` (the plugin's address as the
    gateway reaches it, e.g. ``http://scm.intranet:8000/scm``) + the report route with
    the message's id and secret; Kannel fills in ``%d`` (the report type) and ``%A`` (the
    carrier's answer). None when no base is set or function 9 (which serves the route) is
    switched off: messages then stay at "sent"."""
    base = (app.config.get("SCM_SMS_DLR_URL_BASE") or "").rstrip("/")
    if not base or not message.get("dlr_secret") or "sms" not in app.extensions["scm"].modules:
        return None
    secret = urllib.parse.quote(message["dlr_secret"], safe="")
    return f"{base}/sms/dlr/{int(message['id'])}/{secret}?type=%d&reason=%A"


def send_sms(app: Flask, row: dict) -> None:
    """Outbox sender for channel ``sms``."""
    db = app.extensions["scm"].db
    payload = row.get("payload") or {}
    message_id = payload.get("message_id") or row.get("ref_id")
    message = db.read(lambda tx: repo.message(tx, int(message_id))) if message_id else None
    if message is None:
        raise PermanentFailure("the SMS message row is gone")
    if message["status"] in ("sent", "delivered") or message["gateway_ref"]:
        log.info("sms %s already with the gateway (%s); not sent again", message["id"], message["status"])
        return
    if message["status"] == "invalid" or not message["number"]:
        raise PermanentFailure("the number cannot receive SMS")
    outgoing = OutgoingSMS(message_id=int(message["id"]), number=message["number"], text=row["body"],
                           body=payload.get("body") or row["body"], signature=payload.get("signature") or "",
                           dlr_url=dlr_url(app, message))
    try:
        gw = gateway(app)   # inside: a gateway without its settings is a temporary failure
        ref = gw.send(outgoing)
    except PermanentFailure as exc:
        with db.transaction() as tx:
            repo.mark_failed(tx, outgoing.message_id, str(exc))
        raise
    except NoAnswer as exc:
        if outgoing.dlr_url is None or not getattr(gw, "reports_delivery", False) or _last_attempt(app, row):
            # Nothing will ever tell whether the gateway took it: resending on a guess could
            # send it twice. Failed, with a reason that says so; an admin may retry it.
            with db.transaction() as tx:
                repo.mark_failed(tx, outgoing.message_id, "gateway_no_answer_unconfirmed")
            failure = PermanentFailure(f"{exc}; not resent without a delivery report")
            failure.stalls_channel = True   # the gateway hangs: the pass's other SMS wait
            raise failure from None
        # Its delivery report names the message: if the gateway took it, the report marks
        # it sent before the retry, and the retry then sends nothing. Kannel reports only
        # once its SMSC has the message, so the retry waits SCM_SMS_NO_ANSWER_RETRY_MINUTES,
        # not the back-off's 30 s: a gateway queueing for a reconnecting SMSC is not doubled.
        with db.transaction() as tx:
            repo.note_error(tx, outgoing.message_id, "gateway_no_answer")
        exc.retry_after = dt.timedelta(minutes=float(app.config.get("SCM_SMS_NO_ANSWER_RETRY_MINUTES", 30)))
        raise
    except TemporaryFailure as exc:
        _note_temporary(app, row, outgoing.message_id, exc)
        raise
    def mark_sent():
        with db.transaction() as tx:
            repo.mark_sent(tx, outgoing.message_id, ref)
    record_sent(app, mark_sent)   # the guard against sending it again: waited for, bounded


def _last_attempt(app: Flask, row: dict) -> bool:
    return int(row.get("attempts") or 0) >= int(app.config.get("SCM_OUTBOX_MAX_ATTEMPTS", 20))


def _note_temporary(app: Flask, row: dict, message_id: int, exc: TemporaryFailure) -> None:
    """Why the message is still queued (or, on the last attempt, why it failed)."""
    last = _last_attempt(app, row)
    unreachable = isinstance(exc, Unreachable)
    with app.extensions["scm"].db.transaction() as tx:
        if last:
            repo.mark_failed(tx, message_id, "gateway_gave_up" if unreachable else
                             f"{exc} (gave up after {row.get('attempts')} attempts)")
        else:
            repo.note_error(tx, message_id, "gateway_unreachable" if unreachable else str(exc))


def sms_deferred(app: Flask, row: dict, exc: TemporaryFailure) -> None:
    """The relay did not try this row: the gateway was unreachable earlier in the pass."""
    message_id = (row.get("payload") or {}).get("message_id") or row.get("ref_id")
    if message_id:
        _note_temporary(app, row, int(message_id), exc)


# --- delivery reports -------------------------------------------------------------------------
# Kannel's report types (dlr-mask bits): 1 delivered, 2 undelivered, 4 buffered by the
# carrier, 8 accepted by the carrier (SMSC), 16 rejected by the carrier.
KANNEL_OUTCOMES = {1: "delivered", 2: "failed", 4: "accepted", 8: "accepted", 16: "failed"}


def check_secret(db, message_id: int, secret: str) -> dict | None:
    """The message, if ``secret`` is its report secret; None otherwise (wrong, missing)."""
    message = db.read(lambda tx: repo.message(tx, message_id)) if 0 < message_id < 2**63 else None
    if message is None or not message["dlr_secret"] or not secret:
        # Compare anyway, so a missing message takes as long as a wrong secret.
        hmac.compare_digest("x" * 32, (secret or "")[:64].ljust(32, "y"))
        return None
    if not hmac.compare_digest(message["dlr_secret"].encode(), secret.encode()):
        return None
    return message


def record_report(db, message_id: int, secret: str, report_type: int | None, reason: str | None) -> bool | None:
    """A Kannel delivery report for one message. None: not ours (wrong secret or id).
    True/False: the report was recorded / changed nothing (repeated or out of order)."""
    message = check_secret(db, message_id, secret)
    if message is None:
        return None
    outcome = KANNEL_OUTCOMES.get(report_type or 0)
    if outcome is None:
        return False
    text = (reason or "").strip()
    detail = f"DLR {report_type}: {text}" if text else f"DLR {report_type}"
    with db.transaction() as tx:
        changed = repo.report(tx, message_id, outcome, detail if outcome == "failed" else None)
    log.info("sms %s: delivery report %s (%s)%s", message_id, report_type, outcome, "" if changed else ", no change")
    return changed
