"""The API's error format (API.md): ``{"error", "message", "fields"}`` with the message
in the user's language; never a stack trace or a database message."""
from __future__ import annotations

from flask import jsonify

from .messages import field_messages, message


def api_error(status: int, code: str, fields: dict[str, str] | None = None, /, **variables):
    body = {"error": code, "message": message(code, **variables)}
    if fields:
        body["fields"] = field_messages(fields)
    resp = jsonify(body)
    resp.status_code = status
    return resp
