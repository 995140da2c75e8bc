"""Documents for customers through the API (API.md): sharing with granted customers only,
scope by list and guessed id, read receipts, expiry, withdrawal (kept for audit)."""
from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from scm_plugin.erp_bridge.clock import utcnow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [item["id"] for item in resp.json["items"]]


def stored_files(app) -> list:
    import pathlib
    return [p for p in pathlib.Path(app.config["SCM_STORAGE_DIR"]).rglob("*") if p.is_file()]


def test_rep_shares_with_two_customers_and_reads_the_receipts(api, share, db):
    doc = share(customers=("C001", "C002"))
    assert doc["subject"] == "2026 年光盘包装规范" and doc["expires_at"] is None and doc["expired"] is False
    assert doc["file"] == {"original_name": "包装规范（第2版）.pdf", "content_type": "application/pdf",
                           "size_bytes": len(PDF)}
    assert [(t["customer_code"], t["downloaded"]) for t in doc["targets"]] == [("C001", False), ("C002", False)]
    # the customer sees it and downloads it: a read receipt for C001 only
    assert ids(api("cust1", "GET", "/documents")) == [doc["id"]]
    got = api("cust1", "GET", f"/documents/{doc['id']}/file")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E5%8C%85%E8%A3%85%E8%A7%84%E8%8C%83" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    after = api("rep1", "GET", f"/documents/{doc['id']}").json
    receipts = {t["customer_code"]: t for t in after["targets"]}
    assert receipts["C001"]["downloaded"] is True and receipts["C001"]["download_count"] == 1
    assert receipts["C001"]["first_download_by"] == "cust1 测试"
    assert receipts["C002"]["downloaded"] is False and receipts["C002"]["first_download_at"] is None
    first = receipts["C001"]["first_download_at"]
    # downloading again counts, the first download stays; staff downloads are not receipts
    assert api("cust1", "GET", f"/documents/{doc['id']}/file").status_code == 200
    assert api("rep1", "GET", f"/documents/{doc['id']}/file").status_code == 200
    assert api("admin", "GET", f"/documents/{doc['id']}/file").status_code == 200
    receipts = {t["customer_code"]: t for t in api("rep1", "GET", f"/documents/{doc['id']}").json["targets"]}
    assert receipts["C001"]["download_count"] == 2 and receipts["C001"]["first_download_at"] == first
    assert receipts["C002"]["download_count"] == 0
    # the customer's own view carries only their own receipt
    mine = api("cust1", "GET", f"/documents/{doc['id']}").json
    assert [t["customer_code"] for t in mine["targets"]] == ["C001"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_audit WHERE action = 'document.share'") == 1


def test_documents_are_scoped_by_list_and_guessed_id(api, share):
    ours = share(customers=("C001",))
    theirs = share(user="rep2", customers=("C003",), subject="东方音像的资料")
    assert ids(api("cust1", "GET", "/documents")) == [ours["id"]]
    assert ids(api("cust3", "GET", "/documents")) == [theirs["id"]]
    assert ids(api("rep1", "GET", "/documents")) == [ours["id"]]
    assert ids(api("rep2", "GET", "/documents")) == [theirs["id"]]
    assert ids(api("rep_nogrant", "GET", "/documents")) == []
    assert ids(api("rep1", "GET", "/documents?customer_code=C003")) == []
    for user, other in (("cust1", theirs), ("cust3", ours), ("rep1", theirs), ("rep2", ours), ("rep_nogrant", ours)):
        for path in (f"/documents/{other['id']}", f"/documents/{other['id']}/file"):
            resp = api(user, "GET", path)
            assert resp.status_code == 404 and resp.json["error"] == "not_found", (user, path)
        assert api(user, "DELETE", f"/documents/{other['id']}").status_code in (403, 404)
    assert api("cust1", "GET", "/documents/987654").json == api("cust1", "GET", f"/documents/{theirs['id']}").json


def test_rep_sees_only_their_customers_receipts(api, share):
    doc = share(user="admin", customers=("C001", "C003"), subject="全体客户通知")
    seen = api("rep1", "GET", f"/documents/{doc['id']}").json
    assert [t["customer_code"] for t in seen["targets"]] == ["C001"]
    listed = api("rep1", "GET", "/documents").json["items"][0]
    assert [t["customer_code"] for t in listed["targets"]] == ["C001"]
    # withdrawing would take it from C003 too, which rep1 does not serve
    refused = api("rep1", "DELETE", f"/documents/{doc['id']}")
    assert refused.status_code == 409 and refused.json["error"] == "document_shared_beyond_scope"
    assert ids(api("cust3", "GET", "/documents")) == [doc["id"]]


def test_sharing_outside_the_grants_is_refused_and_nothing_kept(api, app, db):
    data = {"subject": "越权", "customer_codes": ["C001", "C003"], "file": (io.BytesIO(PDF), "x.pdf")}
    resp = api("rep1", "POST", "/documents", data=data)
    assert resp.status_code == 400 and resp.json["fields"]["customer_codes"]
    nothing = api("rep_nogrant", "POST", "/documents", data={"subject": "x", "customer_codes": "C001",
                                                             "file": (io.BytesIO(PDF), "x.pdf")})
    assert nothing.status_code == 400
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_attachment") == 0
    assert stored_files(app) == []
    assert api("cust1", "POST", "/documents", data={"subject": "x", "customer_codes": "C001",
                                                    "file": (io.BytesIO(PDF), "x.pdf")}).status_code == 403


@pytest.mark.parametrize("data, field", [
    ({"customer_codes": "C001"}, "subject"),
    ({"subject": "  ", "customer_codes": "C001"}, "subject"),
    ({"subject": "x" * 201, "customer_codes": "C001"}, "subject"),
    ({"subject": "x"}, "customer_codes"),
    ({"subject": "x", "customer_codes": "NOPE"}, "customer_codes"),
    ({"subject": "x", "customer_codes": "C001", "expires_on": "2020-01-01"}, "expires_on"),
    ({"subject": "x", "customer_codes": "C001", "expires_on": "31/12/2030"}, "expires_on"),
    ({"subject": "x", "customer_codes": "C001", "nofile": "1"}, "file"),
])
def test_bad_input_is_refused(api, app, db, data, field):
    data = dict(data)
    if not data.pop("nofile", None):
        data["file"] = (io.BytesIO(PDF), "资料.pdf")
    resp = api("rep1", "POST", "/documents", data=data)
    assert resp.status_code == 400, resp.json
    assert resp.json["fields"][field], resp.json
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_document") == 0
    assert stored_files(app) == []


def test_the_customers_codes_may_come_as_an_array_field(api):
    resp = api("rep1", "POST", "/documents", data={"subject": "数组", "customer_codes[]": ["C001", "C002", "C001"],
                                                   "file": (io.BytesIO(PDF), "a.pdf")})
    assert resp.status_code == 201, resp.json
    assert [t["customer_code"] for t in resp.json["targets"]] == ["C001", "C002"]


def test_expiry_hides_the_document_from_the_customer(api, share, db):
    today = dt.date.today()
    doc = share(customers=("C001",), expires_on=today + dt.timedelta(days=7))
    assert doc["expires_at"] is not None
    assert ids(api("cust1", "GET", "/documents")) == [doc["id"]]
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_document SET expires_at = ? WHERE id = ?", utcnow() - dt.timedelta(minutes=1), doc["id"])
    assert ids(api("cust1", "GET", "/documents")) == []
    assert api("cust1", "GET", f"/documents/{doc['id']}").status_code == 404
    assert api("cust1", "GET", f"/documents/{doc['id']}/file").status_code == 404
    assert db.scalar_sql("SELECT download_count AS n FROM scm_document_target") == 0
    # the rep still sees what was shared, marked expired
    seen = api("rep1", "GET", f"/documents/{doc['id']}").json
    assert seen["expired"] is True
    assert ids(api("rep1", "GET", "/documents?state=expired")) == [doc["id"]]
    assert ids(api("rep1", "GET", "/documents?state=current")) == []


def test_last_day_is_included_in_local_time(api, share, app):
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()   # SCM_TIMEZONE's today
    doc = share(customers=("C001",), expires_on=today)
    with app.app_context():
        from scm_plugin.blueprints.documents.services import expiry_of, last_day
        end = expiry_of(today)
        assert last_day(end) == today
    assert ids(api("cust1", "GET", "/documents")) == [doc["id"]]


def test_withdraw_hides_everywhere_and_keeps_an_audit_entry(api, share, db):
    doc = share(customers=("C001", "C002"))
    assert api("rep1", "DELETE", f"/documents/{doc['id']}").status_code == 204
    for user in ("cust1", "rep1", "admin"):
        assert ids(api(user, "GET", "/documents")) == [], user
        assert api(user, "GET", f"/documents/{doc['id']}").status_code == 404
        assert api(user, "GET", f"/documents/{doc['id']}/file").status_code == 404
    row = db.one_sql("SELECT subject, deleted_at, deleted_by FROM scm_document WHERE id = ?", doc["id"])
    assert row["subject"] == "2026 年光盘包装规范" and row["deleted_at"] is not None and row["deleted_by"]
    entry = db.one_sql("SELECT actor, detail FROM scm_audit WHERE action = 'document.withdraw'")
    assert entry == {"actor": "rep1", "detail": "2026 年光盘包装规范"}
    assert api("rep1", "DELETE", f"/documents/{doc['id']}").status_code == 404


def test_customers_are_mailed_through_the_outbox(share, db):
    share(customers=("C001", "C002"))
    rows = db.all_sql("SELECT recipient, subject, customer_code FROM scm_outbox ORDER BY recipient")
    # C001 has a portal user; C002 has none, so its address in the ERP
    assert [(r["recipient"], r["customer_code"]) for r in rows] == [
        ("cust1@example.test", "C001"), ("po@xingguang.example.cn", "C002")]
    assert all("2026 年光盘包装规范" in r["subject"] for r in rows)


def test_list_filters_and_sort_allow_list(api, share, db):
    a = share(customers=("C001",), subject="A 资料")
    b = share(customers=("C002",), subject="B 资料")
    assert ids(api("rep1", "GET", "/documents?customer_code=C002")) == [b["id"]]
    assert ids(api("rep1", "GET", "/documents?sort=subject&dir=asc")) == [a["id"], b["id"]]
    assert ids(api("rep1", "GET", "/documents?sort=subject&dir=desc")) == [b["id"], a["id"]]
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_document SET created_at = ? WHERE id = ?", dt.datetime(2025, 3, 1, 2, 0), a["id"])
    assert ids(api("rep1", "GET", "/documents?date_from=2025-03-01&date_to=2025-03-01")) == [a["id"]]
    assert api("rep1", "GET", "/documents?sort=storage_name").status_code == 400
    assert api("rep1", "GET", "/documents?per_page=1000").status_code == 400


def test_ids_beyond_the_integer_range_are_not_found(api, login, db):
    huge = 10 ** 20
    assert api("cust1", "GET", f"/documents/{huge}/file").status_code == 404
    assert api("rep1", "DELETE", f"/documents/{huge}").status_code == 404
    assert login("cust1").get(f"/scm/documents/portal/{huge}/file").status_code == 404
