"""Every route of the plugin, walked from the app's URL map (RELIABILITY.md):

* each view declares who may use it (``scm_roles``, set by ``require``/``public``);
* anonymous users are sent to log in (pages) or get 401 (API);
* users of other roles get 403;
* every route with an object in its URL has a case (tests/fixtures/access_cases/) that
  builds the URL of an object outside the user's scope and expects 404.

A new route without a declaration or without a case fails this file.
"""
from __future__ import annotations

import pytest

ROLES = ("rep", "admin", "customer")
USER_OF_ROLE = {"rep": "rep1", "admin": "admin", "customer": "cust1"}

from fixtures.access_cases import CASES as OBJECT_CASES
from fixtures.access_cases import MISSING, SETUPS


@pytest.fixture
def foreign(request, users):
    """Objects outside the scope of the checked users, made by each module's setup."""
    ctx = {}
    for setup in SETUPS:
        ctx.update(setup(request))
    return ctx


def _scm_rules(app):
    name = app.extensions["scm"].name
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{name}."):
            yield rule, rule.endpoint[len(name) + 1:]


def _url(app, rule, values):
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **(values or {}))


def _methods(rule):
    return sorted(m for m in rule.methods if m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


def test_every_route_declares_access_and_has_a_case(app):
    missing_roles, missing_cases = [], []
    for rule, endpoint in _scm_rules(app):
        view = app.view_functions[rule.endpoint]
        if endpoint != "static" and not getattr(view, "scm_roles", None):
            missing_roles.append(endpoint)
        if rule.arguments and endpoint not in OBJECT_CASES:
            missing_cases.append(endpoint)
    assert not missing_roles, f"routes without declared access: {missing_roles}"
    assert not missing_cases, f"routes with URL values but no object case: {missing_cases}"


def test_anonymous_is_sent_to_login_or_gets_401(app, users, foreign):
    client = app.test_client()
    for rule, endpoint in _scm_rules(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "scm_roles", ("public",))
        if "public" in roles or endpoint == "static":
            continue
        url = _url(app, rule, OBJECT_CASES.get(endpoint, lambda c: None)(foreign))
        for method in _methods(rule):
            resp = client.open(url, method=method, headers={"Accept": "application/json"})
            if ".api" in f".{rule.endpoint.rsplit('.', 1)[0]}":
                assert resp.status_code == 401, (endpoint, method, resp.status_code)
                assert resp.json["error"] == "unauthorized"
            elif method == "GET":
                assert resp.status_code == 302 and "/login" in resp.headers["Location"], (endpoint, method)
            else:
                # unsafe methods without a session are stopped by CSRF (400) or login (302)
                assert resp.status_code in (302, 400), (endpoint, method, resp.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_get_403(app, login, role, foreign):
    client = login(USER_OF_ROLE[role])
    checked = 0
    for rule, endpoint in _scm_rules(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "scm_roles", ("public",))
        if "public" in roles or role in roles:
            continue
        url = _url(app, rule, OBJECT_CASES.get(endpoint, lambda c: None)(foreign))
        for method in _methods(rule):
            headers = {"X-CSRFToken": client.csrf()} if method != "GET" else {}
            data = {"csrf_token": client.csrf()} if method != "GET" else None
            resp = client.open(url, method=method, headers=headers, data=data)
            assert resp.status_code == 403, (role, endpoint, method, resp.status_code)
            checked += 1
    if role != "admin":
        assert checked > 0


def test_foreign_objects_answer_404(app, login, foreign):
    """Each object route, by a user of an allowed role, for an object outside the scope."""
    for rule, endpoint in _scm_rules(app):
        if not rule.arguments or endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        roles = [r for r in getattr(view, "scm_roles", ()) if r in ROLES]
        for role in roles or ["rep"]:
            if role == "admin" and "order_no" in rule.arguments:
                continue  # the admin holds "*": every customer is in scope
            client = login(USER_OF_ROLE[role])
            url = _url(app, rule, OBJECT_CASES[endpoint](dict(foreign, role=role)))
            for method in _methods(rule):
                headers = {"X-CSRFToken": client.csrf()} if method != "GET" else {}
                data = {"csrf_token": client.csrf()} if method != "GET" else None
                resp = client.open(url, method=method, headers=headers, data=data)
                if resp.status_code == 400 and ".api." in rule.endpoint:
                    # Body validation ran first: acceptable only if a missing object gets the
                    # very same answer, so nothing tells that the foreign object exists.
                    missing = _url(app, rule, OBJECT_CASES[endpoint](dict(MISSING, role=role)))
                    same = client.open(missing, method=method, headers=headers, data=data)
                    assert (same.status_code, same.json) == (400, resp.json), (role, endpoint, method)
                    continue
                assert resp.status_code == 404, (role, endpoint, method, resp.status_code)


# --- the same matrix through API tokens, and the allowed side of it -----------------------

# Users whose scope holds the objects the access cases build (customer C003).
IN_SCOPE_USER = {"rep": "rep2", "customer": "cust3", "admin": "admin"}

# Object routes whose case is a missing id for every role (admin-only records, a wrong
# secret): no in-scope object exists to reach, the 404 side is all there is.
NO_IN_SCOPE_OBJECT = {"admin.user_detail", "admin.grant", "admin.revoke", "admin.outbox_retry",
                      "alert_policy.template_edit", "alert_policy.template_update",
                      "alert_policy.template_delete", "inventory.supplier_import_detail",
                      "api.unknown", "sms.dlr"}

# Routes that need a query to name their object (an empty query is "no such item").
IN_SCOPE_QUERY = {"api.inventory_query": {"inventory_code": "1002001"},
                  "inventory.query": {"inventory_code": "1002001"}}


def _is_api(rule) -> bool:
    return ".api." in f"{rule.endpoint}."


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_follow_the_same_matrix(app, tokens, role, foreign):
    """Every API route with a Bearer token of each role: 403 outside the role, 404 for a
    foreign object, never 401/403/5xx inside the role; a wrong token is 401 everywhere."""
    client = app.test_client()
    good = {"Authorization": f"Bearer {tokens(USER_OF_ROLE[role])}"}
    bad = {"Authorization": "Bearer not-a-token-' OR 1=1 --"}
    checked = 0
    for rule, endpoint in _scm_rules(app):
        if not _is_api(rule):
            continue
        roles = getattr(app.view_functions[rule.endpoint], "scm_roles", ("public",))
        if "public" in roles:
            continue
        values = OBJECT_CASES[endpoint](dict(foreign, role=role)) if rule.arguments else None
        url = _url(app, rule, values)
        for method in _methods(rule):
            assert client.open(url, method=method, headers=bad).status_code == 401, (endpoint, method)
            resp = client.open(url, method=method, headers=good)
            checked += 1
            if role not in roles:
                assert resp.status_code == 403, (role, endpoint, method, resp.status_code)
            elif role == "admin" and "order_no" in rule.arguments:
                assert resp.status_code not in (401, 403) and resp.status_code < 500, (endpoint, method)
            elif rule.arguments and endpoint != "api.unknown":
                if resp.status_code == 400:  # body validated first: same answer as for a missing object
                    missing = _url(app, rule, OBJECT_CASES[endpoint](dict(MISSING, role=role)))
                    same = client.open(missing, method=method, headers=good)
                    assert (same.status_code, same.json) == (400, resp.json), (role, endpoint, method)
                else:
                    assert resp.status_code == 404, (role, endpoint, method, resp.status_code)
            else:
                assert resp.status_code not in (401, 403) and resp.status_code < 500, \
                    (role, endpoint, method, resp.status_code)
            if resp.status_code >= 400:  # errors in the API's JSON format, files stay files
                assert resp.is_json and "error" in resp.json, (role, endpoint, method)
    assert checked > 0


@pytest.mark.parametrize("role", ROLES)
def test_allowed_roles_open_every_page_of_their_objects(app, login, role, foreign):
    """The other side of the matrix: a user whose scope holds the objects opens every GET
    route their role may use — 200, never 403/404/5xx (a guard that refuses everyone
    would pass the tests above)."""
    client = login(IN_SCOPE_USER[role])
    checked = 0
    for rule, endpoint in _scm_rules(app):
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "scm_roles", ("public",))
        if endpoint == "static" or endpoint in NO_IN_SCOPE_OBJECT or "GET" not in rule.methods:
            continue
        if role not in roles and "public" not in roles:
            continue
        values = OBJECT_CASES[endpoint](dict(foreign, role="in_scope")) if rule.arguments else None
        resp = client.get(_url(app, rule, values), query_string=IN_SCOPE_QUERY.get(endpoint))
        checked += 1
        assert resp.status_code in (200, 302, 303), (role, endpoint, resp.status_code)
        if resp.status_code != 200:  # only pages that send on elsewhere, never to the login
            assert "/login" not in resp.headers["Location"], (role, endpoint)
    assert checked > 0
