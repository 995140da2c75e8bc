"""The upload attack set (RELIABILITY.md), for the three ways files come in alike: a
customer's file on their feedback, a rep's file on a reply, a rep's document for
customers. Each hostile file is refused with a clear message and nothing is kept, or
stored under a generated name inside the storage folder and served as an attachment
with its (Chinese) name intact — and escaped wherever the name is shown."""
from __future__ import annotations

import io
import pathlib
from urllib.parse import quote

import pytest
from werkzeug.http import parse_options_header

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TARGETS = ("feedback", "reply", "document")


@pytest.fixture
def app_config():
    return {"SCM_MAX_UPLOAD_MB": 1}


class Target:
    """Upload one file the target's way; download it and show it the customer's way."""

    def __init__(self, kind, api, login, file_feedback):
        self.kind, self.api, self.login = kind, api, login
        self.feedback_id = file_feedback()["id"] if kind != "document" else None
        self.document_id = None

    def upload(self, content: bytes, name: str):
        if self.kind == "feedback":
            user, path, fields, file_field = "cust1", f"/feedback/{self.feedback_id}/attachments", [], "file"
        elif self.kind == "reply":
            user, path, fields, file_field = "rep1", f"/feedback/{self.feedback_id}/replies", [("body", "见附件")], "files"
        else:
            user, path, fields, file_field = "rep1", "/documents", [("subject", "资料"), ("customer_codes", "C001")], "file"
        if '"' in name:
            body, content_type = raw_multipart(fields, file_field, content, name)
            return self.api(user, "POST", path, data=body, content_type=content_type)
        data = dict(fields, **{file_field: (io.BytesIO(content), name)})
        return self.api(user, "POST", path, data=data)

    def field(self) -> str:
        return {"feedback": "file", "reply": "files", "document": "file"}[self.kind]

    def stored(self, resp) -> tuple[str, str]:
        """(display name, customer's download path) of a successful upload."""
        body = resp.json
        if self.kind == "feedback":
            return body["original_name"], f"/feedback/{self.feedback_id}/attachments/{body['id']}"
        if self.kind == "reply":
            att = body["attachments"][0]
            return att["original_name"], f"/feedback/{self.feedback_id}/attachments/{att['id']}"
        self.document_id = body["id"]
        return body["file"]["original_name"], f"/documents/{body['id']}/file"

    def pages(self):
        """The pages that show the file's name, for the customer and the rep."""
        if self.kind == "document":
            return [self.login("cust1").get("/scm/documents/portal/"), self.login("rep1").get("/scm/documents/"),
                    self.login("rep1").get(f"/scm/documents/{self.document_id}")]
        return [self.login("cust1").get(f"/scm/feedback/portal/{self.feedback_id}"),
                self.login("rep1").get(f"/scm/feedback/{self.feedback_id}")]


def raw_multipart(fields, file_field: str, content: bytes, filename: str) -> tuple[bytes, str]:
    """A multipart body whose file name carries characters a naive encoder cannot put in
    a quoted string (a double quote): sent as RFC 2231 ``filename*``, as API clients may."""
    boundary = "scm-test-boundary-7f3a"
    out = b""
    for key, value in fields:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
            f"filename*=UTF-8''{quote(filename, safe='')}\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(params=TARGETS)
def target(request, api, login, file_feedback):
    return Target(request.param, api, login, file_feedback)


def _files(app) -> list[pathlib.Path]:
    return [p for p in pathlib.Path(app.config["SCM_STORAGE_DIR"]).rglob("*") if p.is_file()]


@pytest.mark.parametrize("content, name, text", [
    (b"<html><body><script>alert(1)</script></body></html>", "page.html", "不接受此类文件"),
    (b"<!DOCTYPE html><p>hi</p>", "说明.htm", "不接受此类文件"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "logo.svg", "不接受此类文件"),
    (b"<svg onload=alert(1)>", "logo.txt", "不接受此类文件"),
    (b"<script>alert(1)</script>", "notes.pdf", "不接受此类文件"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "setup.pdf", "不接受此类文件"),
    (b"", "空文件.pdf", "文件为空"),
])
def test_hostile_or_empty_files_are_refused_and_nothing_kept(target, app, db, content, name, text):
    resp = target.upload(content, name)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.json["error"] == "invalid_input"
    assert text in resp.json["fields"][target.field()]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0
    assert _files(app) == []


def test_over_the_size_limit_is_refused(target, app, db):
    big = PDF + b"0" * (1024 * 1024 + 10)
    resp = target.upload(big, "太大了.pdf")
    assert resp.status_code in (400, 413)
    if resp.status_code == 400:
        assert "文件超过大小限制" in resp.json["fields"][target.field()]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0
    assert _files(app) == []


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/abs/path/规格书.pdf", "规格书.pdf"),
    ('报价"单\'<script>alert(1)<img src=x onerror=alert(2)>.pdf', '报价"单\'<script>alert(1)<img src=x onerror=alert(2)>.pdf'),
    ("a/b</script>.pdf", "script>.pdf"),   # a slash is a path separator: only the last part is kept
    ("光盘母盘检验报告（2026年第3批）.pdf", "光盘母盘检验报告（2026年第3批）.pdf"),
])
def test_names_are_kept_for_display_only_and_escaped(target, app, api, name, shown):
    resp = target.upload(PDF, name)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    display, path = target.stored(resp)
    assert display == shown
    storage = pathlib.Path(app.config["SCM_STORAGE_DIR"]).resolve()
    files = _files(app)
    assert files and all(p.resolve().is_relative_to(storage) for p in files)
    assert all(len(p.name) == 32 and p.name not in name for p in files)   # generated names
    got = api("cust1", "GET", path)
    assert got.status_code == 200 and got.data == PDF
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert parse_options_header(disposition)[1]["filename"] == shown   # the name intact, quotes and all
    if not shown.isascii():   # RFC 5987, as Werkzeug writes it: the Chinese name percent-encoded
        assert f"filename*=UTF-8''{quote(shown, safe='!#$&+-.^_`|~')}" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    for page in target.pages():
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert(1)" not in html
        if "<script>" in shown:
            assert "报价&#34;单&#39;&lt;script&gt;alert(1)&lt;img src=x onerror=alert(2)&gt;.pdf" in html
            assert "<img src=x" not in html
        elif "/" not in name and "\\" not in name:
            assert shown in html


def test_text_and_images_are_served_as_attachments_too(target, api):
    """Allowed types that a browser would render inline still download."""
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 16
    for content, name, mime in ((b"plain text, \xe4\xb8\xad\xe6\x96\x87\n", "说明.txt", "text/plain"),
                                (png, "样张.png", "image/png")):
        resp = target.upload(content, name)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        _display, path = target.stored(resp)
        got = api("cust1", "GET", path)
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert got.mimetype == mime
        assert got.headers["Content-Security-Policy"].startswith("default-src 'none'")
