"""SMS gateways behind one interface, chosen by ``SCM_SMS_BACKEND``.

``gateway.send(msg) -> reference`` hands one message to the gateway, within
``SCM_SMS_TIMEOUT_SECONDS``, and raises ``TemporaryFailure`` (down, busy, not configured:
retry later) or ``PermanentFailure`` (this number or text will never go through).

* ``kannel``: Kannel's HTTP ``sendsms`` with ``charset=UTF-8&coding=2`` (both are needed
  for Chinese) and, when ``SCM_SMS_DLR_URL_BASE`` is set, ``dlr-mask=31`` with a
  ``dlr-url`` back to the plugin that carries the message id and its own secret.
* ``aliyun``: Alibaba Cloud's template-based SMS API through the official SDK
  (``alibabacloud_dysmsapi20170525``): sign name + template code + the text as a template
  parameter; the endpoint is configurable.
* ``log``: the demo's gateway: logs the message and takes it.
"""
from __future__ import annotations

import collections
import http.client
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from ..outbox import PermanentFailure, ServerUnreachable, TemporaryFailure
from .text import signature_block

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingSMS:
    message_id: int
    number: str            # as the gateway wants it: 13800138000, 106075512345678
    text: str              # what the phone shows: signature + body
    body: str              # the body alone (template-based gateways add the signature)
    signature: str         # the 【…】 block, or ""
    dlr_url: str | None    # where delivery reports go, or None


class Unreachable(ServerUnreachable):
    """No answer from the gateway at all (refused, timed out): retried. Shown to reps as
    ``gateway_unreachable``; the technical reason stays in the outbox row."""


class NoAnswer(TemporaryFailure):
    """The request went out but no answer came back (timed out, cut): the gateway may have
    taken the message. Resent only when a delivery report can settle the doubt; shown to
    reps as ``gateway_no_answer``. A gateway that hangs is not tried again in this pass."""

    stalls_channel = True


class Gateway(Protocol):
    name: str

    def send(self, msg: OutgoingSMS) -> str:
        """Hand the message over; return the gateway's reference for it."""


# --- kannel -----------------------------------------------------------------------------
class KannelGateway:
    name = "kannel"
    reports_delivery = True    # when a DLR URL is given (SCM_SMS_DLR_URL_BASE)

    # Kannel's own 4xx answers that mean "this number, never": refused by its white/black
    # lists, or empty. Authorization and other parameter errors are the administrator's
    # to fix (they would fail every message alike): retried until they are.
    _PERMANENT_HINTS = ("denied", "empty receiver")

    def __init__(self, url: str, username: str, password: str, *, sender: str | None = None,
                 smsc: str | None = None, timeout: float = 10.0):
        self.url = url
        self.username = username
        self.password = password
        self.sender = sender
        self.smsc = smsc
        self.timeout = timeout
        # The gateway is on the intranet: never through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def params(self, msg: OutgoingSMS) -> dict[str, str]:
        params = {"username": self.username, "password": self.password, "to": msg.number, "text": msg.text,
                  "charset": "UTF-8", "coding": "2"}
        if self.sender:
            params["from"] = self.sender
        if self.smsc:
            params["smsc"] = self.smsc
        if msg.dlr_url:
            params["dlr-mask"] = "31"          # delivered, failed, buffered, accepted, rejected
            params["dlr-url"] = msg.dlr_url
        return params

    def send(self, msg: OutgoingSMS) -> str:
        query = urllib.parse.urlencode(self.params(msg))
        sep = "&" if "?" in self.url else "?"
        try:
            with self._opener.open(f"{self.url}{sep}{query}", timeout=self.timeout) as resp:
                answer = resp.read(500).decode("utf-8", "replace").strip()
                status = resp.status
        except urllib.error.HTTPError as exc:
            answer = exc.read(500).decode("utf-8", "replace").strip()
            status = exc.code
        except urllib.error.URLError as exc:
            # urllib wraps what fails before the request is sent (refused, no route, connect
            # timeout): Kannel never saw the message.
            reason = getattr(exc, "reason", exc)
            raise Unreachable(f"kannel unreachable ({type(reason).__name__})") from None
        except (OSError, socket.timeout, http.client.HTTPException) as exc:
            # Sent, but the answer timed out or the connection was cut: Kannel may have it.
            raise NoAnswer(f"kannel sent no answer ({type(exc).__name__})") from None
        if status in (200, 202):
            # "0: Accepted for delivery" / "3: Queued for later delivery" (no SMSC right now:
            # Kannel keeps it and delivers on reconnect). Kannel gives no message id.
            return f"kannel:{msg.message_id}"
        text = f"kannel {status}: {answer[:200]}"
        if 400 <= status < 500 and status not in (401, 403, 407, 408, 429) \
                and any(h in answer.lower() for h in self._PERMANENT_HINTS):
            raise PermanentFailure(text)
        raise TemporaryFailure(text)


