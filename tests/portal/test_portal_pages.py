"""The customer portal's pages: place orders with documents, keep input on errors,
see status, download own files, re-place a rejected order."""
from __future__ import annotations

import datetime as dt
import io
import re

PDF = b"%PDF-1.4\n%%EOF\n"


def _future(days=20):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def _place(client, kind="sales", files=(), **fields):
    data = {"kind": kind, "requested_date": _future(), "customer_order_no": "HY-2026-118",
            "lines-0-inventory_code": "1001001", "lines-0-quantity": "1200", "remarks": "加急",
            "form_token": fields.pop("form_token", "tok-" + kind)}
    data.update(fields)
    if files:
        data["files"] = [(io.BytesIO(content), name) for content, name in files]
    data["csrf_token"] = client.csrf()
    return client.post(f"/scm/portal/orders/new?kind={kind}", data=data, content_type="multipart/form-data")


def test_customer_home_is_the_portal(login):
    client = login("cust1")
    resp = client.get("/scm/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/scm/portal/")
    page = client.get("/scm/portal/").get_data(as_text=True)
    assert "我的订单" in page


def test_place_sales_and_sample_orders_with_a_chinese_pdf(login, db):
    client = login("cust1")
    for kind in ("sales", "sample"):
        resp = _place(client, kind, files=[(PDF, "菲林稿 第2版.pdf")])
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        detail = client.get(resp.headers["Location"])
        html = detail.get_data(as_text=True)
        assert "菲林稿 第2版.pdf" in html and "待审核" in html
        link = re.search(r'href="([^"]+/attachments/\d+)"', html).group(1)
        got = client.get(link)
        assert got.status_code == 200 and got.data == PDF
    listing = client.get("/scm/portal/").get_data(as_text=True)
    assert listing.count("scm-badge-pending") == 2
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order WHERE customer_code = 'C001'") == 2


