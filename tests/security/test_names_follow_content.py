"""Issue 20, item 3: names follow content.

The content check already refused programs by their bytes, but the uploader's name was
kept: 合同.hta and 合同.pdf.bat starting with %PDF-1.4 were stored as application/pdf and
downloaded under those names — a double-click away from running. Now, in every upload
path (order documents, feedback files, replies, documents, the supplier-stock import):
- a single wrong extension on accepted content is replaced by the detected type's
  (合同.hta → 合同.pdf), the Chinese name kept;
- a program's extension after another (合同.pdf.bat), or on a container that has no
  extension of its own (setup.msi, an OLE file), is refused with a message naming it,
  nothing is kept, and a page keeps what the user entered."""
from __future__ import annotations

import datetime as dt
import html
import io
import pathlib
import re
from urllib.parse import quote

import pytest
from werkzeug.http import parse_options_header

from scm_plugin.messages import message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
TARGETS = ("order", "feedback", "reply", "document")


class Target:
    """One API upload path: send a file, read back its stored name and its download."""

    def __init__(self, kind, bearer, make_order):
        self.kind, self.bearer = kind, bearer
        if kind == "order":
            self.order_no = make_order("cust1")["order_no"]
        elif kind in ("feedback", "reply"):
            resp = bearer("cust1", "POST", "/feedback", json={"type": "complaint", "subject": "划伤", "body": "见附件"})
            self.feedback_id = resp.json["id"]

    @property
    def field(self):
        return "files" if self.kind == "reply" else "file"

    def upload(self, content: bytes, name: str):
        file = (io.BytesIO(content), name)
        if self.kind == "order":
            return self.bearer("cust1", "POST", f"/orders/{self.order_no}/attachments", data={"file": file})
        if self.kind == "feedback":
            return self.bearer("cust1", "POST", f"/feedback/{self.feedback_id}/attachments", data={"file": file})
        if self.kind == "reply":
            return self.bearer("rep1", "POST", f"/feedback/{self.feedback_id}/replies",
                               data={"body": "见附件", "files": file})
        return self.bearer("rep1", "POST", "/documents", data={"subject": "资料", "customer_codes": "C001", "file": file})

    def stored(self, resp) -> tuple[str, str]:
        """(stored name, the customer's download path)."""
        body = resp.json
        if self.kind == "order":
            return body["original_name"], f"/orders/{self.order_no}/attachments/{body['id']}"
        if self.kind == "feedback":
            return body["original_name"], f"/feedback/{self.feedback_id}/attachments/{body['id']}"
        if self.kind == "reply":
            att = body["attachments"][0]
            return att["original_name"], f"/feedback/{self.feedback_id}/attachments/{att['id']}"
        return body["file"]["original_name"], f"/documents/{body['id']}/file"


@pytest.fixture(params=TARGETS)
def target(request, bearer, make_order):
    return Target(request.param, bearer, make_order)


def _files(app) -> list[pathlib.Path]:
    return [p for p in pathlib.Path(app.config["SCM_STORAGE_DIR"]).rglob("*") if p.is_file()]


def _attachments(db) -> int:
    return db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type <> 'draft'")


def _download_name(resp) -> str:
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    return parse_options_header(disposition)[1]["filename"]


@pytest.mark.parametrize("content, name, stored, content_type", [
    (PDF, "合同.hta", "合同.pdf", "application/pdf"),       # the assessment's
    (PDF, "合同.exe", "合同.pdf", "application/pdf"),
    (PDF, "合同.js", "合同.pdf", "application/pdf"),
    (PDF, "合同.svg", "合同.pdf", "application/pdf"),
    (PDF, "合同.html", "合同.pdf", "application/pdf"),
    (PDF, "合同.lnk", "合同.pdf", "application/pdf"),
    (PDF, "合同.docx", "合同.pdf", "application/pdf"),      # any wrong extension, not only programs
    (PDF, "合同", "合同.pdf", "application/pdf"),           # none at all
    (PDF, "合同.PDF", "合同.PDF", "application/pdf"),       # a right one is kept as written
    (PDF, "封面.ai", "封面.ai", "application/pdf"),         # Illustrator artwork is a PDF
    (PDF, "报告 v1.2", "报告 v1.2.pdf", "application/pdf"),   # "2" is no extension
    (ZIP, "工具.jar", "工具.zip", "application/zip"),        # a Java program is a zip: opened as one
    (OLE, "报价.xls", "报价.xls", "application/vnd.ms-excel"),
])
def test_the_stored_and_downloaded_name_gets_the_detected_types_extension(target, bearer, content, name, stored,
                                                                           content_type):
    resp = target.upload(content, name)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    shown, path = target.stored(resp)
    assert shown == stored
    got = bearer("cust1", "GET", path)
    assert got.status_code == 200 and got.data == content
    assert got.mimetype == content_type
    assert _download_name(got) == stored
    if not stored.isascii():
        assert f"filename*=UTF-8''{quote(stored, safe='!#$&+-.^_`|~')}" in got.headers["Content-Disposition"]


