"""Uploaded files of orders, feedback, replies and documents.

- Several files are stored as one unit (all or nothing) and attached to their owner in
  the owner's transaction; a caller whose transaction does not commit discards them.
- Drafts: the files of a refused form, kept so the user need not choose them again,
  and adopted by the form's next submission. Those nobody came back for are removed by
  a scheduled job after ``SCM_DRAFT_RETENTION_HOURS``: the row first, then the file, so
  a form adopting the draft at that moment either gets it whole or not at all.
- A permission-checked download (the caller has checked).

Files go through ``scm_plugin.storage`` (type by content, generated names, attachment
downloads with nosniff) and their metadata through ``erp_bridge.repos.files``.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import Flask

from . import storage
from .erp_bridge import Database
from .erp_bridge.clock import utcnow
from .erp_bridge.repos import files as files_repo
from .errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MAX_FILES = 10
PURGE_BATCH = 500


# --- storing and attaching -------------------------------------------------------------
def present(uploads: Iterable) -> list:
    """The uploads that carry a file (browsers send an empty part for an empty input)."""
    return [u for u in uploads or () if u is not None and getattr(u, "filename", None)]


def store_all(uploads: Iterable, field: str = "files", max_files: int | None = MAX_FILES) -> list[storage.StoredFile]:
    """Validate and store every file; if one is refused none is kept and InvalidInput
    names the field (the first problem found). ``max_files=None``: no limit."""
    uploads = present(uploads)
    if max_files is not None and len(uploads) > max_files:
        raise InvalidInput({field: "too_many_files"})
    stored: list[storage.StoredFile] = []
    try:
        for upload in uploads:
            stored.append(storage.save(upload, field=field))
    except BaseException:
        discard_all(stored)
        raise
    return stored


def store_one(upload, field: str = "file") -> storage.StoredFile:
    """The one file a form or request requires (InvalidInput ``file_required`` without)."""
    return storage.save(upload, field=field)


def discard_all(stored: Iterable[storage.StoredFile]) -> None:
    """Remove stored files whose database rows were never committed."""
    for f in stored:
        storage.discard(f)


def attach(tx, stored: Iterable[storage.StoredFile], draft_ids: Iterable = (), *, owner_type: str,
           owner_id: int, customer_code: str | None, user_id: int, field: str = "files") -> list[int]:
    """The newly stored files and the user's drafts (see ``adopt_drafts``) become the
    owner's; returns their attachment ids."""
    ids = [files_repo.insert(tx, owner_type=owner_type, owner_id=owner_id, customer_code=customer_code,
                             stored=f, uploaded_by=user_id) for f in stored]
    return ids + adopt_drafts(tx, draft_ids, user_id=user_id, owner_type=owner_type, owner_id=owner_id,
                              customer_code=customer_code, field=field)


def download(attachment: dict | None):
    """The file as an attachment download (404 when it or its file is gone); the caller
    has checked permission."""
    if attachment is None:
        raise NotFound("attachment")
    return storage.download(attachment)


# --- drafts ------------------------------------------------------------------------------
def keep_drafts(db: Database, user, uploads, draft_ids=(), *, field: str = "files"
                ) -> tuple[list[dict], dict[str, str]]:
    """The files of a refused form, kept as the user's drafts so the form can be shown
    again without choosing them anew; returns the drafts (the earlier ones in
    ``draft_ids`` first) and the per-file errors under ``field``."""
    kept, errors = [], {}
    for upload in present(uploads):
        try:
            upload.stream.seek(0)  # the refused submission may have read it already
        except (AttributeError, OSError, ValueError):
            pass  # not seekable: saving it says what is wrong
        try:
            f = storage.save(upload, field=field)
        except InvalidInput as exc:
            errors.update(exc.fields)
            continue
        with db.transaction() as tx:
            draft_id = files_repo.insert(tx, owner_type="draft", owner_id=None, customer_code=None,
                                         stored=f, uploaded_by=user.id)
        kept.append({"id": draft_id, "original_name": f.original_name, "size_bytes": f.size_bytes})
    wanted = {int(i) for i in draft_ids or () if str(i).isdigit()}
    earlier = [r for r in db.read(lambda tx: files_repo.drafts_of_user(tx, user.id)) if r["id"] in wanted] \
        if wanted else []
    return earlier + kept, errors


def adopt_drafts(tx, draft_ids: Iterable, *, user_id: int, owner_type: str, owner_id: int,
                 customer_code: str | None, field: str = "files") -> list[int]:
    """Attach the files this user kept from an earlier, refused submission of the form;
    returns their ids. A draft that is gone (purged, adopted by another tab, not this
    user's) refuses the whole submission: placing it without the file the user saw
    listed would lose it. ``field`` names the form's file field, where the message is shown."""
    adopted = []
    for draft_id in draft_ids or ():
        if not (str(draft_id).isdigit() and files_repo.adopt_draft(tx, int(draft_id), user_id, owner_type,
                                                                   owner_id, customer_code)):
            raise InvalidInput({field: "draft_gone"})
        adopted.append(int(draft_id))
    return adopted


def purge_stale_drafts(db: Database, older_than: dt.timedelta, *, now: dt.datetime | None = None) -> int:
    """Remove drafts uploaded before ``now - older_than``; returns how many went."""
    before = (now or utcnow()) - older_than
    removed = 0
    while True:
        stale = db.read(lambda tx: files_repo.stale_drafts(tx, before, PURGE_BATCH))
        for row in stale:
            with db.transaction() as tx:
                gone = files_repo.delete_draft(tx, row["id"])
            if gone:
                try:
                    storage.path_of(row["storage_name"]).unlink(missing_ok=True)
                except FileNotFoundError:  # a malformed stored name: nothing on disk to remove
                    pass
                removed += 1
        if len(stale) < PURGE_BATCH:
            return removed


def purge_job(app: Flask) -> None:
    """Scheduled (core): the drafts older than ``SCM_DRAFT_RETENTION_HOURS``."""
    hours = float(app.config["SCM_DRAFT_RETENTION_HOURS"])
    n = purge_stale_drafts(app.extensions["scm"].db, dt.timedelta(hours=hours))
    if n:
        log.info("removed %s draft files older than %s hours", n, hours)
