"""Pydantic validation errors → per-field message codes, for pages and API alike."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

MAX_QUANTITY = Decimal("1000000000")


def parse_quantity(value) -> Decimal:
    """A positive quantity with at most 4 decimals; ``1,250.5`` is read as 1250.5.
    Raises ValueError(<message code>) for pydantic validators."""
    if isinstance(value, float):
        value = repr(value)
    try:
        qty = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError("quantity_invalid") from None
    if not qty.is_finite():
        raise ValueError("quantity_invalid")
    if qty <= 0:
        raise ValueError("quantity_positive")
    if qty > MAX_QUANTITY:
        raise ValueError("quantity_too_large")
    if qty.as_tuple().exponent < -4:
        raise ValueError("quantity_decimals")
    return qty

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
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        ctx_error = (err.get("ctx") or {}).get("error")
        if err["type"] == "value_error" and isinstance(ctx_error, ValueError):
            code = str(ctx_error)
        else:
            code = _CODES.get(err["type"], "invalid_input")
        fields.setdefault(loc, code)
    return fields
