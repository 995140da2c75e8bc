"""Helpers for the documents tests: API calls as a given user, documents shared through the API."""
from __future__ import annotations

import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def api(app, tokens):
    """``api(user, method, path, json=..., data=...)``: a bearer-token call; ``data`` is sent
    as multipart."""
    client = app.test_client()

    def call(user, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {tokens(user)}")
        if "data" in kwargs:
            kwargs.setdefault("content_type", "multipart/form-data")
        return client.open(f"/scm/api/v1{path}", method=method, headers=headers, **kwargs)
    return call


@pytest.fixture
def share(api):
    """``share(user="rep1", customers=("C001", "C002"), subject=..., content=PDF, name=..., expires_on=None)``."""
    def _share(user="rep1", customers=("C001", "C002"), subject="2026 年光盘包装规范", content=PDF,
               name="包装规范（第2版）.pdf", expires_on=None):
        data = {"subject": subject, "customer_codes": list(customers), "file": (io.BytesIO(content), name)}
        if expires_on:
            data["expires_on"] = str(expires_on)
        resp = api(user, "POST", "/documents", data=data)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return resp.json
    return _share


@pytest.fixture
def english(db, users):
    """The standard users read English: the pages' labels are the msgids, whatever state
    the translation catalogs are in (the Chinese texts are checked in test_translations.py)."""
    from scm_plugin.erp_bridge.repos import users as users_repo

    with db.transaction() as tx:
        for user_id in users.values():
            users_repo.set_locale(tx, user_id, "en")
    return users
