"""File storage for order documents, feedback and reply attachments and shared documents.

* Files live under ``SCM_STORAGE_DIR`` with generated names (never the user's name),
  outside any served folder; they are reached only through permission-checked routes.
* The type is decided by the content (magic numbers via ``filetype``), checked against an
  allow-list; the client's Content-Type and extension are not believed. HTML, SVG and
  scripts are refused.
* The original name (Chinese included) is kept for display and download; path parts and
  control characters are removed.
* Downloads are always attachments (RFC 5987 ``filename*``) with ``nosniff`` and a
  sandboxing CSP.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app, send_file

from .errors import ConfigError, InvalidInput, NotFound

# Detected MIME type → allowed. Office files are ZIP (OOXML) or OLE containers.
ALLOWED_TYPES = {
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/tiff", "image/bmp",
    "image/webp", "image/vnd.adobe.photoshop", "application/zip", "application/x-rar-compressed",
    "application/x-7z-compressed", "application/postscript",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/x-ole-storage", "text/plain", "text/csv",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_BY_EXT = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
               ".ppt": "application/vnd.ms-powerpoint"}
_OOXML_BY_EXT = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_EXT = {".txt": "text/plain", ".csv": "text/csv"}
_MARKUP_RE = re.compile(rb"<\s*(!doctype|html|script|svg|\?xml|iframe|body|head|meta|object|embed)\b", re.I)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str


def storage_dir() -> Path:
    folder = current_app.config.get("SCM_STORAGE_DIR")
    if not folder:
        raise ConfigError("SCM_STORAGE_DIR is not set: uploads need a storage folder")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config["SCM_MAX_UPLOAD_MB"]) * 1024 * 1024


def clean_name(name: str | None) -> str:
    """The user's file name for display: last path part only, no control characters,
    at most 200 characters, Chinese kept. Never used as a path."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name or "file"


def detect_type(head: bytes, name: str) -> str | None:
    """The file's type from its first bytes; None if it is not on the allow-list."""
    ext = os.path.splitext(name.lower())[1]
    if head.startswith(_OLE_MAGIC):
        return _OLE_BY_EXT.get(ext, "application/x-ole-storage")
    if head.startswith(b"%!PS"):
        return "application/postscript"
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip" and ext in _OOXML_BY_EXT:
            return _OOXML_BY_EXT[ext]
        return mime if mime in ALLOWED_TYPES else None
    if ext in _TEXT_EXT and _is_plain_text(head):
        return _TEXT_EXT[ext]
    return None


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head or _MARKUP_RE.search(head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # cut in the middle of a character
                return True
    return False


def save(upload, field: str = "file") -> StoredFile:
    """Validate and store one uploaded file (a Werkzeug FileStorage). Raises InvalidInput
    with a message code for the field; nothing is left on disk then."""
    if upload is None or not getattr(upload, "filename", None):
        raise InvalidInput({field: "file_required"})
    original = clean_name(upload.filename)
    limit = max_bytes()
    head = upload.stream.read(8192)
    if not head:
        raise InvalidInput({field: "file_empty"})
    content_type = detect_type(head, original)
    if content_type is None:
        raise InvalidInput({field: "file_type_not_allowed"})
    folder = storage_dir()
    storage_name = uuid.uuid4().hex
    final = folder / storage_name[:2] / storage_name
    final.parent.mkdir(exist_ok=True)
    tmp = final.with_suffix(".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise InvalidInput({field: "file_too_large"})
                digest.update(chunk)
                out.write(chunk)
                chunk = upload.stream.read(_CHUNK)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredFile(storage_name, original, content_type, size, digest.hexdigest())


def path_of(storage_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", storage_name or ""):
        raise FileNotFoundError(storage_name)
    return storage_dir() / storage_name[:2] / storage_name


def discard(stored: StoredFile | None) -> None:
    """Remove a stored file whose database row was never committed."""
    if stored is not None:
        path_of(stored.storage_name).unlink(missing_ok=True)


def download(attachment: dict):
    """The file as an attachment download; callers have checked permission already.
    A file missing from the storage folder answers 404 like a missing record."""
    try:
        path = path_of(attachment["storage_name"])
        if not path.is_file():
            raise FileNotFoundError(path)
    except FileNotFoundError:
        raise NotFound("attachment") from None
    resp = send_file(path, mimetype=attachment["content_type"], as_attachment=True,
                     download_name=attachment["original_name"], max_age=0, conditional=True,
                     etag=attachment.get("sha256") or True)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
