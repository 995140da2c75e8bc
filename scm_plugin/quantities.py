"""The one rule for a typed quantity — order lines, checkpoints, stock figures, imported
sheets, the API — so one text is read the same everywhere.

``1,250.5`` (thousands separators) is 1250.5; ``1,5`` is not a number (in Chinese and
English use the comma only groups thousands, and reading it as 15 or 1.5 would be a
guess). At most ``decimals`` places, trailing zeros aside. Errors are message codes.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import InvalidInput

DECIMALS = 4


@dataclass(frozen=True)
class QuantityRule:
    allow_zero: bool        # a stock figure may be 0; an ordered quantity may not
    limit: Decimal          # a quantity must stay below this
    not_positive: str       # message codes
    too_large: str


ORDERED = QuantityRule(allow_zero=False, limit=Decimal("1000000001"),
                       not_positive="quantity_positive", too_large="quantity_too_large")
STOCK = QuantityRule(allow_zero=True, limit=Decimal("10000000000"),
                     not_positive="stock_quantity_negative", too_large="stock_quantity_too_large")


def parse_quantity(raw, rule: QuantityRule = ORDERED, decimals: int = DECIMALS) -> Decimal:
    """The quantity in ``raw`` (text, int, Decimal or float), normalised (``100.50`` →
    ``100.5``). Raises ValueError(<message code>), as pydantic validators expect."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("required")
    if isinstance(raw, bool):
        raise ValueError("quantity_invalid")
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip()
    if "," in text:
        head, _, _tail = text.partition(".")
        groups = head.lstrip("+-").split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ValueError("quantity_invalid")
        text = text.replace(",", "")
    try:
        qty = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError("quantity_invalid") from None
    if not qty.is_finite():
        raise ValueError("quantity_invalid")
    if qty < 0 or (qty == 0 and not rule.allow_zero):
        raise ValueError(rule.not_positive)
    if qty >= rule.limit:
        raise ValueError(rule.too_large)
    step = Decimal(1).scaleb(-decimals)
    if qty.as_tuple().exponent < -decimals and qty != qty.quantize(step):
        raise ValueError("quantity_decimals")
    if qty == 0:
        return Decimal(0)
    return normalised(qty)


def normalised(qty: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 30000.000000 → 30000, 12.50 → 12.5."""
    return qty.quantize(Decimal(1)) if qty == qty.to_integral() else qty.normalize()


def plain(value) -> str:
    """A stored quantity as text, as the API, SMS and the command line write it (None → "0")."""
    return str(normalised(Decimal(value or 0)))


def quantity_field(raw, field: str = "quantity", rule: QuantityRule = ORDERED) -> Decimal:
    """``parse_quantity`` for a form or service: InvalidInput on ``field``."""
    try:
        return parse_quantity(raw, rule)
    except ValueError as exc:
        raise InvalidInput({field: str(exc)}) from None
