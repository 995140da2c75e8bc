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