@pytest.mark.parametrize("content, name, ext", [
    (PDF, "合同.pdf.bat", ".bat"),     # the assessment's
    (PDF, "合同.pdf.exe", ".exe"),
    (PDF, "合同.PDF.Scr", ".scr"),
    (PDF, "发票.jpg.hta ", ".hta"),    # the trailing space Windows ignores
    (PDF, "合同.pdf.js.", ".js"),      # the trailing dot Windows ignores
    (ZIP, "资料.zip.vbs", ".vbs"),
    (OLE, "setup.msi", ".msi"),       # an installer is an OLE file: nothing safe to call it
    (OLE, "更新.msp", ".msp"),
])
def test_a_programs_extension_hiding_behind_another_is_refused(target, app, db, content, name, ext):
    resp = target.upload(content, name)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.json["error"] == "invalid_input"
    text = resp.json["fields"][target.field]
    assert ext in text
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert text == message("file_name_executable", ext=ext)
    assert _attachments(db) == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0
    assert _files(app) == []


def test_a_file_stored_before_the_rule_downloads_under_its_types_name(target, bearer, db):
    """Rows written before this change keep their name in the database; the download
    gives the safe one anyway."""
    resp = target.upload(PDF, "合同.pdf")
    _shown, path = target.stored(resp)
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_attachment SET original_name = ?", "合同.pdf.bat")
    got = bearer("cust1", "GET", path)
    assert got.status_code == 200
    assert _download_name(got) == "合同.pdf"


def _expected(app, code, **variables) -> str:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return html.escape(message(code, **variables), quote=False)


def test_the_portal_order_form_keeps_what_was_entered_when_a_name_is_refused(app, login, db):
    client = login("cust1")
    data = {"kind": "sales", "customer_order_no": "HY-保留-118", "remarks": "保留这段备注", "form_token": "tok-1",
            "requested_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
            "lines-0-inventory_code": "1001001", "lines-0-quantity": "1200", "csrf_token": client.csrf(),
            "files": [(io.BytesIO(PDF), "合同.pdf.bat")]}
    resp = client.post("/scm/portal/orders/new?kind=sales", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert _expected(app, "file_name_executable", ext=".bat") in page
    assert 'value="HY-保留-118"' in page and "保留这段备注" in page and 'value="1001001"' in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0   # no draft of it either
    assert _files(app) == []
    # the same order with the file renamed to what it is goes through, under the PDF's name
    data["files"] = [(io.BytesIO(PDF), "合同.hta")]
    data["csrf_token"] = client.csrf()
    resp = client.post("/scm/portal/orders/new?kind=sales", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, re.findall(r"role=\"alert\">([^<]*)", resp.get_data(as_text=True))
    assert [r["original_name"] for r in db.all_sql("SELECT original_name FROM scm_attachment")] == ["合同.pdf"]


def test_the_complaint_form_keeps_what_was_entered_when_a_name_is_refused(app, login, db):
    client = login("cust1")
    data = {"type": "complaint", "subject": "第 3 批盘面划伤", "body": "批号 HY-0315，约 200 张。",
            "csrf_token": client.csrf(), "files": [(io.BytesIO(PDF), "照片.jpg.exe")]}
    resp = client.post("/scm/feedback/portal/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert _expected(app, "file_name_executable", ext=".exe") in page
    assert "第 3 批盘面划伤" in page and "批号 HY-0315，约 200 张。" in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback") == 0


def test_the_document_page_keeps_what_was_entered_when_a_name_is_refused(app, login, db):
    client = login("rep1")
    data = {"subject": "2026 年价格表", "customer_codes": "C001", "csrf_token": client.csrf(),
            "file": (io.BytesIO(PDF), "价格表.pdf.cmd")}
    resp = client.post("/scm/documents/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert _expected(app, "file_name_executable", ext=".cmd") in page
    assert "2026 年价格表" in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0


def _supplier_csv() -> bytes:
    return "供应商编码,存货编码,库存数量\nV001,2001001,100\n".encode()


def test_the_supplier_import_refuses_a_hidden_program_and_records_the_contents_name(app, login, db):
    rep = login("rep1")
    resp = rep.form("/scm/inventory/supplier-stock", {"file": (io.BytesIO(_supplier_csv()), "库存.csv.bat")},
                    content_type="multipart/form-data")
    assert resp.status_code == 400
    assert _expected(app, "file_name_executable", ext=".bat") in resp.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_supplier_import") == 0
    resp = rep.form("/scm/inventory/supplier-stock", {"file": (io.BytesIO(_supplier_csv()), "库存.hta")},
                    content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    assert [r["filename"] for r in db.all_sql("SELECT filename FROM scm_supplier_import")] == ["库存.csv"]