# --- aliyun -------------------------------------------------------------------------------
class AliyunGateway:
    """Template-based: the template (e.g. ``${content}``) is approved with the provider,
    the sign name is the signature, the text goes in as a template parameter."""

    name = "aliyun"
    reports_delivery = False   # its receipts go to Alibaba Cloud's own queue, not to our DLR route

    # The SDK hands on requests' errors as text only (darabonba's RetryError(str(e))):
    # these mean the request was sent and the answer never came, so the provider may have it.
    _AFTER_SENDING = ("read timed out", "remotedisconnected", "connection aborted", "incompleteread",
                      "connection reset by peer")

    @classmethod
    def _after_sending(cls, exc: Exception) -> bool:
        text = f"{exc} {getattr(exc, 'inner_exception', '')} {getattr(exc, 'message', '')}".lower()
        return any(marker in text for marker in cls._AFTER_SENDING)

    # Codes that no retry can fix for this message. The rest (flow control, the
    # provider's own errors, account or template configuration) are retried.
    PERMANENT_CODES = frozenset({
        "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.PARAM_LENGTH_LIMIT", "isv.INVALID_PARAMETERS", "isv.PARAM_NOT_SUPPORT_URL",
        "isv.DAY_LIMIT_CONTROL", "isv.SMS_CONTENT_ILLEGAL",
    })

    def __init__(self, *, access_key_id: str, access_key_secret: str, endpoint: str, protocol: str,
                 sign_name: str, template_code: str, template_param: str, timeout: float = 10.0):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        self.sign_name = sign_name
        self.template_code = template_code
        self.template_param = template_param
        self.timeout_ms = int(timeout * 1000)
        self.client = Client(Config(access_key_id=access_key_id, access_key_secret=access_key_secret,
                                    endpoint=endpoint, protocol=protocol, read_timeout=self.timeout_ms,
                                    connect_timeout=self.timeout_ms))

    def send(self, msg: OutgoingSMS) -> str:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest
        from darabonba.runtime import RuntimeOptions

        request = SendSmsRequest(phone_numbers=msg.number, sign_name=self.sign_name,
                                 template_code=self.template_code, out_id=str(msg.message_id),
                                 template_param=json.dumps({self.template_param: msg.body}, ensure_ascii=False))
        runtime = RuntimeOptions(read_timeout=self.timeout_ms, connect_timeout=self.timeout_ms)
        try:
            response = self.client.send_sms_with_options(request, runtime)
        except Exception as exc:  # the SDK's errors: HTTP errors with a code, or I/O
            code = getattr(exc, "code", None)
            text = getattr(exc, "message", None) or type(exc).__name__
            if code in self.PERMANENT_CODES:
                raise PermanentFailure(f"aliyun {code}: {text}"[:250]) from None
            if code:
                raise TemporaryFailure(f"aliyun {code}: {text}"[:250]) from None
            if self._after_sending(exc):
                raise NoAnswer(f"aliyun sent no answer ({type(exc).__name__})") from None
            raise Unreachable(f"aliyun unreachable ({type(exc).__name__})") from None
        body = response.body
        code = getattr(body, "code", None)
        if code == "OK":
            return f"aliyun:{body.biz_id}" if body.biz_id else f"aliyun:{msg.message_id}"
        text = f"aliyun {code}: {getattr(body, 'message', '')}"[:250]
        if code in self.PERMANENT_CODES:
            raise PermanentFailure(text)
        raise TemporaryFailure(text)


# --- log (demo) -------------------------------------------------------------------------------
RECORDED: collections.deque = collections.deque(maxlen=200)   # the last messages, for the demo and tests


class LogGateway:
    name = "log"

    def send(self, msg: OutgoingSMS) -> str:
        log.info("SMS %s to %s: %s", msg.message_id, msg.number, msg.text)
        RECORDED.append(msg)
        return f"log:{msg.message_id}"


# --- choosing ---------------------------------------------------------------------------------
BACKENDS = ("kannel", "aliyun", "log")


class NotConfigured(TemporaryFailure):
    """The backend lacks a setting: retried, so messages go out once it is fixed."""


def gateway_for(config) -> Gateway:
    backend = (config.get("SCM_SMS_BACKEND") or "log").strip().lower()
    timeout = float(config.get("SCM_SMS_TIMEOUT_SECONDS") or 10)
    if backend == "log":
        return LogGateway()
    if backend == "kannel":
        url = config.get("SCM_SMS_KANNEL_URL")
        if not url:
            raise NotConfigured("SCM_SMS_KANNEL_URL is not set")
        return KannelGateway(url, config.get("SCM_SMS_KANNEL_USERNAME") or "",
                             config.get("SCM_SMS_KANNEL_PASSWORD") or "",
                             sender=config.get("SCM_SMS_KANNEL_FROM"), smsc=config.get("SCM_SMS_KANNEL_SMSC"),
                             timeout=timeout)
    if backend == "aliyun":
        missing = [k for k in ("SCM_SMS_ALIYUN_ACCESS_KEY_ID", "SCM_SMS_ALIYUN_ACCESS_KEY_SECRET",
                               "SCM_SMS_ALIYUN_TEMPLATE_CODE") if not config.get(k)]
        sign_name = config.get("SCM_SMS_ALIYUN_SIGN_NAME") or signature_block(config.get("SCM_SMS_SIGNATURE"))[1:-1]
        if not sign_name:
            missing.append("SCM_SMS_ALIYUN_SIGN_NAME")
        if missing:
            raise NotConfigured(f"{', '.join(missing)} not set")
        return AliyunGateway(access_key_id=config["SCM_SMS_ALIYUN_ACCESS_KEY_ID"],
                             access_key_secret=config["SCM_SMS_ALIYUN_ACCESS_KEY_SECRET"],
                             endpoint=config.get("SCM_SMS_ALIYUN_ENDPOINT") or "dysmsapi.aliyuncs.com",
                             protocol=config.get("SCM_SMS_ALIYUN_PROTOCOL") or "https",
                             sign_name=sign_name, template_code=config["SCM_SMS_ALIYUN_TEMPLATE_CODE"],
                             template_param=config.get("SCM_SMS_ALIYUN_TEMPLATE_PARAM") or "content",
                             timeout=timeout)
    raise NotConfigured(f"SCM_SMS_BACKEND {backend!r} is not one of {', '.join(BACKENDS)}")
