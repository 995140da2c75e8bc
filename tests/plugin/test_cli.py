"""The CLI of API.md: init-db, check-erp, demo-data, create-user, grant, revoke, create-token."""
from __future__ import annotations

from scm_plugin.erp_bridge import migrations
from scm_plugin.erp_bridge.repos import users as users_repo


def test_init_db_twice_changes_nothing(runner, db):
    first = runner.invoke(args=["scm", "init-db"])
    assert first.exit_code == 0, first.output
    assert "up to date" in first.output
    version = migrations.current_version(db)
    second = runner.invoke(args=["scm", "init-db"])
    assert second.exit_code == 0 and "up to date" in second.output
    assert migrations.current_version(db) == version


def test_check_erp_on_reference_schema(runner):
    result = runner.invoke(args=["scm", "check-erp"])
    assert result.exit_code == 0, result.output
    assert "every mapped table and column exists" in result.output


def test_demo_data_refuses_a_database_with_erp_data(runner, db):
    result = runner.invoke(args=["scm", "demo-data"])
    assert result.exit_code == 1
    assert "already holds ERP data" in result.output


def test_create_user_grant_revoke_token(runner, db, app):
    result = runner.invoke(args=["scm", "create-user", "zhaolei", "--role", "rep", "--password-stdin"],
                           input="a-good-password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["scm", "grant", "zhaolei", "C001", "C003", "--until", "2099-12-31"])
    assert result.exit_code == 0, result.output
    assert "C001: created" in result.output
    user = db.read(lambda tx: users_repo.by_username(tx, "zhaolei"))
    grants = db.read(lambda tx: users_repo.grants_of_user(tx, user["id"]))
    assert {g["customer_code"] for g in grants} == {"C001", "C003"}
    result = runner.invoke(args=["scm", "revoke", "zhaolei", "C003"])
    assert result.exit_code == 0 and "C003: revoked" in result.output
    result = runner.invoke(args=["scm", "create-token", "zhaolei"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("scm_") and len(token) > 30
    # stored hashed, usable once printed
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_api_token WHERE token_hash = ?", token) == 0
    resp = app.test_client().get("/scm/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.json["username"] == "zhaolei"
    resp = app.test_client().get("/scm/api/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert [c["code"] for c in resp.json["items"]] == ["C001"]


def test_cli_bad_input_is_clear_and_changes_nothing(runner, db, users):
    before = len(db.read(users_repo.all_users))
    result = runner.invoke(args=["scm", "create-user", "cust9", "--role", "customer", "--customer", "C999"])
    assert result.exit_code == 2
    assert "customer_code" in result.output
    result = runner.invoke(args=["scm", "grant", "rep2", "C999"])
    assert result.exit_code == 2 and "C999" in result.output
    result = runner.invoke(args=["scm", "grant", "nobody", "C001"])
    assert result.exit_code == 2 and "no user named nobody" in result.output
    result = runner.invoke(args=["scm", "grant", "cust1", "C002"])
    assert result.exit_code == 2
    result = runner.invoke(args=["scm", "grant", "rep2", "C001", "--until", "31/12/2026"])
    assert result.exit_code == 2
    assert len(db.read(users_repo.all_users)) == before
    rep2 = db.read(lambda tx: users_repo.by_username(tx, "rep2"))
    assert {g["customer_code"] for g in db.read(lambda tx: users_repo.grants_of_user(tx, rep2["id"]))} == {"C003"}
