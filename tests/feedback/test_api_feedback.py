"""Customer feedback through the API (API.md): filing, scope by list and guessed id,
replies with files, internal notes, closing, deleting (kept for audit)."""
from __future__ import annotations

import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [item["id"] for item in resp.json["items"]]


def test_customer_files_a_complaint_for_their_own_company(api, db):
    resp = api("cust1", "POST", "/feedback", json={"type": "complaint", "subject": "  第 3 批盘面划伤 ",
                                                   "body": "批号 HY-0315"})
    assert resp.status_code == 201, resp.json
    fb = resp.json
    assert fb["type"] == "complaint" and fb["status"] == "new"
    assert fb["subject"] == "第 3 批盘面划伤" and fb["body"] == "批号 HY-0315"
    assert fb["customer_code"] == "C001" and fb["customer_name"] == "深圳华音文化传播有限公司"
    assert fb["replies"] == [] and fb["attachments"] == []
    audit = db.all_sql("SELECT actor, action, object_id, customer_code FROM scm_audit WHERE object_type = 'feedback'")
    assert audit == [{"actor": "cust1", "action": "feedback.create", "object_id": str(fb["id"]), "customer_code": "C001"}]
    # the reps granted C001 are told (rep1 and the admin with "*"), through the outbox
    mails = db.all_sql("SELECT recipient, subject FROM scm_outbox ORDER BY recipient")
    assert [m["recipient"] for m in mails] == ["admin@example.test", "rep1@example.test"]
    assert all("第 3 批盘面划伤" in m["subject"] for m in mails)


@pytest.mark.parametrize("payload, field", [
    ({"subject": "x", "body": "y"}, "type"),
    ({"type": "praise", "subject": "x", "body": "y"}, "type"),
    ({"type": "complaint", "subject": "   ", "body": "y"}, "subject"),
    ({"type": "complaint", "body": "y"}, "subject"),
    ({"type": "complaint", "subject": "x" * 201, "body": "y"}, "subject"),
    ({"type": "suggestion", "subject": "x", "body": ""}, "body"),
    ({"type": "suggestion", "subject": "x", "body": "y" * 5001}, "body"),
    ({"type": "suggestion", "subject": "x", "body": "y", "customer_code": "C003"}, "customer_code"),
])
def test_bad_feedback_is_refused_and_nothing_saved(api, db, payload, field):
    resp = api("cust1", "POST", "/feedback", json=payload)
    assert resp.status_code == 400, resp.json
    assert resp.json["error"] == "invalid_input" and resp.json["fields"][field]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback") == 0
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox") == 0


def test_only_customers_file_and_only_reps_reply(api, file_feedback):
    assert api("rep1", "POST", "/feedback", json={"type": "complaint", "subject": "x", "body": "y"}).status_code == 403
    fb = file_feedback()
    resp = api("cust1", "POST", f"/feedback/{fb['id']}/replies", json={"body": "自己回复"})
    assert resp.status_code == 403
    assert api("cust1", "DELETE", f"/feedback/{fb['id']}").status_code == 403


