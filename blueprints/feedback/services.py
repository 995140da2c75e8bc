"""Customer feedback (function 7, 客户意见接收处理): complaints and suggestions.

A customer files one (type, subject, body, files) and follows it in the portal; the reps
granted that customer read it (阅览), reply with files (回复) — the customer is mailed
through the outbox — add internal notes the customer never sees, close and reopen it,
and delete it (删除): gone from both sides, the row and an audit entry kept.

Plain functions for the pages, the API and anything else: the caller passes the user
and the scope (from the login); nothing here reads the request. What a customer sees is
decided by the scope: a customer's scope never includes internal notes or their files.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.repos import feedback as repo
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import attachments, audit, i18n, notify
from scm_plugin.erp_widths import CustomerCode
from scm_plugin.errors import Conflict, NotFound
from scm_plugin.serialize import iso
from scm_plugin.validation import parse

log = logging.getLogger(__name__)

TYPES = repo.TYPES
STATUSES = repo.STATUSES
MAX_SUBJECT = 200
MAX_BODY = 5000


def _required_text(value: str | None) -> str:
    if value is None or not str(value).strip():
        raise ValueError("required")
    return value


# --- input schemas (the API's OpenAPI document is generated from these) ---------------
class FeedbackIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    type: Literal["complaint", "suggestion"] = Field(..., description="complaint (投诉) or suggestion (建议)")
    subject: str = Field(..., max_length=MAX_SUBJECT)
    body: str = Field(..., max_length=MAX_BODY)

    _text = field_validator("subject", "body")(_required_text)


class ReplyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    body: str = Field(..., max_length=MAX_BODY)
    internal: bool = Field(False, description="An internal note: never shown to the customer, no mail")

    _text = field_validator("body")(_required_text)


class FeedbackQuery(BaseModel):
    """A feedback list's filters: the API's query, and the pages' (read leniently)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: Literal["complaint", "suggestion"] | None = None
    status: Literal["new", "replied", "closed"] | None = None
    customer_code: CustomerCode | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: Literal["created_at", "activity", "customer", "type", "status", "subject"] = "created_at"
    dir: Literal["asc", "desc"] = "desc"
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)

    def filters(self) -> dict:
        """``search``'s filters and sort (the page and its size aside)."""
        return {"fb_type": self.type, "status": self.status, "customer_code": self.customer_code,
                "date_from": self.date_from, "date_to": self.date_to, "sort": self.sort,
                "descending": self.dir == "desc"}


# --- output schemas ----------------------------------------------------------------------
class FileOut(BaseModel):
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: str


class ReplyOut(BaseModel):
    id: int
    body: str
    author: str | None = None
    created_at: str
    internal: bool = False
    attachments: list[FileOut] = []


class FeedbackOut(BaseModel):
    id: int
    type: str
    subject: str
    body: str
    status: str
    customer_code: str
    customer_name: str | None = None
    created_by: str | None = None
    created_at: str
    last_reply_at: str | None = None
    closed_at: str | None = None
    attachments: list[FileOut] = []
    replies: list[ReplyOut] = []


class FeedbackSummaryOut(BaseModel):
    id: int
    type: str
    subject: str
    status: str
    customer_code: str
    customer_name: str | None = None
    created_by: str | None = None
    created_at: str
    last_reply_at: str | None = None
    reply_count: int


class FeedbackListOut(BaseModel):
    items: list[FeedbackSummaryOut]
    page: int
    per_page: int
    total: int


# --- reading ------------------------------------------------------------------------------
def _public_only(scope: Scope) -> bool:
    return scope.kind != "grants"


def _visible(tx, scope: Scope, feedback_id: int, *, lock: bool = False) -> dict:
    row = repo.lock(tx, feedback_id) if lock else repo.get(tx, feedback_id)
    if row is None or not scope.allows(tx, row["customer_code"]):
        raise NotFound("feedback")
    return row


def ensure_visible(db: Database, scope: Scope, feedback_id: int) -> None:
    """NotFound unless the feedback exists, is not deleted and lies in the scope."""
    db.read(lambda tx: _visible(tx, scope, feedback_id))


def get_feedback(db: Database, scope: Scope, feedback_id: int, *, history: bool = False) -> dict:
    """The feedback with its files and replies (each with its files) as the scope may
    see them; staff also get the history. NotFound if missing, deleted or outside."""
    public_only = _public_only(scope)

    def read(tx):
        fb = _visible(tx, scope, feedback_id)
        files = repo.attachments(tx, feedback_id, public_only=public_only)
        fb["attachments"] = [f for f in files if f["owner_type"] == "feedback"]
        fb["replies"] = repo.replies(tx, feedback_id, public_only=public_only)
        for r in fb["replies"]:
            r["attachments"] = [f for f in files if f["owner_type"] == "reply" and f["owner_id"] == r["id"]]
        fb["history"] = users_repo.audit_of_object(tx, "feedback", feedback_id) if history and not public_only else []
        return fb
    return db.read(read)


