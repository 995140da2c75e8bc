"""The outbox: mail and SMS written in the same transaction as the business change, and
a relay that delivers them.

Delivery is at-least-once with a window of one message: a row is marked ``sending``
(and committed) before it is handed to the server and ``sent`` right after; a relay that
crashes in between leaves the row in ``sending`` and it is reclaimed after
``SCM_OUTBOX_RECLAIM_SECONDS``. Every mail carries a Message-ID derived from the row,
so a mail server or client can recognise that one possible duplicate. Failures are
retried with exponential back-off up to ``SCM_OUTBOX_MAX_ATTEMPTS``, then the row is
``failed`` for an admin to see and retry. One bad recipient never holds up the others,
and a server that does not answer is tried once per pass: the channel's other rows wait
for the next pass instead of each waiting out the same timeout (ServerUnreachable).
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import time
from typing import Callable, TypeVar

from flask import Flask, current_app, render_template
from flask_mail import Connection, Message

from . import i18n
from .erp_bridge import (
    BridgeError,
    ConnectionLost,
    StatementTimeout,
    TransactionConflict,
)
from .erp_bridge.clock import utcnow
from .erp_bridge.repos import outbox as repo
from .scheduler import holder_id
from .state import get_state

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The recipient or message can never be delivered: do not retry."""


class TemporaryFailure(Exception):
    """The server is down or busy: retry later."""


class ServerUnreachable(TemporaryFailure):
    """No answer from the server (refused, or it timed out): the rest of this pass's rows
    of the same channel are not tried — each would wait for the same timeout, and the
    other channel's rows (an alarm SMS behind the mails) with them. They are retried with
    the usual back-off. A sender whose failure also means "the server hangs" (a request
    sent without an answer) sets ``stalls_channel`` on its exception to the same effect."""

    stalls_channel = True


# --- writing ----------------------------------------------------------------------
def enqueue_mail(tx, *, to: str, template: str, context: dict, ref_type: str | None = None,
                 ref_id: int | None = None, customer_code: str | None = None) -> int:
    """Render ``scm/emails/<template>.subject.txt|.txt|.html`` now (the user's language
    and links are known now) and write the mail into the outbox."""
    # Mails are also rendered outside the plugin's own requests (jobs, other blueprints):
    # the translation functions are passed explicitly rather than taken from the page context.
    context = dict(context, _=i18n.gettext, gettext=i18n.gettext, ngettext=i18n.ngettext)
    subject = " ".join(render_template(f"scm/emails/{template}.subject.txt", **context).split())
    body = render_template(f"scm/emails/{template}.txt", **context)
    html = render_template(f"scm/emails/{template}.html", **context)
    return repo.enqueue(tx, channel="mail", recipient=to, subject=subject, body=body,
                        payload={"html": html}, ref_type=ref_type, ref_id=ref_id,
                        customer_code=customer_code)


# --- sending mail -------------------------------------------------------------------
class _TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout (it has none of its own)."""

    def configure_host(self):
        timeout = float(current_app.config.get("SCM_MAIL_TIMEOUT_SECONDS", 10))
        mail = self.mail
        if mail.use_ssl:
            host = smtplib.SMTP_SSL(mail.server, mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(mail.server, mail.port, timeout=timeout)
        host.set_debuglevel(int(mail.debug))
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host

    def __exit__(self, exc_type, exc_value, tb):
        # Flask-Mail's QUIT is unguarded: a server that drops the line after it took the
        # message (its 250 to DATA) must not turn a delivered mail into a resend.
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            if exc_type is None:
                log.info("mail server closed the connection after taking the message")
                self.host.close()
            else:
                raise


def send_mail(app: Flask, row: dict) -> None:
    state = app.extensions["mail"]
    domain = app.config.get("SCM_MAIL_DOMAIN") or "scm.local"
    msg = Message(subject=row["subject"] or "", recipients=[row["recipient"]], body=row["body"],
                  html=(row.get("payload") or {}).get("html"),
                  sender=app.config.get("MAIL_DEFAULT_SENDER") or f"scm@{domain}",
                  extra_headers={"Auto-Submitted": "auto-generated"})
    # Stable per outbox row, so a possible duplicate after a crash is recognisable.
    msg.msgId = f"<scm-outbox-{row['id']}@{domain}>"
    try:
        with _TimeoutConnection(state) as conn:
            conn.send(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _m in exc.recipients.values()]
        if all(500 <= c < 600 for c in codes):
            raise PermanentFailure(f"recipient refused ({codes[0]})") from None
        raise TemporaryFailure(f"recipient deferred ({codes[0] if codes else '?'})") from None
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 535):
            raise PermanentFailure(f"mail server refused ({exc.smtp_code})") from None
        raise TemporaryFailure(f"mail server said {exc.smtp_code}") from None
    except (OSError, smtplib.SMTPServerDisconnected, socket.timeout) as exc:
        raise ServerUnreachable(f"mail server unreachable ({type(exc).__name__})") from None
    except smtplib.SMTPException as exc:
        raise TemporaryFailure(f"mail server unreachable ({type(exc).__name__})") from None



# --- the relay ----------------------------------------------------------------------
T = TypeVar("T")


def record_sent(app: Flask, fn: Callable[[], T]) -> T:
    """Record that the server took a message. A row left in "sending" is sent again after
    the reclaim time, so a brief database outage right after the hand-over is waited out
    (``SCM_OUTBOX_RECORD_WAIT_SECONDS``, bounded) rather than turned into a duplicate."""
    deadline = time.monotonic() + float(app.config.get("SCM_OUTBOX_RECORD_WAIT_SECONDS", 15))
    while True:
        try:
            return fn()
        except (ConnectionLost, TransactionConflict, StatementTimeout):
            if time.monotonic() >= deadline:
                raise
            log.warning("outbox: database unavailable while recording a sent message; retrying")
            time.sleep(0.5)


def backoff(attempts: int, base: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at 1 hour."""
    return dt.timedelta(seconds=min(3600, base * (2 ** max(0, attempts - 1))))


