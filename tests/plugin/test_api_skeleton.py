"""The API skeleton: auth by token or session (CSRF on writes), error format, OpenAPI."""
from __future__ import annotations

from scm_plugin import accounts


def test_openapi_document_lists_the_routes(client):
    doc = client.get("/scm/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/scm/api/v1/customers" in doc["paths"]
    assert "bearer" in doc["components"]["securitySchemes"]


def test_no_credentials_gives_401_json(client, users):
    resp = client.get("/scm/api/v1/me")
    assert resp.status_code == 401
    assert resp.json["error"] == "unauthorized" and resp.json["message"]


def test_bad_token_gives_401(client, users):
    resp = client.get("/scm/api/v1/me", headers={"Authorization": "Bearer scm_not-a-token"})
    assert resp.status_code == 401


def test_customer_token_sees_own_company_only(db, client, users):
    token = accounts.create_token(db, "cust1")
    resp = client.get("/scm/api/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert [c["code"] for c in resp.json["items"]] == ["C001"]


def test_customer_may_not_read_process_steps(db, client, users):
    token = accounts.create_token(db, "cust1")
    resp = client.get("/scm/api/v1/process-steps", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403 and resp.json["error"] == "forbidden"


def test_process_steps_in_route_order(login):
    items = login("rep1").api("GET", "/process-steps").json["items"]
    assert [s["code"] for s in items] == ["MST", "ELF", "REP", "PRT", "PCK", "WHI"]
    assert items[0]["name"] == "母盘刻录"


def test_session_write_without_csrf_header_is_refused(login):
    client = login("rep1")
    resp = client.post("/scm/api/v1/me")  # no X-CSRFToken
    assert resp.status_code == 400
    assert resp.json["error"] == "csrf_failed"


def test_unknown_api_path_is_json_404(login):
    resp = login("rep1").get("/scm/api/v1/orders/../../etc/passwd")
    assert resp.status_code == 404


def test_messages_follow_the_language(client, users):
    resp = client.get("/scm/api/v1/me", headers={"Accept-Language": "en-US"})
    assert resp.json["message"] == "Please log in."


def test_ids_beyond_the_integer_range_are_404(login):
    client = login("admin")
    assert client.get("/scm/admin/users/99999999999999999999999").status_code == 404