def test_feedback_is_scoped_by_list_and_guessed_id(api, file_feedback, reply):
    mine = file_feedback("cust1")
    theirs = file_feedback("cust3", subject="东方音像的建议", type="suggestion")
    assert ids(api("cust1", "GET", "/feedback")) == [mine["id"]]
    assert ids(api("cust3", "GET", "/feedback")) == [theirs["id"]]
    assert ids(api("rep1", "GET", "/feedback")) == [mine["id"]]
    assert ids(api("rep2", "GET", "/feedback")) == [theirs["id"]]
    assert sorted(ids(api("admin", "GET", "/feedback"))) == sorted([mine["id"], theirs["id"]])
    assert ids(api("rep_nogrant", "GET", "/feedback")) == []
    assert ids(api("rep1", "GET", "/feedback?customer_code=C003")) == []
    for user, other in (("cust1", theirs), ("cust3", mine), ("rep2", mine), ("rep1", theirs), ("rep_nogrant", mine)):
        resp = api(user, "GET", f"/feedback/{other['id']}")
        assert resp.status_code == 404 and resp.json["error"] == "not_found", user
    assert api("cust1", "GET", "/feedback/987654").json == api("cust1", "GET", f"/feedback/{theirs['id']}").json
    # acting on another customer's feedback: 404, nothing changes
    for method, path, kwargs in (("POST", f"/feedback/{mine['id']}/replies", {"json": {"body": "越权"}}),
                                 ("POST", f"/feedback/{mine['id']}/close", {}),
                                 ("DELETE", f"/feedback/{mine['id']}", {})):
        assert api("rep2", method, path, **kwargs).status_code == 404
    after = api("cust1", "GET", f"/feedback/{mine['id']}").json
    assert after["status"] == "new" and after["replies"] == []
    added = api("cust1", "POST", f"/feedback/{theirs['id']}/attachments", data={"file": (io.BytesIO(PDF), "x.pdf")})
    assert added.status_code == 404


def test_reply_with_files_reaches_the_customer(api, file_feedback, reply, db):
    fb = file_feedback()
    r = reply(fb["id"], body="已安排重新压制。", files=[(PDF, "质检报告（复检）.pdf"), (PDF, "补发单.pdf")])
    assert r["body"] == "已安排重新压制。" and r["internal"] is False and r["author"] == "rep1 测试"
    assert [a["original_name"] for a in r["attachments"]] == ["质检报告（复检）.pdf", "补发单.pdf"]
    seen = api("cust1", "GET", f"/feedback/{fb['id']}").json
    assert seen["status"] == "replied" and seen["last_reply_at"]
    assert [x["body"] for x in seen["replies"]] == ["已安排重新压制。"]
    att = seen["replies"][0]["attachments"][0]
    got = api("cust1", "GET", f"/feedback/{fb['id']}/attachments/{att['id']}")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E8%B4%A8%E6%A3%80" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    for user in ("cust3", "rep2", "rep_nogrant"):
        assert api(user, "GET", f"/feedback/{fb['id']}/attachments/{att['id']}").status_code == 404, user
    listed = api("cust1", "GET", "/feedback").json["items"][0]
    assert listed["reply_count"] == 1 and listed["status"] == "replied"
    # the reply is in the audit trail
    actions = [a["action"] for a in db.all_sql("SELECT action FROM scm_audit WHERE object_type = 'feedback' ORDER BY id")]
    assert actions == ["feedback.create", "feedback.reply"]


def test_reply_attachment_only_through_its_own_feedback(api, file_feedback, reply):
    a = file_feedback(subject="A")
    b = file_feedback(subject="B")
    theirs = file_feedback("cust3", subject="C003")
    att_a = reply(a["id"], files=[(PDF, "a.pdf")])["attachments"][0]["id"]
    att_c = reply(theirs["id"], user="rep2", files=[(PDF, "c.pdf")])["attachments"][0]["id"]
    assert api("cust1", "GET", f"/feedback/{a['id']}/attachments/{att_a}").status_code == 200
    # the same file id through another feedback the user may see: not found
    assert api("cust1", "GET", f"/feedback/{b['id']}/attachments/{att_a}").status_code == 404
    assert api("rep1", "GET", f"/feedback/{b['id']}/attachments/{att_a}").status_code == 404
    # another customer's reply file through my own feedback: not found
    assert api("cust1", "GET", f"/feedback/{a['id']}/attachments/{att_c}").status_code == 404
    assert api("rep1", "GET", f"/feedback/{a['id']}/attachments/{att_c}").status_code == 404


