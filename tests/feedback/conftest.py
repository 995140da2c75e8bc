"""Helpers for the feedback tests: API calls as a given user, feedback filed through the API."""
from __future__ import annotations

import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


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
def file_feedback(api):
    """``file_feedback(user="cust1", type=..., subject=..., body=..., files=[(bytes, name)])``."""
    def _file(user="cust1", type="complaint", subject="第 3 批光盘盘面划伤", body="批号 HY-0315，约 200 张有划痕。",
              files=()):
        resp = api(user, "POST", "/feedback", json={"type": type, "subject": subject, "body": body})
        assert resp.status_code == 201, resp.get_data(as_text=True)
        fb = resp.json
        for content, name in files:
            added = api(user, "POST", f"/feedback/{fb['id']}/attachments", data={"file": (io.BytesIO(content), name)})
            assert added.status_code == 201, added.get_data(as_text=True)
        return api(user, "GET", f"/feedback/{fb['id']}").json
    return _file


@pytest.fixture
def reply(api):
    """``reply(feedback_id, user="rep1", body=..., files=[(bytes, name)], internal=False)`` → the reply."""
    def _reply(feedback_id, user="rep1", body="已安排重新压制，下周发货。", files=(), internal=False):
        data = {"body": body, "internal": "1" if internal else "0",
                "files": [(io.BytesIO(content), name) for content, name in files]}
        resp = api(user, "POST", f"/feedback/{feedback_id}/replies", data=data)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return resp.json
    return _reply


@pytest.fixture
def english(db, users):
    """The standard users read English: the pages' labels are the msgids, whatever state
    the translation catalogs are in (the Chinese texts are checked in test_translations.py)."""
    from scm_plugin.erp_bridge.repos import users as users_repo

    with db.transaction() as tx:
        for user_id in users.values():
            users_repo.set_locale(tx, user_id, "en")
    return users
