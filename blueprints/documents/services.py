"""Documents for customers (function 8, 资料上传).

A rep uploads a document — a subject (文档主题), one file, an optional last day — for one
or more of the customers granted to them (选择客户). Each customer's portal users see it
and download it until it expires; the first download of each customer is the read
receipt the rep sees (when, by whom, how often since). A rep sees a document when it is
shared with at least one of their customers, and only those customers' receipts. A
document withdrawn by a rep (possible only when all its customers are theirs) is gone
from both sides; its rows, its file and an audit entry stay.

Plain functions: the caller passes the user and the scope (from the login).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from scm_plugin.erp_bridge import Database
from scm_plugin.erp_bridge.clock import utcnow
from scm_plugin.erp_bridge.repos import documents as repo
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.erp_bridge.repos.scope import Scope

from scm_plugin import attachments, audit, i18n, notify, storage
from scm_plugin.erp_widths import CustomerCode
from scm_plugin.errors import Conflict, InvalidInput, NotFound
from scm_plugin.serialize import iso

MAX_SUBJECT = 200
MAX_CUSTOMERS = 500


# --- input schemas ----------------------------------------------------------------------------
class DocumentIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    subject: str = Field(..., max_length=MAX_SUBJECT, description="文档主题")
    customer_codes: list[str] = Field(default_factory=list, description="The customers it is shared with (选择客户)")
    expires_on: dt.date | None = Field(None, description="Last day the customers see it (local time); none = no end")

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("required")
        return value

    @field_validator("customer_codes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = list(dict.fromkeys(c.strip() for c in value if c and c.strip()))
        if not codes:
            raise ValueError("customers_required")
        if len(codes) > MAX_CUSTOMERS or any(len(c) > 30 for c in codes):
            raise ValueError("customer_unknown")
        return codes


class DocumentQuery(BaseModel):
    """The documents list's filters: the API's query, and the reps' page's (read leniently)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_code: CustomerCode | None = Field(None, description="Reps: shared with this customer")
    state: Literal["current", "expired"] | None = Field(None, description="Reps: still shown or expired")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: Literal["created_at", "subject", "expires_at"] = "created_at"
    dir: Literal["asc", "desc"] = "desc"
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(50, ge=1, le=200)

    def filters(self) -> dict:
        """``search``'s filters and sort (the page and its size aside)."""
        return {"customer_code": self.customer_code, "state": self.state, "date_from": self.date_from,
                "date_to": self.date_to, "sort": self.sort, "descending": self.dir == "desc"}


# --- output schemas ---------------------------------------------------------------------------
class ReceiptOut(BaseModel):
    customer_code: str
    customer_name: str | None = None
    downloaded: bool
    first_download_at: str | None = None
    first_download_by: str | None = None
    last_download_at: str | None = None
    download_count: int = 0


class DocumentFileOut(BaseModel):
    original_name: str
    content_type: str
    size_bytes: int


class DocumentOut(BaseModel):
    id: int
    subject: str
    file: DocumentFileOut
    created_at: str
    uploaded_by: str | None = None
    expires_at: str | None = None
    expired: bool = False
    targets: list[ReceiptOut] = []


class DocumentListOut(BaseModel):
    items: list[DocumentOut]
    page: int
    per_page: int
    total: int


