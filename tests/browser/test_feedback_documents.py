"""In Chromium: a customer files a complaint with an attachment; the rep reads it (阅览),
replies with a file (回复 … 保存); the customer reads the reply and downloads the file.
A rep shares a document (资料上传) with two customers; one downloads it and the rep sees
the read receipt."""
from __future__ import annotations

import re

from playwright.sync_api import expect

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_complaint_with_a_file_answered_with_a_file(web_login, live_server, tmp_path, snap):
    photo = tmp_path / "盘面划伤照片-第3批.pdf"
    photo.write_bytes(PDF)
    answer = tmp_path / "复检报告（第3批）.pdf"
    answer.write_bytes(PDF)

    page = web_login("cust1")
    page.click(".scm-nav a[href$='/feedback/portal/']")
    expect(page.locator("#feedback")).to_be_visible()
    page.click("#new-complaint")
    expect(page.locator("#type-complaint")).to_be_checked()
    page.fill("#subject", "第 3 批光盘盘面划伤")
    page.fill("#body", "批号 HY-0315，约 200 张盘面有划痕，见照片。")
    page.set_input_files("#files", str(photo))
    snap(page, "feedback-portal-new")
    page.click("#send-feedback")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    expect(page.locator("#feedback-files")).to_contain_text("盘面划伤照片-第3批.pdf")
    expect(page.locator("#no-replies")).to_be_visible()
    feedback_id = re.search(r"/feedback/portal/(\d+)$", page.url).group(1)

    page = web_login("rep1")
    page.click(".scm-nav a[href$='/feedback/']")
    row = page.locator(f"tr[data-feedback='{feedback_id}']")
    expect(row).to_contain_text("第 3 批光盘盘面划伤")
    expect(row.locator(".scm-badge-fb-new")).to_be_visible()
    for label in ("阅览", "回复", "删除"):                          # the buttons the seed names
        expect(row.locator(".scm-btn", has_text=label)).to_be_visible()
    snap(page, "feedback-rep-list")
    row.locator("a.scm-btn-primary").click()                     # 回复: the page with the reply form
    expect(page.locator("#feedback-body")).to_contain_text("约 200 张盘面有划痕")
    with page.expect_download() as download:
        page.click("#feedback-files a")
    assert download.value.suggested_filename == "盘面划伤照片-第3批.pdf"
    page.fill("#body", "已复检，确认为压制问题，下周补发 200 张。")
    page.set_input_files("#files", str(answer))
    snap(page, "feedback-rep-reply")
    expect(page.locator("#save-reply")).to_have_text("保存")
    page.click("#save-reply")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    expect(page.locator("#replies")).to_contain_text("下周补发 200 张")
    expect(page.locator(".scm-badge-fb-replied").first).to_be_visible()

    page = web_login("cust1")
    page.click(".scm-nav a[href$='/feedback/portal/']")
    row = page.locator(f"tr[data-feedback='{feedback_id}']")
    expect(row.locator(".scm-badge-fb-replied")).to_be_visible()
    row.locator("a").first.click()
    expect(page.locator("#replies")).to_contain_text("已复检，确认为压制问题，下周补发 200 张。")
    snap(page, "feedback-portal-reply")
    with page.expect_download() as download:
        page.click("#replies a")
    assert download.value.suggested_filename == "复检报告（第3批）.pdf"
    assert download.value.path().read_bytes() == PDF


def test_document_for_two_customers_with_a_read_receipt(web_login, live_server, tmp_path, snap):
    spec = tmp_path / "光盘包装规范（2026版）.pdf"
    spec.write_bytes(PDF)

    page = web_login("rep1")
    page.click(".scm-nav a[href$='/documents/']")
    page.click("#upload-document")
    expect(page.locator("label[for=subject]")).to_contain_text("文档主题")
    expect(page.locator("#customers legend")).to_contain_text("选择客户")
    page.fill("#subject", "2026 年光盘包装规范")
    page.check("input[name=customer_codes][value=C001]")
    page.check("input[name=customer_codes][value=C002]")
    expect(page.locator("input[name=customer_codes][value=C003]")).to_have_count(0)
    page.set_input_files("#file", str(spec))
    snap(page, "documents-upload")
    expect(page.locator("#upload")).to_have_text("上传")
    page.click("#upload")
    expect(page.locator(".scm-flash-success[role=status]")).to_be_visible()
    expect(page.locator("#receipts tbody tr")).to_have_count(2)
    expect(page.locator("#receipts .scm-badge-waiting")).to_have_count(2)
    document_id = re.search(r"/documents/(\d+)$", page.url).group(1)

    page = web_login("cust1")
    page.click(".scm-nav a[href$='/documents/portal/']")
    row = page.locator(f"tr[data-document='{document_id}']")
    expect(row).to_contain_text("2026 年光盘包装规范")
    snap(page, "documents-portal")
    with page.expect_download() as download:
        row.locator("a").click()
    assert download.value.suggested_filename == "光盘包装规范（2026版）.pdf"

    page = web_login("rep1")
    page.goto(f"{live_server}/scm/documents/{document_id}")
    expect(page.locator("#receipts tr[data-customer=C001] .scm-badge-downloaded")).to_be_visible()
    expect(page.locator("#receipts tr[data-customer=C001]")).to_contain_text("cust1 测试")
    expect(page.locator("#receipts tr[data-customer=C002] .scm-badge-waiting")).to_be_visible()
    snap(page, "documents-receipts")
    page.click(".scm-nav a[href$='/documents/']")
    listed = page.locator(f"tr[data-document='{document_id}']")
    expect(listed.locator("li[data-customer=C001] .scm-badge-downloaded")).to_be_visible()
    expect(listed.locator("li[data-customer=C002] .scm-badge-waiting")).to_be_visible()