def test_errors_keep_everything_entered_files_included(login, db):
    client = login("cust1")
    resp = _place(client, files=[(PDF, "规格书.pdf")], **{"lines-0-quantity": "-3", "lines-1-customer_part_no": "HY-A002",
                                                          "lines-1-quantity": "50", "remarks": "保留这段备注"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "数量必须大于 0" in html
    assert 'value="HY-A002"' in html and "保留这段备注" in html and 'value="HY-2026-118"' in html
    assert "规格书.pdf" in html  # the file is kept
    draft = re.search(r'name="draft_ids" value="(\d+)"', html).group(1)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0
    # correct the quantity and send again: the kept file is attached
    resp = _place(client, **{"lines-0-quantity": "3", "draft_ids": draft})
    assert resp.status_code == 302
    order_no = resp.headers["Location"].rsplit("/", 1)[1]
    names = db.all_sql("SELECT a.original_name FROM scm_attachment a JOIN scm_order o ON o.id = a.owner_id "
                       "WHERE a.owner_type = 'order' AND o.order_no = ?", order_no)
    assert [n["original_name"] for n in names] == ["规格书.pdf"]


def test_someone_elses_draft_cannot_be_adopted(login, db):
    other = login("cust3")
    html = _place(other, files=[(PDF, "theirs.pdf")], **{"lines-0-quantity": "0"}).get_data(as_text=True)
    draft = re.search(r'name="draft_ids" value="(\d+)"', html).group(1)
    mine = login("cust1")
    resp = _place(mine, **{"draft_ids": draft})
    assert resp.status_code == 400 and "之前保留的附件已失效" in resp.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0
    assert db.scalar_sql("SELECT owner_type FROM scm_attachment WHERE id = ?", int(draft)) == "draft"  # still theirs


def test_past_date_and_bad_files_are_refused(login, db):
    client = login("cust1")
    resp = _place(client, requested_date="2001-01-01",
                  files=[(b"<html><body>hi</body></html>", "x.html"), (b"", "empty.pdf")])
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "日期不能早于今天" in html
    assert "不接受此类文件" in html or "文件为空" in html
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type = 'order'") == 0


def test_double_submit_makes_one_order(login, db):
    client = login("cust1")
    first = _place(client, form_token="same-click")
    second = _place(client, form_token="same-click")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order") == 1


def test_other_customers_orders_and_files_are_404(login, db):
    owner = login("cust3")
    resp = _place(owner, files=[(PDF, "c3.pdf")], **{"lines-0-inventory_code": "1002001"})
    order_url = resp.headers["Location"]
    html = owner.get(order_url).get_data(as_text=True)
    file_url = re.search(r'href="([^"]+/attachments/\d+)"', html).group(1)
    intruder = login("cust1")
    assert intruder.get(order_url).status_code == 404
    assert intruder.get(file_url).status_code == 404
    assert order_url.rsplit("/", 1)[1] not in intruder.get("/scm/portal/").get_data(as_text=True)


def test_reps_do_not_use_the_portal(login):
    assert login("rep1").get("/scm/portal/").status_code == 403


def test_rejected_order_shows_reason_and_can_be_placed_again(login, db):
    client = login("cust1")
    order_no = _place(client, **{"lines-1-customer_part_no": "HY-A002", "lines-1-quantity": "40"}
                      ).headers["Location"].rsplit("/", 1)[1]
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_order SET status = 'rejected', reject_reason = ? WHERE order_no = ?",
                       "交期太紧，请改为下月", order_no)
    detail = client.get(f"/scm/portal/orders/{order_no}").get_data(as_text=True)
    assert "交期太紧，请改为下月" in detail
    form = client.get(f"/scm/portal/orders/new?copy={order_no}").get_data(as_text=True)
    assert 'value="HY-A002"' in form and 'value="40"' in form and order_no in form
    resp = _place(client, form_token="copy-1", copy_of=order_no,
                  **{"lines-1-customer_part_no": "HY-A002", "lines-1-quantity": "40"})
    assert resp.status_code == 302
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_order WHERE copied_from IS NOT NULL") == 1


def test_copy_of_someone_elses_order_is_404(login, db):
    owner = login("cust3")
    order_no = _place(owner, **{"lines-0-inventory_code": "1002001"}).headers["Location"].rsplit("/", 1)[1]
    assert login("cust1").get(f"/scm/portal/orders/new?copy={order_no}").status_code == 404


def test_file_names_are_escaped_on_the_page(login):
    client = login("cust1")
    resp = _place(client, files=[(PDF, "<img src=x onerror=alert(1)>.pdf")])
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_file_is_kept_when_the_erp_refuses_a_line(login, db):
    """A server-side refusal (unknown inventory code) keeps the valid file as a draft."""
    client = login("cust1")
    resp = _place(client, files=[(PDF, "报价单.pdf")], **{"lines-0-inventory_code": "NO-SUCH-ITEM"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "ERP 中没有此存货编码" in html
    assert "报价单.pdf" in html and 'name="draft_ids"' in html
    assert "文件为空" not in html


def test_abandoned_drafts_are_removed_by_the_job_and_adopted_files_stay(app, login, db):
    from scm_plugin import attachments, scheduler, storage
    client = login("cust1")
    kept = _place(client, files=[(PDF, "用过的.pdf")], **{"lines-0-quantity": "0"}).get_data(as_text=True)
    used = re.search(r'name="draft_ids" value="(\d+)"', kept).group(1)
    assert _place(client, **{"draft_ids": used, "form_token": "second"}).status_code == 302
    html = _place(client, files=[(PDF, "没回来.pdf")], **{"lines-0-quantity": "0", "form_token": "third"})
    abandoned = int(re.search(r'name="draft_ids" value="(\d+)"', html.get_data(as_text=True)).group(1))
    rows = {r["id"]: r["storage_name"] for r in db.all_sql("SELECT id, storage_name FROM scm_attachment")}
    with app.app_context():
        paths = {i: storage.path_of(name) for i, name in rows.items()}
        assert all(p.is_file() for p in paths.values())
        db_ = app.extensions["scm"].db
        assert attachments.purge_stale_drafts(db_, dt.timedelta(hours=24)) == 0  # too young
        from scm_plugin.erp_bridge.clock import utcnow
        later = utcnow() + dt.timedelta(hours=25)
        assert attachments.purge_stale_drafts(db_, dt.timedelta(hours=24), now=later) == 1
    assert not paths[abandoned].exists()
    # the form that still lists the purged draft is refused with a message, not placed without it
    resp = _place(client, **{"draft_ids": str(abandoned), "form_token": "after-purge"})
    assert resp.status_code == 400 and "之前保留的附件已失效" in resp.get_data(as_text=True)
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE id = ?", abandoned) == 0
    assert all(p.is_file() for i, p in paths.items() if i != abandoned)
    # the job itself runs under the scheduler with the configured retention
    _place(client, files=[(PDF, "再一个.pdf")], **{"lines-0-quantity": "0", "form_token": "fourth"})
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type = 'draft'") == 1
    app.config["SCM_DRAFT_RETENTION_HOURS"] = 0
    assert scheduler.run_job(app, scheduler.jobs_of(app)["drafts"]) is True
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment WHERE owner_type = 'draft'") == 0
