"""A user's operator name in the ERP (scm_user.erp_name, the maker of the review forms
the user approves): set by ``create-user --erp-name`` and on the admin's user pages,
at most 40 characters, stripped, empty = none; carried by the current-user object."""
from __future__ import annotations

import html

from scm_plugin import accounts
from scm_plugin.auth import SCMUser
from scm_plugin.erp_bridge.repos import users as users_repo
from scm_plugin.errors import InvalidInput
from scm_plugin.messages import message

NAME_40 = "张" * 39 + "敏"          # 40 characters, 120 bytes in UTF-8
NAME_41 = "张" * 40 + "敏"


def _text(app, code: str) -> str:
    with app.test_request_context():
        return message(code)


def _user(db, username):
    return db.read(lambda tx: users_repo.by_username(tx, username))


def _count(db):
    return len(db.read(users_repo.all_users))


def test_create_user_with_erp_name_and_the_current_user_carries_it(runner, db, app):
    result = runner.invoke(args=["scm", "create-user", "zhangmin", "--role", "rep", "--password-stdin",
                                 "--erp-name", "  张敏  "], input="a-good-password\n")
    assert result.exit_code == 0, result.output
    row = _user(db, "zhangmin")
    assert row["erp_name"] == "张敏"
    assert SCMUser.from_row(row).erp_name == "张敏"
    # the user object a request sees (session login and token) has it
    client = app.test_client()
    assert client.login("zhangmin", "a-good-password").status_code == 302
    me = client.get("/scm/api/v1/me")
    assert me.status_code == 200 and me.json["erp_name"] == "张敏"
    token = runner.invoke(args=["scm", "create-token", "zhangmin"]).output.strip()
    me = app.test_client().get("/scm/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["erp_name"] == "张敏"
    # the longest name fits the column on every engine, character for character
    result = runner.invoke(args=["scm", "create-user", "lisi", "--role", "rep", "--erp-name", NAME_40])
    assert result.exit_code == 0, result.output
    assert _user(db, "lisi")["erp_name"] == NAME_40


def test_create_user_without_or_with_a_blank_erp_name_has_none(runner, db, app):
    assert runner.invoke(args=["scm", "create-user", "wangwu", "--role", "rep"]).exit_code == 0
    assert runner.invoke(args=["scm", "create-user", "zhaoliu", "--role", "rep", "--erp-name", "   "]).exit_code == 0
    assert _user(db, "wangwu")["erp_name"] is None
    assert _user(db, "zhaoliu")["erp_name"] is None
    assert SCMUser.from_row(_user(db, "zhaoliu")).erp_name is None


def test_create_user_refuses_a_41_character_erp_name_and_creates_nothing(runner, db, app):
    before = _count(db)
    result = runner.invoke(args=["scm", "create-user", "zhangmin", "--role", "rep", "--erp-name", NAME_41])
    assert result.exit_code == 2
    assert f"erp_name: {_text(app, 'erp_name_too_long')}" in result.output
    result = runner.invoke(args=["scm", "create-user", "zhangmin", "--role", "rep", "--erp-name", "张\n敏"])
    assert result.exit_code == 2 and "erp_name" in result.output
    assert _count(db) == before and _user(db, "zhangmin") is None


def test_the_service_reports_the_erp_name_with_the_other_fields(db, app):
    with app.app_context():
        try:
            accounts.create_user(db, username="x", role="rep", erp_name=NAME_41)
        except InvalidInput as exc:
            assert exc.fields == {"username": "username_invalid", "erp_name": "erp_name_too_long"}
        else:
            raise AssertionError("accepted")
    assert accounts.validate_erp_name(" 张敏\u3000") == "张敏"   # an ideographic space is stripped too
    assert accounts.validate_erp_name("") is None and accounts.validate_erp_name(None) is None


def _create_form(**fields):
    return {"username": "wangfang", "display_name": "王芳", "role": "rep", "customer_code": "",
            "email": "", "mobile": "", "password": "long-enough-pw", **fields}


def _edit_form(row, **fields):
    return {"username": row["username"], "display_name": row["display_name"], "role": row["role"],
            "customer_code": row["customer_code"] or "", "email": "",
            "mobile": row["mobile"] or "", "active": "y", "password": "", **fields}


def test_admin_pages_round_trip_the_erp_name(db, login, app):
    admin = login("admin")
    page = admin.get("/scm/admin/users").get_data(as_text=True)
    assert 'name="erp_name"' in page
    resp = admin.form("/scm/admin/users", _create_form(erp_name=" 王芳 "))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    row = _user(db, "wangfang")
    assert row["erp_name"] == "王芳"
    # the list shows it, the user's page offers it for editing
    listing = admin.get("/scm/admin/users").get_data(as_text=True)
    assert "<td>王芳</td>" in listing
    detail = admin.get(f"/scm/admin/users/{row['id']}").get_data(as_text=True)
    assert 'name="erp_name"' in detail and 'value="王芳"' in detail
    # changed
    resp = admin.form(f"/scm/admin/users/{row['id']}", _edit_form(row, erp_name="王 芳"))
    assert resp.status_code == 302
    assert _user(db, "wangfang")["erp_name"] == "王 芳"
    assert 'value="王 芳"' in admin.get(f"/scm/admin/users/{row['id']}").get_data(as_text=True)
    audit = db.read(lambda tx: users_repo.audit_of_object(tx, "user", row["id"]))
    assert any(a["action"] == "user.update" and "erp_name=王 芳" in (a["detail"] or "") for a in audit)
    # cleared: none again (the approve then writes the username)
    resp = admin.form(f"/scm/admin/users/{row['id']}", _edit_form(row, erp_name="   "))
    assert resp.status_code == 302
    assert _user(db, "wangfang")["erp_name"] is None


def test_admin_pages_refuse_a_41_character_erp_name_keeping_what_was_typed(db, login, app):
    admin = login("admin")
    before = _count(db)
    resp = admin.form("/scm/admin/users", _create_form(erp_name=NAME_41))
    assert resp.status_code == 400
    page = html.unescape(resp.get_data(as_text=True))
    assert _text(app, "erp_name_too_long") in page and NAME_41 in page
    assert _count(db) == before and _user(db, "wangfang") is None

    rep1 = _user(db, "rep1")
    accounts.update_user(db, rep1, role="rep", customer_code=None, display_name=rep1["display_name"],
                         email=rep1["email"], mobile=rep1["mobile"], erp_name="李明", active=True, actor="test")
    resp = admin.form(f"/scm/admin/users/{rep1['id']}", _edit_form(rep1, erp_name=NAME_41, display_name="改了"))
    assert resp.status_code == 400
    page = html.unescape(resp.get_data(as_text=True))
    assert _text(app, "erp_name_too_long") in page and NAME_41 in page
    after = _user(db, "rep1")
    assert after["erp_name"] == "李明" and after["display_name"] == rep1["display_name"]
    assert after["email"] == rep1["email"]
