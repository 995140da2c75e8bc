"""Bounds on what one request can make a worker do (issue 20, item 1).

- A JSON body is capped by ``SCM_MAX_JSON_KB``, far below the upload cap: refused by its
  Content-Length before anything is read, and never read beyond the cap + 1 byte when
  it has none (chunked). Its nesting depth is bounded after parsing (and Python's own
  recursion limit, hit while parsing, is the same answer): 400 ``invalid_input``.
- A form's text is capped the same way: a URL-encoded body by ``SCM_MAX_JSON_KB`` as a
  whole, a multipart body per non-file field (Werkzeug's ``max_form_memory_size``) and
  by its number of parts (``max_form_parts``, ``SCM_MAX_FORM_PARTS``). Only a multipart
  body may reach the upload cap (ten files of ``SCM_MAX_UPLOAD_MB``, plus 1 MB).

The limits are set by an app-level ``before_request`` placed first, for the plugin's
requests only: Flask-WTF's CSRF check reads the form in its own ``before_request``,
and a limit set after the stream exists would not apply to it.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import InvalidInput
from .messages import Coded

MAX_JSON_DEPTH = 20          # our schemas nest three levels at most (order → lines → line)


def json_cap() -> int:
    return int(current_app.config["SCM_MAX_JSON_KB"]) * 1024


def upload_cap() -> int:
    """A whole multipart request: ten files of the per-file limit, plus 1 MB of fields."""
    return (int(current_app.config["SCM_MAX_UPLOAD_MB"]) * 10 + 1) * 1024 * 1024


def install(app: Flask, blueprint_name: str) -> None:
    """Put the plugin's request limits before every other ``before_request`` of the app."""
    def _scm_request_limits():
        if request.blueprints and request.blueprints[-1] == blueprint_name:
            apply_limits()
    app.before_request_funcs.setdefault(None, []).insert(0, _scm_request_limits)


def apply_limits() -> None:
    multipart = request.mimetype == "multipart/form-data"
    request.max_content_length = upload_cap() if multipart else json_cap()
    request.max_form_memory_size = json_cap()
    request.max_form_parts = int(current_app.config["SCM_MAX_FORM_PARTS"])


def read_json() -> Any:
    """The request's JSON body, read within the cap; None when it is not JSON (wrong
    type or unparsable: the caller answers ``json_object_required``). Raises
    RequestEntityTooLarge (413) beyond the cap and InvalidInput when nested too deep."""
    if "scm_json" in g:
        return g.scm_json
    if not request.is_json:
        return None
    cap = json_cap()
    if request.content_length is not None and request.content_length > cap:
        raise RequestEntityTooLarge()
    data = _read_at_most(request.stream, cap + 1)
    if len(data) > cap:
        raise RequestEntityTooLarge()
    try:
        value = json.loads(data)
    except RecursionError:
        raise InvalidInput({"body": Coded("json_too_deep", limit=MAX_JSON_DEPTH)}) from None
    except ValueError:  # not JSON, or not UTF-8
        value = None
    if too_deep(value, MAX_JSON_DEPTH):
        raise InvalidInput({"body": Coded("json_too_deep", limit=MAX_JSON_DEPTH)})
    g.scm_json = value
    return value


def _read_at_most(stream, limit: int) -> bytes:
    """Up to ``limit`` bytes: a stream (chunked input) may answer a read with fewer."""
    parts, got = [], 0
    while got < limit:
        chunk = stream.read(min(limit - got, 64 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def too_deep(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (iterative: a deep value
    must not exhaust the stack here either)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
