"""One helper every module calls to record who did what to which object, when and
from where. Written in the caller's transaction so the record and the change commit
together."""
from __future__ import annotations

from flask import has_request_context, request

from .auth import get_user
from .erp_bridge.repos import users as users_repo


def record(tx, action: str, object_type: str | None = None, object_id=None, *,
           customer_code: str | None = None, detail: str | None = None,
           actor: str | None = None) -> None:
    ip = None
    if has_request_context():
        ip = request.remote_addr
        if actor is None:
            user = get_user()
            actor = user.username if user else None
    users_repo.audit(tx, actor=actor or "system", action=action, object_type=object_type,
                     object_id=object_id, customer_code=customer_code, ip=ip,
                     detail=detail[:2000] if detail else None)
