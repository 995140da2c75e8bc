"""Login, logout, lockout, the trusted header, and where `next` may lead."""
from __future__ import annotations

import pytest

from fixtures.web import PASSWORD, make_app, Client


def test_login_and_logout(client, users):
    resp = client.login("rep1")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/scm/")
    home = client.get("/scm/")
    assert home.status_code == 200
    assert "rep1 测试" in home.get_data(as_text=True)
    resp = client.form("/scm/logout")
    assert resp.status_code == 302
    assert client.get("/scm/").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, users):
    resp = client.login("rep1", "wrong-password")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True) or "Wrong username or password" in resp.get_data(as_text=True)
    assert client.get("/scm/").status_code == 302


def test_unknown_user_looks_like_wrong_password(client, users):
    a = client.login("nobody-here", "whatever-123")
    b = client.login("rep1", "whatever-123")
    assert a.status_code == b.status_code == 401


def test_lockout_after_repeated_failures(app, client, users):
    limit = app.config["SCM_LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        client.login("rep2", "bad-password-x")
    # even the right password is refused while locked
    resp = client.login("rep2", PASSWORD)
    assert resp.status_code == 401
    assert client.get("/scm/").status_code == 302
    # other accounts are unaffected
    assert client.login("rep1").status_code == 302


def test_csrf_is_required_for_login(client, users):
    resp = client.post("/scm/login", data={"username": "rep1", "password": PASSWORD})
    assert resp.status_code in (400, 401)
    assert client.get("/scm/").status_code == 302


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "/%09/evil.example", "https://evil.example/",
    "http:evil.example", "\\\\evil.example", "/%5cevil.example", "//%2f%2fevil.example",
    "javascript:alert(1)", " //evil.example", "/\t/evil.example",
])
def test_next_never_leaves_the_site(client, users, target):
    resp = client.login("rep1", next_url=target)
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location in ("/scm/", "http://localhost/scm/"), location


def test_next_local_path_is_followed(client, users):
    resp = client.login("rep1", next_url="/scm/api/v1/me")
    assert resp.headers["Location"].endswith("/scm/api/v1/me")


def test_login_page_keeps_next_from_a_redirect(client, users):
    resp = client.get("/scm/admin/users")
    assert resp.status_code == 302
    assert "next=/scm/admin/users" in resp.headers["Location"]


@pytest.fixture
def header_app(db, engine_db, tmp_path, users):
    app = make_app(engine_db.dsn, tmp_path, SCM_AUTH="header", SCM_TRUSTED_PROXIES=["10.0.0.0/8"])
    app.test_client_class = Client
    yield app
    app.extensions["scm"].db.dispose()


def test_trusted_header_from_allowed_proxy(header_app):
    client = header_app.test_client()
    resp = client.get("/scm/", headers={"X-Remote-User": "rep1"},
                      environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert resp.status_code == 200
    assert "rep1 测试" in resp.get_data(as_text=True)


def test_trusted_header_ignored_from_other_addresses(header_app):
    client = header_app.test_client()
    resp = client.get("/scm/", headers={"X-Remote-User": "admin", "X-Forwarded-For": "10.1.2.3"},
                      environ_base={"REMOTE_ADDR": "192.168.5.5"})
    assert resp.status_code == 302


def test_trusted_header_unknown_user_is_not_logged_in(header_app):
    client = header_app.test_client()
    resp = client.get("/scm/", headers={"X-Remote-User": "ghost"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert resp.status_code == 302


def test_inactive_user_cannot_log_in(app, client, users, db):
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_user SET active = 0 WHERE username = ?", "rep2")
    assert client.login("rep2").status_code == 401
