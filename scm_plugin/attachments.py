"""Uploaded files of orders, feedback, replies and documents: several files stored as
one unit (all or nothing), files kept as drafts when a form has to be shown again, a
permission-checked download.

Files go through ``scm_plugin.storage`` (type by content, generated names, attachment
downloads with nosniff) and their metadata through ``erp_bridge.repos.files``.
"""
from __future__ import annotations

from collections.abc import Iterable

from . import orders, storage
from .erp_bridge.repos import files as files_repo
from .errors import InvalidInput, NotFound

MAX_FILES = 10


def present(uploads: Iterable) -> list:
    """The uploads that carry a file (browsers send an empty part for an empty input)."""
    return [u for u in uploads or () if u is not None and getattr(u, "filename", None)]


def store_all(uploads: Iterable, field: str = "files", max_files: int = MAX_FILES) -> list[storage.StoredFile]:
    """Validate and store every file; if one is refused none is kept and InvalidInput
    names the field (the first problem found)."""
    uploads = present(uploads)
    if len(uploads) > max_files:
        raise InvalidInput({field: "too_many_files"})
    stored: list[storage.StoredFile] = []
    try:
        for upload in uploads:
            stored.append(storage.save(upload, field=field))
    except BaseException:
        discard_all(stored)
        raise
    return stored


def discard_all(stored: Iterable[storage.StoredFile]) -> None:
    """Remove stored files whose database rows were never committed."""
    for f in stored:
        storage.discard(f)


def attach(tx, stored: Iterable[storage.StoredFile], *, owner_type: str, owner_id: int,
           customer_code: str | None, user_id: int | None) -> list[int]:
    return [files_repo.insert(tx, owner_type=owner_type, owner_id=owner_id, customer_code=customer_code,
                              stored=f, uploaded_by=user_id) for f in stored]


def keep_drafts(db, user, uploads, draft_ids=()) -> tuple[list[dict], dict[str, str]]:
    """The files of a refused form, kept as the user's drafts so the form can be shown
    again without choosing them anew; returns the drafts (earlier ones included) and
    the per-file errors. The streams may have been read already: they are rewound."""
    uploads = present(uploads)
    for upload in uploads:
        try:
            upload.stream.seek(0)
        except (AttributeError, OSError, ValueError):
            pass
    kept, errors = orders.keep_drafts(db, user, uploads) if uploads else ([], {})
    return orders.drafts_of(db, user, draft_ids) + kept, errors


def download(attachment: dict | None):
    """The file as an attachment download; the caller has checked permission."""
    if attachment is None:
        raise NotFound("attachment")
    try:
        return storage.download(attachment)
    except FileNotFoundError:
        raise NotFound("attachment") from None
