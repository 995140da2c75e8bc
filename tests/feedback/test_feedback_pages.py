"""The feedback pages: a customer files in the portal (files kept when the form is
refused), the rep's list (客户意见接收处理) with its filters and 阅览 / 回复 / 删除, the
reply with files read by the customer, CSRF, escaping, the Excel export."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _file(client, files=(), **fields):
    data = {"type": "complaint", "subject": "包装破损", "body": "外箱压坏 3 箱。"}
    data.update(fields)
    data["files"] = [(io.BytesIO(content), name) for content, name in files]
    data["csrf_token"] = client.csrf()
    return client.post("/scm/feedback/portal/new", data=data, content_type="multipart/form-data")


def test_customer_files_a_complaint_with_a_chinese_file(login, db):
    client = login("cust1")
    form = client.get("/scm/feedback/portal/new?type=suggestion").get_data(as_text=True)
    assert 'value="suggestion" id="type-suggestion" checked' in form
    resp = _file(client, files=[(PDF, "破损照片 第1批.pdf")])
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "包装破损" in page and "外箱压坏 3 箱。" in page and "破损照片 第1批.pdf" in page
    assert "was sent to your customer representative" in page
    link = re.search(r'href="([^"]+/files/\d+)"', page).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.data == PDF
    assert "%E7%A0%B4%E6%8D%9F" in got.headers["Content-Disposition"]
    listing = client.get("/scm/feedback/portal/").get_data(as_text=True)
    assert "包装破损" in listing and "scm-badge-fb-new" in listing
    row = db.one_sql("SELECT customer_code, fb_type, status FROM scm_feedback")
    assert row == {"customer_code": "C001", "fb_type": "complaint", "status": "new"}


def test_refused_form_keeps_the_text_and_the_files(login, db):
    client = login("cust1")
    resp = _file(client, files=[(PDF, "规格书.pdf")], subject="  ", body="保留这段说明")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "This field is required." in html
    assert "保留这段说明" in html and "规格书.pdf" in html
    draft = re.search(r'name="draft_ids" value="(\d+)"', html).group(1)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback") == 0
    data = {"type": "complaint", "subject": "补上主题", "body": "保留这段说明", "draft_ids": draft,
            "csrf_token": client.csrf()}
    ok = client.post("/scm/feedback/portal/new", data=data)
    assert ok.status_code == 303
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "规格书.pdf" in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type = 'feedback'") == 1
    # someone else's draft cannot be adopted
    other = login("cust3")
    _file(other, files=[(PDF, "别人的.pdf")], subject="")
    foreign = db.scalar_sql("SELECT MAX(id) AS n FROM scm_attachment WHERE owner_type = 'draft'")
    resp = client.post("/scm/feedback/portal/new", data={"type": "suggestion", "subject": "x", "body": "y",
                                                          "draft_ids": str(foreign), "csrf_token": client.csrf()})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "no longer available" in page and "别人的.pdf" not in page
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback") == 1


def test_a_bad_file_is_refused_with_a_clear_message(login, db):
    client = login("cust1")
    resp = _file(client, files=[(PDF, "好的.pdf"), (b"<html><script>alert(1)</script></html>", "坏的.html")])
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "This kind of file is not accepted." in html
    assert "好的.pdf" in html  # the good one is kept
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback") == 0


def test_rep_list_is_scoped_and_filtered(login, file_feedback, reply):
    a = file_feedback(subject="华音的投诉")
    b = file_feedback(type="suggestion", subject="华音的建议")
    c = file_feedback("cust3", subject="东方的投诉")
    reply(a["id"])
    rep = login("rep1")
    html = rep.get("/scm/feedback/").get_data(as_text=True)
    assert "华音的投诉" in html and "华音的建议" in html and "东方的投诉" not in html
    for label in (">View<", ">Reply<", ">Delete<"):   # 阅览 / 回复 / 删除 in Chinese
        assert label in html
    assert f'data-feedback="{a["id"]}"' in html
    only_suggestions = rep.get("/scm/feedback/?type=suggestion").get_data(as_text=True)
    assert "华音的建议" in only_suggestions and "华音的投诉" not in only_suggestions
    replied = rep.get("/scm/feedback/?status=replied").get_data(as_text=True)
    assert "华音的投诉" in replied and "华音的建议" not in replied
    foreign_filter = rep.get("/scm/feedback/?customer=C003").get_data(as_text=True)
    assert "东方的投诉" not in foreign_filter
    bad = rep.get("/scm/feedback/?sort=password;drop&dir=sideways&status=evil&date_from=31/12")
    assert bad.status_code == 200
    assert rep.get(f"/scm/feedback/{c['id']}").status_code == 404
    assert login("rep_nogrant").get("/scm/feedback/").get_data(as_text=True).count("data-feedback=") == 0
    assert login("rep2").get(f"/scm/feedback/{b['id']}").status_code == 404


def test_rep_reads_and_replies_with_a_file_and_the_customer_sees_it(login, file_feedback, db):
    fb = file_feedback(files=[(PDF, "划痕照片.pdf")])
    rep = login("rep1")
    detail = rep.get(f"/scm/feedback/{fb['id']}").get_data(as_text=True)
    assert "批号 HY-0315" in detail and "划痕照片.pdf" in detail and 'id="reply-form"' in detail
    resp = rep.post(f"/scm/feedback/{fb['id']}/reply", data={
        "body": "已补发 200 张。", "files": [(io.BytesIO(PDF), "补发单（第2次）.pdf")], "csrf_token": rep.csrf()},
        content_type="multipart/form-data")
    assert resp.status_code == 303
    after = rep.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已补发 200 张。" in after and "补发单（第2次）.pdf" in after
    customer = login("cust1")
    page = customer.get(f"/scm/feedback/portal/{fb['id']}").get_data(as_text=True)
    assert "已补发 200 张。" in page and "scm-badge-fb-replied" in page
    links = re.findall(r'href="(/scm/feedback/portal/\d+/files/\d+)"', page)
    assert len(links) == 2
    got = customer.get(links[-1])
    assert got.status_code == 200 and "%E8%A1%A5%E5%8F%91" in got.headers["Content-Disposition"]
    # an empty reply is refused on the page, the file is kept
    bad = rep.post(f"/scm/feedback/{fb['id']}/reply", data={
        "body": " ", "files": [(io.BytesIO(PDF), "附件.pdf")], "csrf_token": rep.csrf()},
        content_type="multipart/form-data")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "附件.pdf" in html and 'name="draft_ids"' in html
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 1


def test_delete_on_the_page_leaves_an_audit_entry(login, file_feedback, db):
    fb = file_feedback()
    rep = login("rep1")
    resp = rep.form(f"/scm/feedback/{fb['id']}/delete")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/scm/feedback/")
    assert "第 3 批光盘盘面划伤" not in rep.get("/scm/feedback/").get_data(as_text=True)
    customer = login("cust1")
    assert "第 3 批光盘盘面划伤" not in customer.get("/scm/feedback/portal/").get_data(as_text=True)
    assert customer.get(f"/scm/feedback/portal/{fb['id']}").status_code == 404
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit WHERE action = 'feedback.delete' AND actor = 'rep1'") == 1
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback WHERE deleted_at IS NOT NULL") == 1


def test_state_changes_need_the_csrf_token_and_a_post(login, file_feedback, db):
    fb = file_feedback()
    rep = login("rep1")
    for path in ("delete", "close", "reply"):
        resp = rep.post(f"/scm/feedback/{fb['id']}/{path}", data={"body": "x"})
        assert resp.status_code == 400, path
        assert rep.get(f"/scm/feedback/{fb['id']}/{path}").status_code == 405
    row = db.one_sql("SELECT status, deleted_at FROM scm_feedback")
    assert row == {"status": "new", "deleted_at": None}
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 0


def test_closed_feedback_has_no_reply_form(login, file_feedback):
    fb = file_feedback()
    rep = login("rep1")
    assert rep.form(f"/scm/feedback/{fb['id']}/close").status_code == 303
    page = rep.get(f"/scm/feedback/{fb['id']}").get_data(as_text=True)
    assert 'id="reply-form"' not in page and 'id="reopen"' in page and "scm-badge-fb-closed" in page
    resp = rep.form(f"/scm/feedback/{fb['id']}/reply", data={"body": "还想回复"})
    assert resp.status_code == 303
    assert "This feedback is closed; nothing more can be added." in rep.get(resp.headers["Location"]).get_data(as_text=True)


def test_user_text_is_escaped_everywhere(login, file_feedback, reply):
    evil = "<script>alert('x')</script>"
    fb = file_feedback(subject=f"主题{evil}", body=f"正文{evil}", files=[(PDF, f"名{evil}.pdf")])
    reply(fb["id"], body=f"回复{evil}", files=[(PDF, f"回{evil}.pdf")])
    pages = [login("rep1").get("/scm/feedback/"), login("rep1").get(f"/scm/feedback/{fb['id']}"),
             login("cust1").get("/scm/feedback/portal/"), login("cust1").get(f"/scm/feedback/portal/{fb['id']}")]
    for resp in pages:
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(" in html


def test_excel_export_holds_only_the_reps_customers(login, file_feedback):
    file_feedback(subject="华音的投诉")
    file_feedback("cust3", subject="东方的投诉")
    resp = login("rep1").get("/scm/feedback/export.xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    subjects = [row[4] for row in values[1:]]
    assert subjects == ["华音的投诉"]
    assert values[1][3] == "Complaint"


def test_menu_points_at_the_feedback_pages(login):
    rep_home = login("rep1").get("/scm/").get_data(as_text=True)
    assert 'href="/scm/feedback/"' in rep_home and "Customer feedback" in rep_home
    customer = login("cust1").get("/scm/portal/").get_data(as_text=True)
    assert 'href="/scm/feedback/portal/"' in customer
