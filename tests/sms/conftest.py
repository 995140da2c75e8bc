"""Fixtures of the SMS tests: a real Kannel (tests/fixtures/kannel.py), the app served on a
loopback port so Kannel's delivery reports reach it, a local stand-in for Alibaba
Cloud's SMS API that checks the request signature, and helpers."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import time
import urllib.parse
import uuid

import pytest

from fixtures.waiting import wait_until
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.outbox import relay


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def contact(db):
    """``contact("李红")`` → the ERP contact's id (identities differ per engine and reset)."""
    def _id(name: str) -> int:
        return int(db.scalar_sql("SELECT {customer_contact.id} AS id FROM {customer_contact} "
                                 "WHERE {customer_contact.name} = ?", name))
    return _id


@pytest.fixture
def relay_now(app, db):
    """One outbox pass; ``relay_now(due=True)`` first ends every back-off."""
    def _relay(due: bool = False) -> dict:
        if due:
            with db.transaction() as tx:
                tx.execute_sql("UPDATE scm_outbox SET next_attempt_at = ? WHERE status = 'pending'",
                               utcnow() - dt.timedelta(seconds=1))
        with app.app_context():
            return relay(app)
    return _relay


@pytest.fixture
def wait():
    return wait_until


@pytest.fixture
def unique():
    """A text no other test sends (the Kannel fixture lives for the whole test module)."""
    return lambda text: f"{text}#{uuid.uuid4().hex[:6]}"


@pytest.fixture
def api(app, tokens, users):
    """``api("rep1", "POST", "/sms", json)`` with that user's bearer token."""
    def _call(user, method, path, json=None):
        return app.test_client().api(method, path, json=json, token=tokens(user))
    return _call


# --- Kannel: `kannel` and `kannel_up` come from tests/fixtures/kannel.py (one per module) -----


# --- Alibaba Cloud's SMS API, locally --------------------------------------------------------
def _enc(s: str) -> str:
    return urllib.parse.quote(s, safe="-_.~")


def acs3_problem(method: str, path: str, raw_query: str, headers, body: bytes, secrets: dict[str, str],
                 seen_nonces: set[str]) -> str | None:
    """Check an ``ACS3-HMAC-SHA256`` signed request (Alibaba Cloud's V3 signature),
    written from the published algorithm, not from the SDK. None if it holds, else why not."""
    auth = headers.get("Authorization", "")
    algorithm, _, rest = auth.partition(" ")
    if algorithm != "ACS3-HMAC-SHA256":
        return "IncompleteSignature"
    fields = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    key_id, signed, signature = fields.get("Credential"), fields.get("SignedHeaders", ""), fields.get("Signature", "")
    if key_id not in secrets:
        return "InvalidAccessKeyId.NotFound"
    names = signed.split(";")
    must = {"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}
    if not must <= set(names) or names != sorted(names) or any(n != n.lower() for n in names):
        return "IncompleteSignature"
    if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
        return "ContentSHA256NotMatch"
    try:
        when = dt.datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "InvalidTimeStamp.Format"
    if abs((utcnow() - when).total_seconds()) > 900:
        return "InvalidTimeStamp.Expired"
    nonce = headers.get("x-acs-signature-nonce", "")
    if not nonce or nonce in seen_nonces:
        return "SignatureNonceUsed"
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    # Names and values percent-encoded as RFC 3986 (space → %20), sorted by encoded name.
    canonical_query = "&".join(f"{ek}={_enc(v)}" for ek, v in sorted((_enc(k), v) for k, v in pairs))
    canonical_headers = "".join(f"{n}:{(headers.get(n) or '').strip()}\n" for n in names)
    canonical = "\n".join([method, path or "/", canonical_query, canonical_headers, signed,
                           headers["x-acs-content-sha256"]])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    expected = hmac.new(secrets[key_id].encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "SignatureDoesNotMatch"
    seen_nonces.add(nonce)
    return None


class AliyunSMSStandIn:
    """``POST /`` with ``x-acs-action: SendSms``: checks the signature, records the call,
    answers ``{"Code": "OK", "BizId": …}`` or the code queued in ``answers``."""

    KEY_ID = "LTAI-test-key"
    SECRET = "test-secret-不要外传"

    def __init__(self):
        self.calls: list[dict] = []
        self.rejected: list[str] = []
        self.answers: list[tuple[int, dict]] = []   # (HTTP status, body) to give next, in order
        self.hang_seconds = 0.0   # > 0: take the message, then answer only after this long
        self.nonces: set[str] = set()
        self._lock = threading.Lock()
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, raw_query = self.path.partition("?")
                with stand_in._lock:
                    problem = acs3_problem("POST", path, raw_query, self.headers, body,
                                           {stand_in.KEY_ID: stand_in.SECRET}, stand_in.nonces)
                    if problem:
                        stand_in.rejected.append(problem)
                        status, answer = 400, {"Code": problem, "Message": "signature check failed",
                                               "RequestId": uuid.uuid4().hex}
                    else:
                        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
                        stand_in.calls.append({"action": self.headers.get("x-acs-action"),
                                               "version": self.headers.get("x-acs-version"), **query})
                        status, answer = stand_in.answers.pop(0) if stand_in.answers else \
                            (200, {"Code": "OK", "Message": "OK", "BizId": f"{uuid.uuid4().int % 10**18}^0",
                                   "RequestId": uuid.uuid4().hex})
                if stand_in.hang_seconds:
                    time.sleep(stand_in.hang_seconds)   # bounded: the client gave up already
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def app_config(self, **overrides) -> dict:
        return {"SCM_SMS_BACKEND": "aliyun", "SCM_SMS_ALIYUN_ACCESS_KEY_ID": self.KEY_ID,
                "SCM_SMS_ALIYUN_ACCESS_KEY_SECRET": self.SECRET, "SCM_SMS_ALIYUN_ENDPOINT": f"127.0.0.1:{self.port}",
                "SCM_SMS_ALIYUN_PROTOCOL": "http", "SCM_SMS_ALIYUN_TEMPLATE_CODE": "SMS_270155001",
                "SCM_SMS_SIGNATURE": "华光光盘", "SCM_SMS_TIMEOUT_SECONDS": 3, **overrides}


@pytest.fixture
def aliyun():
    stand_in = AliyunSMSStandIn()
    stand_in.start()
    yield stand_in
    stand_in.stop()
