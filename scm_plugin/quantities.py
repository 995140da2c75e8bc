"""The one rule for a typed quantity — order lines, checkpoints, stock figures, imported
sheets, the API — so one text is read the same everywhere.

``1,250.5`` (thousands separators) is 1250.5; ``1,5`` is not a number (in Chinese and
English use the comma only groups thousands, and reading it as 15 or 1.5 would be a
guess). At most ``decimals`` places, trailing zeros aside. Errors are message codes.

An ordered quantity also answers to its unit (``SCM_UNIT_DECIMALS``: unit → decimal
places allowed): "100.5 片" is refused where pieces are counted, "100.5 公斤" is not.
"""
from __future__ import annotations

from collections.abc import Mapping
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


# --- quantities and their units ----------------------------------------------------------
def decimal_places(qty: Decimal) -> int:
    """The decimal places ``qty`` really has (trailing zeros aside): 100.50 → 1, 100.0 → 0."""
    qty = Decimal(qty)
    if not qty.is_finite() or qty == qty.to_integral():
        return 0
    return max(0, -qty.normalize().as_tuple().exponent)


def unit_decimals_problem(setting) -> str | None:
    """What is wrong with a ``SCM_UNIT_DECIMALS`` value (one line), or None when it is usable:
    a dict of unit → decimal places, a whole number 0–4 (``None`` = no unit rule)."""
    if setting is None:
        return None
    example = 'e.g. {"片": 0, "公斤": 2}'
    if not isinstance(setting, Mapping):
        return (f"SCM_UNIT_DECIMALS must be a dict of unit → decimal places ({example}), "
                f"not {type(setting).__name__} {setting!r}")
    seen: dict[str, object] = {}
    for unit, places in setting.items():
        if not isinstance(unit, str) or not unit.strip():
            return f"SCM_UNIT_DECIMALS: a unit must be a non-empty text, not {unit!r} ({example})"
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= DECIMALS:
            return (f"SCM_UNIT_DECIMALS[{unit!r}] must be a whole number of decimal places from 0 to "
                    f"{DECIMALS}, not {places!r}")
        key = unit.strip()
        if key in seen:
            return f"SCM_UNIT_DECIMALS names the unit {key!r} twice ({seen[key]!r} and {unit!r})"
        seen[key] = unit
    return None


def unit_of(item: Mapping | None) -> str | None:
    """An ERP item's unit as ``SCM_UNIT_DECIMALS`` names it: the unit's name where the ERP
    keeps unit codes and the mapping has a [unit] entity (``unit_name``), else its unit."""
    if not item:
        return None
    for key in ("unit_name", "unit"):
        value = item.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def allowed_decimals(unit: str | None, setting) -> int | None:
    """The decimal places ``setting`` allows for ``unit``; None when the unit is not listed
    (the quantity rule alone applies, at most ``DECIMALS`` places)."""
    if not unit or not setting:
        return None
    unit = unit.strip()
    for name, places in setting.items():
        if name.strip() == unit:
            return int(places)
    return None


@dataclass(frozen=True)
class UnitRefusal:
    """A quantity with more decimal places than its unit allows."""
    unit: str
    places: int          # allowed

    @property
    def code(self) -> str:
        return "quantity_unit_whole" if self.places == 0 else "quantity_unit_decimals"


def unit_refusal(qty: Decimal, item: Mapping | None, setting) -> UnitRefusal | None:
    """Whether ``qty`` of ``item`` has more decimal places than the item's unit allows."""
    unit = unit_of(item)
    places = allowed_decimals(unit, setting)
    if places is None or decimal_places(qty) <= places:
        return None
    return UnitRefusal(unit, places)
