"""A list page's filters: its query string read into a pydantic model — the one its API
validates with where there is one — leniently, as pages have always read them.

The API refuses a bad query with 400; a page shows the list anyway: over-long text is
cut to the field's length, an empty value means "not given" (unless the field lists
"" as a choice, e.g. "all statuses"), and a value the model refuses (an unknown sort
or status, a page that is no number) falls back to the field's default. The links and
selects that build these URLs are our own, so only a typed date is worth a message.
"""
from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Literal, TypeVar

from flask import flash, request
from pydantic import BaseModel, ValidationError

from .messages import message
from .validation import query_formats, validation_fields

M = TypeVar("M", bound=BaseModel)


def read_query(model: type[M], args: Mapping[str, str], *, names: Mapping[str, str] | None = None
               ) -> tuple[M, dict[str, str]]:
    """``args`` (a query string) → the model, leniently; also the message code of each
    value that was refused and replaced by the default. ``names``: field → the page's
    own argument name where they differ (pages say ``customer``, the API ``customer_code``)."""
    names = names or {}
    formats = query_formats(model)
    data: dict[str, str] = {}
    refused: dict[str, str] = {}
    for field, info in model.model_fields.items():
        raw = args.get(names.get(field, field))
        if raw is None:
            continue
        raw = raw.strip()
        if not raw and "" not in _choices(info.annotation):
            continue
        limit = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        if limit is not None:
            raw = raw[:limit]
        pattern = formats.get(field)
        if pattern and not pattern[0].fullmatch(raw):
            refused[field] = pattern[1]
            continue
        data[field] = raw
    try:
        return model.model_validate(data), refused
    except ValidationError as exc:
        for loc, code in validation_fields(exc).items():
            field = loc.split(".")[0]
            data.pop(field, None)
            refused.setdefault(field, code)
    return model.model_validate(data), refused


def page_query(model: type[M], *, names: Mapping[str, str] | None = None, flag: bool = True) -> M:
    """The request's query string → the model (``read_query``); an invalid date is
    flagged to the user (``flag=False`` for a download, which shows no messages)."""
    query, refused = read_query(model, request.args, names=names)
    if flag and "date_invalid" in refused.values():
        flash(message("date_invalid"), "error")
    return query


def _choices(annotation) -> tuple:
    """The values a Literal field (also inside ``X | None``) allows; () for other fields."""
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return tuple(v for arg in typing.get_args(annotation) for v in _choices(arg))
