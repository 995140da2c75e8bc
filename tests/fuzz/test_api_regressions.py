"""Regression tests for what the fuzzing found (one test per finding, each could fail)."""
from __future__ import annotations

PREFIX = "/scm/api/v1"


def _auth(seeded, role="rep"):
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def test_undeclared_method_on_a_real_path_is_405_with_allow(client, seeded):
    resp = client.put(f"{PREFIX}/alarms", headers=_auth(seeded))
    assert resp.status_code == 405
    assert resp.json["error"] == "method_not_allowed" and resp.json["message"]
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    # an unknown path is still a 404, whatever the method
    assert client.put(f"{PREFIX}/no-such-thing", headers=_auth(seeded)).status_code == 404


def test_options_lists_only_the_served_methods(client, seeded):
    resp = client.options(f"{PREFIX}/orders/{seeded.order_nos[0]}/alert-policy", headers=_auth(seeded))
    assert resp.status_code == 200
    assert sorted(resp.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS", "PUT"]
    assert client.options(f"{PREFIX}/no-such-thing").status_code == 404
