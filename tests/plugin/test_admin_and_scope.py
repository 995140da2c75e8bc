"""Admin pages for users and grants; the customer scope they produce."""
from __future__ import annotations

import datetime as dt

from scm_plugin import accounts
from scm_plugin.erp_bridge.repos import users as users_repo


def _customers_on_home(client):
    html = client.get("/scm/").get_data(as_text=True)
    return {code for code in ("C001", "C002", "C003", "C004", "C005") if f"<code>{code}</code>" in html}


def test_rep_sees_only_granted_customers(login):
    assert _customers_on_home(login("rep1")) == {"C001", "C002"}
    assert _customers_on_home(login("rep2")) == {"C003"}


def test_rep_without_grants_sees_nothing(login):
    client = login("rep_nogrant")
    assert _customers_on_home(client) == set()
    assert client.api("GET", "/customers").json == {"items": []}


def test_star_grant_sees_all(login):
    assert _customers_on_home(login("admin")) == {"C001", "C002", "C003", "C004", "C005"}


def test_grant_until_yesterday_has_expired(db, login):
    yesterday = dt.date.today() - dt.timedelta(days=2)
    accounts.grant(db, "rep2", ["C004"], until=yesterday)
    accounts.grant(db, "rep2", ["C005"], until=dt.date.today() + dt.timedelta(days=3))
    assert _customers_on_home(login("rep2")) == {"C003", "C005"}


def test_a_star_grant_counts_only_while_valid_and_the_filter_is_a_plain_in(db, login):
    """The "*" grant is read once per request; without one the filter is a plain IN
    (index-friendly), with one it lets every customer through, expired it counts for nothing."""
    from scm_plugin.erp_bridge.repos.scope import Scope
    accounts.grant(db, "rep2", ["*"], until=dt.date.today() - dt.timedelta(days=2))
    assert _customers_on_home(login("rep2")) == {"C003"}
    accounts.grant(db, "rep2", ["*"], until=dt.date.today() + dt.timedelta(days=1))
    assert _customers_on_home(login("rep2")) == {"C001", "C002", "C003", "C004", "C005"}
    plain, _ = Scope("grants", user_id=1, all_customers=False).sql("x")
    assert plain.startswith("x IN (") and "EXISTS" not in plain and "'*'" not in plain
    assert Scope("grants", user_id=1, all_customers=True).sql("x") == ("1 = 1", [])


def test_admin_creates_user_and_grants(db, login):
    admin = login("admin")
    resp = admin.form("/scm/admin/users", {"username": "wangfang", "display_name": "王芳", "role": "rep",
                                           "customer_code": "", "email": "", "mobile": "",
                                           "password": "long-enough-pw"})
    assert resp.status_code == 302
    user = db.read(lambda tx: users_repo.by_username(tx, "wangfang"))
    assert user["display_name"] == "王芳"
    resp = admin.form(f"/scm/admin/users/{user['id']}/grants", {"g-customer_codes": ["C004", "C005"],
                                                               "g-valid_until": ""})
    assert resp.status_code == 302
    codes = {g["customer_code"] for g in db.read(lambda tx: users_repo.grants_of_user(tx, user["id"]))}
    assert codes == {"C004", "C005"}
    audit = db.read(lambda tx: users_repo.audit_of_object(tx, "user", user["id"]))
    assert {"user.create", "grant.created"} <= {a["action"] for a in audit}
    assert all(a["actor"] == "admin" for a in audit if a["action"].startswith("grant"))
    # revoke
    admin.form(f"/scm/admin/users/{user['id']}/grants/revoke", {"customer_code": "C004"})
    codes = {g["customer_code"] for g in db.read(lambda tx: users_repo.grants_of_user(tx, user["id"]))}
    assert codes == {"C005"}


def test_bad_user_input_changes_nothing(db, login):
    admin = login("admin")
    before = len(db.read(users_repo.all_users))
    for data in (
        {"username": "x", "role": "rep", "password": ""},                       # too short a name
        {"username": "rep1", "role": "rep", "password": ""},                    # taken
        {"username": "newcust", "role": "customer", "customer_code": ""},      # customer missing
        {"username": "newcust", "role": "customer", "customer_code": "C999"},  # unknown customer
        {"username": "shortpw", "role": "rep", "password": "123"},              # short password
        {"username": "' OR 1=1 --", "role": "rep", "password": ""},            # SQL metacharacters
    ):
        data = {"display_name": "", "email": "", "mobile": "", "customer_code": "", "password": "", **data}
        resp = admin.form("/scm/admin/users", data)
        assert resp.status_code == 400, data
        assert "scm-field-error" in resp.get_data(as_text=True)
    assert len(db.read(users_repo.all_users)) == before


def test_grant_of_unknown_customer_changes_nothing(db, login, users):
    admin = login("admin")
    resp = admin.form(f"/scm/admin/users/{users['rep2']}/grants", {"g-customer_codes": ["C004", "NOPE"]})
    assert resp.status_code == 302
    codes = {g["customer_code"] for g in db.read(lambda tx: users_repo.grants_of_user(tx, users["rep2"]))}
    assert codes == {"C003"}
    page = admin.get(f"/scm/admin/users/{users['rep2']}").get_data(as_text=True)
    assert "NOPE" in page  # the message names the unknown code


def test_names_are_escaped(db, login):
    accounts.create_user(db, username="xss_user", role="rep", display_name="<script>alert(1)</script>")
    html = login("admin").get("/scm/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