def relay(app: Flask, limit: int = 100) -> dict[str, int]:
    """One delivery pass over due rows; returns counts by outcome."""
    db = app.extensions["scm"].db
    cfg = app.config
    holder = holder_id()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    rows = repo.claim_due(db, holder, limit, dt.timedelta(seconds=int(cfg.get("SCM_OUTBOX_RECLAIM_SECONDS", 300))))
    max_attempts = int(cfg.get("SCM_OUTBOX_MAX_ATTEMPTS", 20))
    base = int(cfg.get("SCM_OUTBOX_BACKOFF_SECONDS", 30))
    channels = get_state(app).channels   # the SMS layer keeps each message's reason up to date
    unreachable: dict[str, ServerUnreachable] = {}   # channel → why its server did not answer
    for row in rows:
        channel = channels.get(row["channel"])
        try:
            if channel is None:
                raise TemporaryFailure(f"no sender for channel {row['channel']}")
            with app.app_context():
                if row["channel"] in unreachable:
                    exc = unreachable[row["channel"]]
                    if channel.deferred is not None:
                        channel.deferred(app, row, exc)
                    raise exc
                try:
                    channel.send(app, row)
                except ServerUnreachable as exc:
                    unreachable[row["channel"]] = exc
                    raise
                except (PermanentFailure, TemporaryFailure) as exc:
                    if getattr(exc, "stalls_channel", False):
                        unreachable[row["channel"]] = ServerUnreachable(
                            f"{row['channel']} server did not answer earlier in this pass")
                    raise
        except PermanentFailure as exc:
            repo.mark_failed(db, row["id"], holder, str(exc))
            counts["failed"] += 1
            log.warning("outbox %s to %s failed permanently: %s", row["id"], row["recipient"], exc)
        except TemporaryFailure as exc:
            if row["attempts"] >= max_attempts:
                repo.mark_failed(db, row["id"], holder, f"{exc} (gave up after {row['attempts']} attempts)")
                counts["failed"] += 1
            else:
                # A sender may ask for a longer wait than the back-off (``retry_after``).
                wait = max(backoff(row["attempts"], base), getattr(exc, "retry_after", None) or dt.timedelta(0))
                repo.mark_retry(db, row["id"], holder, utcnow() + wait, str(exc))
                counts["retry"] += 1
            log.info("outbox %s to %s: %s", row["id"], row["recipient"], exc)
        except BridgeError:
            raise
        except Exception as exc:  # a bug in a sender must not stop the others
            log.exception("outbox %s: unexpected error", row["id"])
            repo.mark_retry(db, row["id"], holder, utcnow() + backoff(row["attempts"], base),
                            f"internal error ({type(exc).__name__})")
            counts["retry"] += 1
        else:
            record_sent(app, lambda: repo.mark_sent(db, row["id"], holder))
            counts["sent"] += 1
    return counts


def relay_job(app: Flask) -> None:
    counts = relay(app)
    if any(counts.values()):
        log.info("outbox relay: %s", counts)


__all__ = ["enqueue_mail", "relay", "send_mail", "relay_job", "PermanentFailure", "TemporaryFailure",
           "ServerUnreachable"]
