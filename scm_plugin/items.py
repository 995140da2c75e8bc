"""The "complete input" rule of the stock functions: an inventory code, item name or
master-disc no is looked up only when it is complete and exact; anything else answers
无此货品信息 (``no_such_item``), never a browse."""
from __future__ import annotations

import unicodedata

from .errors import NotFound

MAX_INPUT = 255                  # longer than any ERP code or name field: cannot be complete


class NoSuchItem(NotFound):
    """无此货品信息: the input is not a complete, exact key of any item."""

    def __init__(self):
        super().__init__("item", code="no_such_item")


def complete_value(raw) -> str | None:
    """The input as it will be compared, or None when it cannot be a complete key:
    surrounding whitespace trimmed; empty, too long or with control/format characters
    (NUL, zero-width space…) is None."""
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if not value or len(value) > MAX_INPUT:
        return None
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        return None
    return value