# --- expiry --------------------------------------------------------------------------------------
def expiry_of(day: dt.date | None) -> dt.datetime | None:
    """The last day a customer sees the document → the stored end (UTC): the start of
    the next local day."""
    if day is None:
        return None
    return i18n.from_local(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def last_day(expires_at: dt.datetime | None) -> dt.date | None:
    """The stored end → the last local day the document is shown."""
    if expires_at is None:
        return None
    return (i18n.to_local(expires_at) - dt.timedelta(seconds=1)).date()


def _expired(row: dict, now: dt.datetime) -> bool:
    return row.get("expires_at") is not None and row["expires_at"] <= now


# --- sharing (reps) -----------------------------------------------------------------------------
def share(db: Database, user, scope: Scope, data: DocumentIn, upload, *, draft_id=None) -> dict:
    """Store the file and share it with the chosen customers (all in the scope), in one
    transaction; each customer's portal users are mailed."""
    if scope.kind != "grants":
        raise NotFound("document")
    errors: dict[str, str] = {}
    if data.expires_on is not None and data.expires_on < i18n.local_today():
        errors["expires_on"] = "date_in_past"
    has_draft = draft_id is not None and str(draft_id).isdigit()
    stored = []
    if not has_draft:
        try:
            stored = [attachments.store_one(upload)]
        except InvalidInput as exc:
            errors.update(exc.fields)
    try:
        with db.transaction(write=True) as tx:
            if any(not scope.allows(tx, code) for code in data.customer_codes):
                errors["customer_codes"] = "customer_unknown"
            if errors:
                raise InvalidInput(errors)
            document_id = repo.insert(tx, subject=data.subject, uploaded_by=user.id,
                                      expires_at=expiry_of(data.expires_on))
            [attachment_id] = attachments.attach(tx, stored, [draft_id] if has_draft else [], owner_type="document",
                                                 owner_id=document_id, customer_code=None, user_id=user.id,
                                                 field="file")
            repo.set_attachment(tx, document_id, attachment_id)
            for code in data.customer_codes:
                repo.add_target(tx, document_id, code)
            audit.record(tx, "document.share", "document", document_id,
                         detail=f"{data.subject} → {', '.join(data.customer_codes)}")
            link = notify.link("documents.portal_list")
            for code in data.customer_codes:
                notify.mail_customer(tx, code, "documents_shared", about=("document", document_id), link=link,
                                     setting="SCM_DOCUMENTS_NOTIFY_CUSTOMERS", subject=data.subject,
                                     last_day=data.expires_on)
    except BaseException:
        attachments.discard_all(stored)
        raise
    return get_document(db, scope, document_id)


def withdraw(db: Database, user, scope: Scope, document_id: int) -> None:
    """Gone from both sides; only for a rep granted every customer it was shared with."""
    if scope.kind != "grants":
        raise NotFound("document")
    with db.transaction(write=True) as tx:
        doc = repo.lock(tx, document_id)
        if doc is None or not repo.staff_allows(tx, scope, document_id):
            raise NotFound("document")
        if repo.targets_outside(tx, scope, document_id):
            raise Conflict("document_shared_beyond_scope")
        if not repo.withdraw(tx, document_id, user.id):
            raise NotFound("document")
        audit.record(tx, "document.withdraw", "document", document_id, detail=doc["subject"])


# --- reading --------------------------------------------------------------------------------------
def _visible(tx, scope: Scope, document_id: int, now: dt.datetime) -> dict:
    doc = repo.get(tx, document_id)
    if doc is None:
        raise NotFound("document")
    if scope.kind == "customer":
        target = repo.target(tx, document_id, scope.customer_code)
        if target is None or _expired(doc, now):
            raise NotFound("document")
        doc["targets"] = [dict(target, customer_name=None)]
    elif scope.kind == "grants" and repo.staff_allows(tx, scope, document_id):
        doc["targets"] = repo.targets_of(tx, scope, [document_id])
    else:
        raise NotFound("document")
    doc["expired"] = _expired(doc, now)
    doc["last_day"] = last_day(doc["expires_at"])
    return doc


def get_document(db: Database, scope: Scope, document_id: int, *, history: bool = False) -> dict:
    """The document with the receipts of the customers in the scope (a customer: their
    own); staff also get the history. NotFound if missing, withdrawn, outside the scope
    or — for a customer — expired."""
    now = utcnow()

    def read(tx):
        doc = _visible(tx, scope, document_id, now)
        doc["history"] = (users_repo.audit_of_object(tx, "document", document_id)
                          if history and scope.kind == "grants" else [])
        return doc
    return db.read(read)


def download(db: Database, user, scope: Scope, document_id: int) -> dict:
    """The file's metadata for the download, after the checks; a customer's download is
    recorded (the read receipt), a rep's is not."""
    now = utcnow()
    if scope.kind == "customer":
        with db.transaction(write=True) as tx:
            doc = _visible(tx, scope, document_id, now)
            if not _file_exists(doc):
                raise NotFound("document")  # no receipt for a download that cannot happen
            repo.record_download(tx, document_id, scope.customer_code, user.id)
        return doc
    return db.read(lambda tx: _visible(tx, scope, document_id, now))


def _file_exists(doc: dict) -> bool:
    try:
        return storage.path_of(doc["storage_name"]).is_file()
    except FileNotFoundError:
        return False


def search(db: Database, scope: Scope, *, customer_code: str | None = None, state: str | None = None,
           date_from: dt.date | None = None, date_to: dt.date | None = None, sort: str = "created_at",
           descending: bool = True, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
    """One page of the documents the scope may see; each with its (scoped) receipts.
    A customer gets the current documents shared with their company only."""
    now = utcnow()
    offset = (max(1, page) - 1) * per_page

    def read(tx):
        if scope.kind == "customer":
            rows, total = repo.search_customer(tx, scope.customer_code, now=now, limit=per_page, offset=offset)
            for r in rows:
                r["targets"] = [{"customer_code": r["customer_code"], "first_download_at": r["first_download_at"],
                                 "last_download_at": r["last_download_at"], "download_count": r["download_count"]}]
        else:
            start = i18n.from_local(dt.datetime.combine(date_from, dt.time())) if date_from else None
            end = i18n.from_local(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())) if date_to else None
            rows, total = repo.search_staff(tx, scope, now=now, customer_code=customer_code, state=state,
                                            date_from=start, date_to=end, sort=sort, descending=descending,
                                            limit=per_page, offset=offset)
            targets = repo.targets_of(tx, scope, [r["id"] for r in rows])
            for r in rows:
                r["targets"] = [t for t in targets if t["document_id"] == r["id"]]
        for r in rows:
            r["expired"] = _expired(r, now)
            r["last_day"] = last_day(r["expires_at"])
        return rows, total
    return db.read(read)


# --- API representations ------------------------------------------------------------------------------
def to_api(doc: dict) -> dict:
    return DocumentOut(
        id=doc["id"], subject=doc["subject"],
        file=DocumentFileOut(original_name=doc["original_name"], content_type=doc["content_type"],
                             size_bytes=int(doc["size_bytes"])),
        created_at=iso(doc["created_at"]), uploaded_by=doc.get("uploaded_by_name"),
        expires_at=iso(doc.get("expires_at")), expired=bool(doc.get("expired")),
        targets=[ReceiptOut(customer_code=t["customer_code"], customer_name=t.get("customer_name"),
                            downloaded=t.get("first_download_at") is not None,
                            first_download_at=iso(t.get("first_download_at")),
                            first_download_by=t.get("first_download_by_name"),
                            last_download_at=iso(t.get("last_download_at")),
                            download_count=int(t.get("download_count") or 0))
                 for t in doc.get("targets", [])]).model_dump()
