"""File storage for order documents, feedback and reply attachments and shared documents.

* Files live under ``SCM_STORAGE_DIR`` with generated names (never the user's name),
  outside any served folder; they are reached only through permission-checked routes.
* The type is decided by the content (magic numbers via ``filetype``), checked against an
  allow-list; the client's Content-Type and extension are not believed. HTML, SVG and
  scripts are refused.
* The original name (Chinese included) is kept for display and download; path parts and
  control characters are removed, and its extension follows the detected type
  (``check_name``): 合同.hta with PDF content is stored as 合同.pdf; 合同.pdf.bat is refused.
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
from .messages import Coded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

# THE list of accepted types, for every upload (orders, feedback, replies, documents,
# imports): detected MIME type → the extensions a file of that type may carry. A stored
# file's name ends in one of them ("names follow content"): a wrong or missing one is
# replaced by the first. Office files are ZIP (OOXML) or OLE containers.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf", ".ai"),          # Illustrator artwork is PDF inside
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/tiff": (".tif", ".tiff"),
    "image/bmp": (".bmp",),
    "image/webp": (".webp",),
    "image/vnd.adobe.photoshop": (".psd",),
    "application/zip": (".zip", ".odt", ".ods", ".odp", ".odg"),
    "application/x-rar-compressed": (".rar",),
    "application/x-7z-compressed": (".7z",),
    "application/postscript": (".ps", ".eps"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    XLSX: (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    # Any other OLE container (WPS .wps/.et/.dps, Outlook .msg, Visio .vsd …) has no
    # extension of its own: its name is kept, unless that names a program (.msi, .msp
    # installers are OLE containers too).
    "application/x-ole-storage": (),
    "text/plain": (".txt",),
    CSV: (".csv", ".txt"),
}

# Extensions Windows (or a browser) runs, installs or renders as active content. A stored
# file never keeps one as its last extension.
EXECUTABLE_EXTENSIONS = frozenset("""
    .exe .bat .cmd .com .scr .hta .js .jse .vbs .vbe .vb .wsf .wsh .wsc .ws .ps1 .psm1 .psd1 .ps1xml .ps2
    .psc1 .msh .msh1 .lnk .url .msi .msp .mst .reg .inf .ins .isp .html .htm .shtml .xhtml .xht .mht .mhtml
    .svg .svgz .xml .xsl .jar .jnlp .cpl .pif .application .appref-ms .gadget .hlp .chm .scf .sct .shb .shs
    .msc .dll .ocx .sys .drv .xbap .vsto .xll .settingcontent-ms .library-ms .search-ms .iqy .slk .ade
    .adp .mde .accde .mda .sh .bash .command .py .pyw .pl .rb .php .asp .aspx .jsp .cgi .app .apk .dmg
    .pkg .deb .rpm .desktop .bas .crx .mcf .diagcab .theme .themepack .msix .appx .appxbundle
""".split())
# what a file manager takes for an extension (a letter in it: "v1.2" has none)
_EXT_RE = re.compile(r"\.(?=[0-9_-]*[a-z])[0-9a-z_-]{1,16}")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_BY_EXT = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
               ".ppt": "application/vnd.ms-powerpoint"}
_OOXML_BY_EXT = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_EXT = {".txt": "text/plain", ".csv": CSV}
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
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"^[\s.]+|[\s.]+$", "", name)   # Windows drops trailing dots and spaces: "x.exe. " is x.exe
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


def _extension(name: str) -> str:
    """The name's extension as a file manager sees it ("" for "报告 v1.2" or "合同.最终版")."""
    ext = os.path.splitext(name)[1].lower()
    return ext if _EXT_RE.fullmatch(ext) else ""


def name_for_content(name: str, content_type: str) -> str:
    """The name a file of this detected type is stored and downloaded under: its
    extension is one of the type's (合同.hta with PDF content → 合同.pdf; 合同 → 合同.pdf;
    合同.pdf.docx → 合同.pdf); Chinese and everything else in the name is kept. Never
    fails: also used for files stored before this rule (see ``check_name`` for what an
    upload is refused for)."""
    accepted = ALLOWED_TYPES.get(content_type, ())
    ext = _extension(name)
    if not accepted:   # a generic OLE container: its own name, but never a program's
        return name + ".bin" if ext in EXECUTABLE_EXTENSIONS else name
    if ext in accepted:
        return name
    stem = name[: -len(ext)] if ext else name
    while _extension(stem) in EXECUTABLE_EXTENSIONS:   # 合同.exe.bat → 合同
        stem = stem[: -len(_extension(stem))]
    stem = re.sub(r"[\s.]+$", "", stem) or "file"
    return stem if _extension(stem) in accepted else stem + accepted[0]


def check_name(name: str, content_type: str, field: str = "file") -> str:
    """The name an upload of this type is stored under (``name_for_content``), or
    InvalidInput when the name itself is the attack.

    Refused, with a message, rather than renamed:
    - a program's extension after another one (合同.pdf.bat): a name made to look like
      one type in Explorer (which hides the last extension) while being another is a
      disguise, not a slip; the uploader is told, and nothing is kept;
    - a program's extension on a container without an extension of its own (setup.msi
      is an OLE file: the content is an installer, there is nothing safe to call it).
    Renamed (neutralised) without a word: a single wrong extension on content that is
    fine (合同.hta or 合同.docx with PDF content → 合同.pdf): a renamed file or a wrong
    "Save as" is an honest slip, and the content is what the user meant to share."""
    ext = _extension(name)
    if ext in EXECUTABLE_EXTENSIONS:
        stem_ext = _extension(name[: -len(ext)])
        if stem_ext or not ALLOWED_TYPES.get(content_type):
            raise InvalidInput({field: Coded("file_name_executable", ext=ext)})
    return name_for_content(name, content_type)


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
    original = check_name(original, content_type, field)
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
                     download_name=name_for_content(attachment["original_name"], attachment["content_type"]),
                     max_age=0, conditional=True,
                     etag=attachment.get("sha256") or True)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
