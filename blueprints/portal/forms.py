"""The order form. Lines are a variable number of rows (``lines-<n>-<field>``), read
into the same ``OrderIn`` schema the API validates with."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from scm_plugin.validation import schema_input as _without_empty

LINE_FIELDS = ("inventory_code", "customer_part_no", "item_name", "master_disc_no", "quantity", "unit", "remarks")
_LINE_KEY = re.compile(r"^lines-(\d{1,3})-([a-z_]+)$")
EMPTY_ROWS = 3


def order_data_from_form(form: MultiDict, kind: str) -> dict:
    """The submitted fields as a plain dict; empty rows dropped, row order kept."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items(multi=False):
        m = _LINE_KEY.match(key)
        if m and m.group(2) in LINE_FIELDS:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value.strip()
    lines = [rows[i] for i in sorted(rows) if any(rows[i].values())]
    return {
        "kind": kind,
        "customer_order_no": form.get("customer_order_no", "").strip(),
        "requested_date": form.get("requested_date", "").strip(),
        "remarks": form.get("remarks", "").strip(),
        "lines": lines,
    }


def schema_input(data: dict) -> dict:
    """Empty strings become missing values for the schema (optional fields stay optional)."""
    return {**_without_empty({k: v for k, v in data.items() if k != "lines"}),
            "lines": [_without_empty(line) for line in data["lines"]]}


def blank_lines(n: int = EMPTY_ROWS) -> list[dict]:
    return [{f: "" for f in LINE_FIELDS} for _ in range(n)]