def test_internal_notes_never_reach_the_customer(api, file_feedback, reply, db, login):
    fb = file_feedback()
    note = reply(fb["id"], body="内部：客户去年也投诉过", files=[(PDF, "内部评估.pdf")], internal=True)
    assert note["internal"] is True
    att = note["attachments"][0]["id"]
    seen = api("cust1", "GET", f"/feedback/{fb['id']}").json
    assert seen["replies"] == [] and seen["status"] == "new"
    assert api("cust1", "GET", "/feedback").json["items"][0]["reply_count"] == 0
    assert api("cust1", "GET", f"/feedback/{fb['id']}/attachments/{att}").status_code == 404
    page = login("cust1").get(f"/scm/feedback/portal/{fb['id']}/files/{att}")
    assert page.status_code == 404
    assert "内部" not in login("cust1").get(f"/scm/feedback/portal/{fb['id']}").get_data(as_text=True)
    # the reps see it
    staff = api("rep1", "GET", f"/feedback/{fb['id']}").json
    assert [r["internal"] for r in staff["replies"]] == [True]
    assert api("rep1", "GET", f"/feedback/{fb['id']}/attachments/{att}").status_code == 200
    # no mail to the customer for a note
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox WHERE recipient = 'cust1@example.test'") == 0


@pytest.mark.parametrize("payload, field", [
    ({}, "body"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 5001}, "body"),
    ({"body": "ok", "extra": 1}, "extra"),
])
def test_bad_reply_is_refused(api, file_feedback, db, payload, field):
    fb = file_feedback()
    resp = api("rep1", "POST", f"/feedback/{fb['id']}/replies", json=payload)
    assert resp.status_code == 400 and resp.json["fields"][field]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 0