def get_attachment(db: Database, scope: Scope, feedback_id: int, attachment_id: int) -> dict:
    """A file of this feedback or of one of its replies, through the feedback's check:
    a file of another feedback, or of an internal note for a customer, is NotFound."""
    def read(tx):
        _visible(tx, scope, feedback_id)
        att = repo.attachment(tx, feedback_id, attachment_id, public_only=_public_only(scope))
        if att is None:
            raise NotFound("attachment")
        return att
    return db.read(read)


def search(db: Database, scope: Scope, *, fb_type: str | None = None, status: str | None = None,
           customer_code: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
           sort: str = "created_at", descending: bool = True, page: int = 1, per_page: int = 50
           ) -> tuple[list[dict], int]:
    """One page of the feedback in scope; dates are local days (both ends included)."""
    start = i18n.from_local(dt.datetime.combine(date_from, dt.time())) if date_from else None
    end = i18n.from_local(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())) if date_to else None
    return db.read(lambda tx: repo.search(
        tx, scope, public_only=_public_only(scope), fb_type=fb_type, status=status, customer_code=customer_code,
        date_from=start, date_to=end, sort=sort, descending=descending, limit=per_page,
        offset=(max(1, page) - 1) * per_page))


def status_counts(db: Database, scope: Scope) -> dict[str, int]:
    return db.read(lambda tx: repo.status_counts(tx, scope))


# --- filing (customers) -------------------------------------------------------------------
def file_feedback(db: Database, user, scope: Scope, data: FeedbackIn, *, uploads=(), draft_ids=()) -> dict:
    """A customer files a complaint or suggestion for their own company, with files;
    the reps granted that company are mailed. All or nothing."""
    customer_code = user.customer_code if user.role == "customer" else None
    if not customer_code or scope.kind != "customer":
        raise NotFound("customer")
    stored = attachments.store_all(uploads)
    try:
        with db.transaction(write=True) as tx:
            feedback_id = repo.insert(tx, customer_code=customer_code, fb_type=data.type, subject=data.subject,
                                      body=data.body, created_by=user.id)
            files = attachments.attach(tx, stored, draft_ids, owner_type="feedback", owner_id=feedback_id,
                                       customer_code=customer_code, user_id=user.id)
            audit.record(tx, "feedback.create", "feedback", feedback_id, customer_code=customer_code,
                         detail=f"{data.type}: {data.subject} ({len(files)} files)")
            notify.mail_reps(tx, customer_code, "feedback_new", about=("feedback", feedback_id),
                             setting="SCM_FEEDBACK_NOTIFY_REPS",
                             link=notify.link("feedback.detail", feedback_id=feedback_id),
                             type=data.type, subject=data.subject, body=data.body)
    except BaseException:
        attachments.discard_all(stored)
        raise
    return get_feedback(db, scope, feedback_id)


def add_attachment(db: Database, user, scope: Scope, feedback_id: int, upload) -> dict:
    """One more file for the customer's own feedback while it is open (API)."""
    fb = db.read(lambda tx: _visible(tx, scope, feedback_id))
    if fb["status"] == "closed":
        raise Conflict("feedback_closed")
    stored = attachments.store_one(upload)
    try:
        with db.transaction(write=True) as tx:
            fb = _visible(tx, scope, feedback_id, lock=True)
            if fb["status"] == "closed":
                raise Conflict("feedback_closed")
            [att_id] = attachments.attach(tx, [stored], owner_type="feedback", owner_id=feedback_id,
                                          customer_code=fb["customer_code"], user_id=user.id)
            audit.record(tx, "feedback.attach", "feedback", feedback_id, customer_code=fb["customer_code"],
                         detail=stored.original_name)
    except BaseException:
        attachments.discard_all([stored])
        raise
    return get_attachment(db, scope, feedback_id, att_id)


