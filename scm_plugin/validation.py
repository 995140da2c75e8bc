"""Input read into pydantic schemas, and their errors as per-field message codes, for
pages, API and CLI alike."""
from __future__ import annotations

import re

from pydantic import BaseModel, ValidationError

from .errors import InvalidInput
from .messages import Coded

UNKNOWN_FIELDS_NAMED = 5     # an error names this many unknown fields, then counts the rest
FIELD_NAME_CHARS = 100       # a field name quoted back in an error is cut to this


def parse(schema: type[BaseModel], data: dict):
    """Input → the schema, or InvalidInput with a message code per field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation_fields(exc)) from None


def schema_input(data: dict) -> dict:
    """Empty form fields become missing ones: the schema then says "required"."""
    return {k: v for k, v in data.items() if v not in ("", None)}


_CODES = {
    "missing": "required",
    "string_too_long": "too_long",
    "date_from_datetime_parsing": "date_invalid",
    "date_from_datetime_inexact": "date_invalid",
    "date_parsing": "date_invalid",
    "date_type": "date_invalid",
    "datetime_parsing": "datetime_invalid",
    "datetime_from_date_parsing": "datetime_invalid",
    "datetime_type": "datetime_invalid",
    "literal_error": "choice_invalid",
    "enum": "choice_invalid",
    "extra_forbidden": "field_unknown",
    "int_parsing": "number_invalid",
    "int_type": "number_invalid",
    "decimal_parsing": "number_invalid",
    "too_short": "lines_required",
    "too_long": "too_many_lines",
    "list_type": "list_required",
    "string_type": "text_required",
    "model_type": "json_object_required",
    "dict_type": "json_object_required",
}


def validation_fields(exc: ValidationError) -> dict[str, str]:
    """``lines.0.quantity`` → message code. Our own validators raise ValueError(code)."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        if err["type"] == "extra_forbidden":
            unknown.append(loc)
            continue
        ctx_error = (err.get("ctx") or {}).get("error")
        if err["type"] == "value_error" and isinstance(ctx_error, ValueError):
            code = str(ctx_error)
        elif err["type"] == "code_too_long":  # erp_widths.ErpWidth: the limit is named
            code = Coded("code_too_long", limit=(err.get("ctx") or {}).get("limit"))
        else:
            code = _CODES.get(err["type"], "invalid_input")
        fields.setdefault(loc, code)
    return bounded_unknown(fields, unknown)


_DIGITS = re.compile(r"[0-9]{1,9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def query_formats(model: type[BaseModel]) -> dict[str, tuple[re.Pattern, str]]:
    """What a query string must look like for the integer and date parameters (name →
    pattern, message code): pydantic's lax mode would also take ``page=1.0``,
    ``page=+1``, ``page=1_0`` and ``date_to=0`` (a Unix time, 1970-01-01)."""
    formats = {}
    for name, prop in model.model_json_schema().get("properties", {}).items():
        variants = prop.get("anyOf", [prop])
        if any(v.get("type") == "integer" for v in variants):
            formats[name] = (_DIGITS, "number_invalid")
        elif any(v.get("format") == "date" for v in variants):
            formats[name] = (_ISO_DATE, "date_invalid")
    return formats


def bounded_unknown(fields: dict[str, str], unknown: list[str], code: str = "field_unknown") -> dict[str, str]:
    """``fields`` with at most UNKNOWN_FIELDS_NAMED of the unknown names (cut to
    FIELD_NAME_CHARS) and, beyond them, a count under ``body``: a body of 30,000 unknown
    keys answers a few lines, not a copy of itself."""
    for name in unknown[:UNKNOWN_FIELDS_NAMED]:
        fields.setdefault(name[:FIELD_NAME_CHARS], code)
    if len(unknown) > UNKNOWN_FIELDS_NAMED:
        fields.setdefault("body", Coded("fields_unknown_more", count=len(unknown) - UNKNOWN_FIELDS_NAMED))
    return fields