def test_close_and_reopen(api, file_feedback, reply, db, login):
    fb = file_feedback()
    closed = api("rep1", "POST", f"/feedback/{fb['id']}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed" and closed.json["closed_at"]
    again = api("rep1", "POST", f"/feedback/{fb['id']}/close")
    assert again.status_code == 200 and again.json["closed_at"] == closed.json["closed_at"]
    refused = api("rep1", "POST", f"/feedback/{fb['id']}/replies", json={"body": "迟到的回复"})
    assert refused.status_code == 409 and refused.json["error"] == "feedback_closed"
    more = api("cust1", "POST", f"/feedback/{fb['id']}/attachments", data={"file": (io.BytesIO(PDF), "晚了.pdf")})
    assert more.status_code == 409
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply") == 0
    assert api("cust1", "GET", "/feedback?status=closed").json["total"] == 1
    # reopened on the page: back to "new" (no reply yet), and it can be answered again
    rep = login("rep1")
    assert rep.form(f"/scm/feedback/{fb['id']}/reopen").status_code == 303
    assert api("rep1", "GET", f"/feedback/{fb['id']}").json["status"] == "new"
    reply(fb["id"])
    assert api("cust1", "GET", f"/feedback/{fb['id']}").json["status"] == "replied"
    actions = [a["action"] for a in db.all_sql("SELECT action FROM scm_audit WHERE object_type = 'feedback' ORDER BY id")]
    assert actions == ["feedback.create", "feedback.close", "feedback.reopen", "feedback.reply"]


def test_delete_hides_everywhere_and_keeps_an_audit_entry(api, file_feedback, reply, db, login):
    fb = file_feedback(files=[(PDF, "照片.pdf")])
    r = reply(fb["id"], files=[(PDF, "报告.pdf")])
    own_att = fb["attachments"][0]["id"]
    reply_att = r["attachments"][0]["id"]
    resp = api("rep1", "DELETE", f"/feedback/{fb['id']}")
    assert resp.status_code == 204 and resp.data == b""
    for user in ("cust1", "rep1", "admin"):
        assert api(user, "GET", "/feedback").json["total"] == 0, user
        assert api(user, "GET", f"/feedback/{fb['id']}").status_code == 404, user
        for att in (own_att, reply_att):
            assert api(user, "GET", f"/feedback/{fb['id']}/attachments/{att}").status_code == 404, user
    customer = login("cust1")
    assert customer.get(f"/scm/feedback/portal/{fb['id']}").status_code == 404
    assert customer.get(f"/scm/feedback/portal/{fb['id']}/files/{reply_att}").status_code == 404
    assert "第 3 批光盘盘面划伤" not in customer.get("/scm/feedback/portal/").get_data(as_text=True)
    assert login("rep1").get(f"/scm/feedback/{fb['id']}").status_code == 404
    # kept for audit: the row, its replies and files, and who deleted it
    row = db.one_sql("SELECT subject, deleted_at, deleted_by FROM scm_feedback WHERE id = ?", fb["id"])
    assert row["subject"] == "第 3 批光盘盘面划伤" and row["deleted_at"] is not None and row["deleted_by"]
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_feedback_reply WHERE feedback_id = ?", fb["id"]) == 1
    entry = db.one_sql("SELECT actor, detail, customer_code FROM scm_audit WHERE action = 'feedback.delete' "
                       "AND object_id = ?", str(fb["id"]))
    assert entry["actor"] == "rep1" and entry["customer_code"] == "C001" and "第 3 批光盘盘面划伤" in entry["detail"]
    # deleting again: it is gone
    assert api("rep1", "DELETE", f"/feedback/{fb['id']}").status_code == 404


def test_list_filters_and_sort_allow_list(api, file_feedback, reply, db):
    complaint = file_feedback(subject="投诉一")
    suggestion = file_feedback(type="suggestion", subject="建议一")
    reply(complaint["id"])
    assert ids(api("rep1", "GET", "/feedback?type=suggestion")) == [suggestion["id"]]
    assert ids(api("rep1", "GET", "/feedback?status=replied")) == [complaint["id"]]
    assert ids(api("rep1", "GET", "/feedback?status=new")) == [suggestion["id"]]
    assert sorted(ids(api("rep1", "GET", "/feedback?customer_code=C001"))) == sorted([complaint["id"], suggestion["id"]])
    assert ids(api("rep1", "GET", "/feedback?customer_code=C002")) == []
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_feedback SET created_at = ? WHERE id = ?",
                       __import__("datetime").datetime(2025, 3, 1, 2, 0), complaint["id"])
    assert ids(api("rep1", "GET", "/feedback?date_from=2025-03-01&date_to=2025-03-01")) == [complaint["id"]]
    assert ids(api("rep1", "GET", "/feedback?date_to=2025-02-28")) == []
    assert ids(api("rep1", "GET", "/feedback?sort=subject&dir=asc"))[0] in (complaint["id"], suggestion["id"])
    assert api("rep1", "GET", "/feedback?sort=password").status_code == 400
    assert api("rep1", "GET", "/feedback?status=deleted").status_code == 400
    assert api("rep1", "GET", "/feedback?per_page=500").status_code == 400
    assert api("rep1", "GET", "/feedback?customer_code=%27%20OR%201%3D1%20--").json["total"] == 0


def test_openapi_describes_the_feedback_routes(app):
    doc = app.test_client().get("/scm/api/v1/openapi.json").json
    paths = doc["paths"]
    assert {"post", "get"} <= set(paths["/scm/api/v1/feedback"])
    assert "post" in paths["/scm/api/v1/feedback/{feedback_id}/replies"]
    assert "delete" in paths["/scm/api/v1/feedback/{feedback_id}"]
    assert "FeedbackIn" in doc["components"]["schemas"]


def test_ids_beyond_the_integer_range_are_not_found(api, login):
    huge = 10 ** 20
    for user, method, path in (("cust1", "GET", f"/feedback/{huge}"),
                               ("rep1", "GET", f"/feedback/1/attachments/{huge}"),
                               ("rep1", "DELETE", f"/feedback/{huge}")):
        assert api(user, method, path).status_code == 404, path
    assert login("cust1").get(f"/scm/feedback/portal/{huge}").status_code == 404