# --- handling (reps) -----------------------------------------------------------------------
def reply(db: Database, user, scope: Scope, feedback_id: int, body: str | None, *, internal: bool = False,
          uploads=(), draft_ids=()) -> dict:
    """A reply with files (the customer sees it and is mailed) or an internal note.
    The feedback is checked first: outside the scope it is NotFound whatever the input."""
    ensure_visible(db, scope, feedback_id)
    if scope.kind != "grants":
        raise NotFound("feedback")
    data = parse(ReplyIn, {"body": body or "", "internal": bool(internal)})
    stored = attachments.store_all(uploads)
    try:
        with db.transaction(write=True) as tx:
            fb = _visible(tx, scope, feedback_id, lock=True)
            if fb["status"] == "closed":
                raise Conflict("feedback_closed")
            reply_id, at = repo.insert_reply(tx, feedback_id, body=data.body, author_id=user.id,
                                             internal=data.internal)
            files = len(attachments.attach(tx, stored, draft_ids, owner_type="reply", owner_id=reply_id,
                                           customer_code=fb["customer_code"], user_id=user.id))
            if data.internal:
                audit.record(tx, "feedback.note", "feedback", feedback_id, customer_code=fb["customer_code"],
                             detail=f"{files} files")
            else:
                repo.mark_replied(tx, feedback_id, at)
                audit.record(tx, "feedback.reply", "feedback", feedback_id, customer_code=fb["customer_code"],
                             detail=f"{files} files")
                # to whoever filed it; without their address, to the company
                notify.mail_customer(tx, fb["customer_code"], "feedback_reply", about=("feedback", feedback_id),
                                     prefer_user_id=fb["created_by"],
                                     link=notify.link("feedback.portal_detail", feedback_id=feedback_id),
                                     type=fb["fb_type"], subject=fb["subject"], body=data.body, files=files,
                                     replied_by=user.display_name)
    except BaseException:
        attachments.discard_all(stored)
        raise
    fb = get_feedback(db, scope, feedback_id)
    return next(r for r in fb["replies"] if r["id"] == reply_id)


def close(db: Database, user, scope: Scope, feedback_id: int) -> dict:
    """Closed: handled, no further replies. Closing a closed feedback changes nothing."""
    _staff_only(scope)
    with db.transaction(write=True) as tx:
        fb = _visible(tx, scope, feedback_id, lock=True)
        if repo.close(tx, feedback_id, user.id):
            audit.record(tx, "feedback.close", "feedback", feedback_id, customer_code=fb["customer_code"])
    return get_feedback(db, scope, feedback_id)


def reopen(db: Database, user, scope: Scope, feedback_id: int) -> dict:
    """Back to new or replied, so it can be answered again."""
    _staff_only(scope)
    with db.transaction(write=True) as tx:
        fb = _visible(tx, scope, feedback_id, lock=True)
        if repo.reopen(tx, feedback_id):
            audit.record(tx, "feedback.reopen", "feedback", feedback_id, customer_code=fb["customer_code"])
    return get_feedback(db, scope, feedback_id)


def delete(db: Database, user, scope: Scope, feedback_id: int) -> None:
    """Gone from the customer's and the reps' lists and pages; the rows, files and an
    audit entry stay."""
    _staff_only(scope)
    with db.transaction(write=True) as tx:
        fb = _visible(tx, scope, feedback_id, lock=True)
        if not repo.delete(tx, feedback_id, user.id):
            raise NotFound("feedback")
        audit.record(tx, "feedback.delete", "feedback", feedback_id, customer_code=fb["customer_code"],
                     detail=f"{fb['fb_type']}: {fb['subject']}")


def _staff_only(scope: Scope) -> None:
    if scope.kind != "grants":
        raise NotFound("feedback")


# --- API representations -------------------------------------------------------------------------
def file_to_api(a: dict) -> dict:
    return FileOut(id=a["id"], original_name=a["original_name"], content_type=a["content_type"],
                   size_bytes=int(a["size_bytes"]), uploaded_at=iso(a["uploaded_at"])).model_dump()


def to_api(fb: dict) -> dict:
    return FeedbackOut(
        id=fb["id"], type=fb["fb_type"], subject=fb["subject"], body=fb["body"], status=fb["status"],
        customer_code=fb["customer_code"], customer_name=fb.get("customer_name"),
        created_by=fb.get("created_by_name"), created_at=iso(fb["created_at"]),
        last_reply_at=iso(fb.get("last_reply_at")), closed_at=iso(fb.get("closed_at")),
        attachments=[file_to_api(a) for a in fb.get("attachments", [])],
        replies=[reply_to_api(r) for r in fb.get("replies", [])]).model_dump()


def reply_to_api(r: dict) -> dict:
    return ReplyOut(id=r["id"], body=r["body"], author=r.get("author_name"), created_at=iso(r["created_at"]),
                    internal=bool(r.get("is_internal")),
                    attachments=[file_to_api(a) for a in r.get("attachments", [])]).model_dump()


def summary_to_api(row: dict) -> dict:
    return FeedbackSummaryOut(
        id=row["id"], type=row["fb_type"], subject=row["subject"], status=row["status"],
        customer_code=row["customer_code"], customer_name=row.get("customer_name"),
        created_by=row.get("created_by_name"), created_at=iso(row["created_at"]),
        last_reply_at=iso(row.get("last_reply_at")), reply_count=int(row.get("reply_count") or 0)).model_dump()
