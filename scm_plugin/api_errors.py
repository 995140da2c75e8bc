"""The API's error format (API.md): ``{"error", "message", "fields"}`` with the message
in the user's language; never a stack trace or a database message."""
from __future__ import annotations

from flask import jsonify

from .messages import field_messages, message


def api_error(status: int, code: str, fields: dict[str, str] | None = None, /, **variables):
    return api_error_text(status, code, message(code, **variables), fields)


def api_error_text(status: int, code: str, text: str, fields: dict[str, str] | None = None):
    """An API error whose message is already worded."""
    body = {"error": code, "message": text}
    if fields:
        body["fields"] = field_messages(fields)
    resp = jsonify(body)
    resp.status_code = status
    return resp
