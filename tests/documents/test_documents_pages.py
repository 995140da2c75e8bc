"""The documents pages: the rep uploads (资料上传: 文档主题, 选择客户, 上传) for granted
customers, sees what was shared with whom and the read receipts; the customer lists
and downloads until the last day; the file is kept when the form is refused."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from scm_plugin.erp_bridge.clock import utcnow

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, customers=("C001", "C002"), files=((PDF, "母盘检验标准 V3.pdf"),), **fields):
    data = {"subject": "母盘检验标准", "customer_codes": list(customers), "expires_on": ""}
    data.update(fields)
    for content, name in files:
        data["file"] = (io.BytesIO(content), name)
    data["csrf_token"] = client.csrf()
    return client.post("/scm/documents/new", data=data, content_type="multipart/form-data")


def test_rep_uploads_for_two_customers_and_sees_the_receipts(login, db):
    rep = login("rep1")
    form = rep.get("/scm/documents/new").get_data(as_text=True)
    assert 'value="C001"' in form and 'value="C002"' in form and 'value="C003"' not in form
    resp = _upload(rep)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    detail = rep.get(resp.headers["Location"]).get_data(as_text=True)
    assert "母盘检验标准" in detail and "母盘检验标准 V3.pdf" in detail
    assert detail.count("not downloaded yet") == 2
    customer = login("cust1")
    listing = customer.get("/scm/documents/portal/").get_data(as_text=True)
    assert "母盘检验标准 V3.pdf" in listing
    link = re.search(r'href="(/scm/documents/portal/\d+/file)"', listing).group(1)
    got = customer.get(link)
    assert got.status_code == 200 and got.data == PDF
    assert "%E6%AF%8D%E7%9B%98" in got.headers["Content-Disposition"]
    detail = rep.get(resp.headers["Location"]).get_data(as_text=True)
    row = re.search(r'<tr data-customer="C001">(.*?)</tr>', detail, re.S).group(1)
    assert "downloaded" in row and "cust1 测试" in row
    assert detail.count("not downloaded yet") == 1
    index = rep.get("/scm/documents/").get_data(as_text=True)
    assert "母盘检验标准" in index and "cust1 测试" in index
    # the receipt is not shown to other customers, and rep2 does not see the document
    assert "母盘检验标准" not in login("cust3").get("/scm/documents/portal/").get_data(as_text=True)
    assert "母盘检验标准" not in login("rep2").get("/scm/documents/").get_data(as_text=True)


def test_refused_upload_keeps_the_file(login, db):
    rep = login("rep1")
    resp = _upload(rep, customers=())
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Choose at least one customer." in html and "母盘检验标准 V3.pdf" in html
    draft = re.search(r'name="draft_ids" value="(\d+)"', html).group(1)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0
    ok = rep.post("/scm/documents/new", data={"subject": "母盘检验标准", "customer_codes": "C001",
                                               "draft_ids": draft, "csrf_token": rep.csrf()})
    assert ok.status_code == 303
    assert "母盘检验标准 V3.pdf" in rep.get(ok.headers["Location"]).get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type = 'document'") == 1
    # a kept file that is gone (adopted above, purged, someone else's) refuses the share
    again = rep.post("/scm/documents/new", data={"subject": "再发一次", "customer_codes": "C001",
                                                  "draft_ids": draft, "csrf_token": rep.csrf()})
    assert again.status_code == 400 and "no longer available" in again.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 1


def test_customer_outside_the_grants_is_refused(login, db):
    rep = login("rep1")
    resp = _upload(rep, customers=("C001", "C003"))
    assert resp.status_code == 400
    assert "No such customer" in resp.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0


def test_expired_documents_leave_the_customers_list(login, db):
    rep = login("rep1")
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    resp = _upload(rep, customers=("C001",), expires_on=tomorrow)
    assert resp.status_code == 303
    customer = login("cust1")
    assert "母盘检验标准" in customer.get("/scm/documents/portal/").get_data(as_text=True)
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_document SET expires_at = ?", utcnow() - dt.timedelta(seconds=5))
    listing = customer.get("/scm/documents/portal/").get_data(as_text=True)
    assert "母盘检验标准" not in listing
    doc_id = db.scalar_sql("SELECT id FROM scm_document")
    assert customer.get(f"/scm/documents/portal/{doc_id}/file").status_code == 404
    staff = rep.get("/scm/documents/").get_data(as_text=True)
    assert "母盘检验标准" in staff and "scm-badge-expired" in staff


def test_withdraw_on_the_page(login, db):
    rep = login("rep1")
    location = _upload(rep).headers["Location"]
    doc_id = int(location.rsplit("/", 1)[1])
    resp = rep.form(f"/scm/documents/{doc_id}/withdraw")
    assert resp.status_code == 303
    assert "母盘检验标准" not in rep.get("/scm/documents/").get_data(as_text=True)
    assert login("cust1").get(f"/scm/documents/portal/{doc_id}/file").status_code == 404
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit WHERE action = 'document.withdraw'") == 1


def test_withdraw_needs_all_customers_in_scope(login, share, db):
    doc = share(user="admin", customers=("C001", "C003"))
    rep = login("rep1")
    resp = rep.form(f"/scm/documents/{doc['id']}/withdraw")
    assert resp.status_code == 303
    page = rep.get(resp.headers["Location"]).get_data(as_text=True)
    assert "outside your grants" in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document WHERE deleted_at IS NULL") == 1


def test_names_are_escaped_and_csrf_is_required(login, share, db):
    evil = "<script>alert('x')</script>"
    share(customers=("C001",), subject=f"主题{evil}", name=f"名{evil}.pdf")
    for client, url in ((login("rep1"), "/scm/documents/"), (login("cust1"), "/scm/documents/portal/")):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    doc_id = db.scalar_sql("SELECT id FROM scm_document")
    html = login("rep1").get(f"/scm/documents/{doc_id}").get_data(as_text=True)
    assert "<script>alert" not in html
    rep = login("rep1")
    assert rep.post(f"/scm/documents/{doc_id}/withdraw").status_code == 400
    assert rep.post("/scm/documents/new", data={"subject": "x", "customer_codes": "C001"}).status_code == 400
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document WHERE deleted_at IS NULL") == 1


def test_excel_export_lists_receipts_in_scope(login, share, api):
    doc = share(user="admin", customers=("C001", "C003"), subject="全体通知")
    api("cust1", "GET", f"/documents/{doc['id']}/file")
    resp = login("rep1").get("/scm/documents/export.xlsx")
    assert resp.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.data)).active.iter_rows()]
    assert [(r[1], r[6], r[10]) for r in rows[1:]] == [("全体通知", "C001", 1)]


def test_menu_points_at_the_documents_pages(login):
    assert 'href="/scm/documents/"' in login("rep1").get("/scm/").get_data(as_text=True)
    assert 'href="/scm/documents/portal/"' in login("cust1").get("/scm/portal/").get_data(as_text=True)
