"""The policy editor and the template editor: a variable number of rows
(``cp-<n>-<field>``, ``t-<n>-<field>``), read into the same input the API validates."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

CHECKPOINT_FIELDS = ("due_at", "process_step", "quantity")
TEMPLATE_FIELDS = ("step", "days_before", "amount")
EMPTY_ROWS = 2
_ROW_KEY = re.compile(r"^(cp|t)-(\d{1,3})-([a-z_]+)$")
_SPLIT = re.compile(r"[\n\r,;，；、]+")


def _rows(form: MultiDict, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items(multi=False):
        m = _ROW_KEY.match(key)
        if m and m.group(1) == prefix and m.group(3) in fields:
            rows.setdefault(int(m.group(2)), {})[m.group(3)] = value.strip()
    return [{f: rows[i].get(f, "") for f in fields} for i in sorted(rows)
            if any(v for k, v in rows[i].items() if k != "process_step" and k != "step")]


def policy_data_from_form(form: MultiDict) -> dict:
    """The submitted checkpoints (empty rows dropped) and SMS recipients: ticked
    entries (``sms`` checkboxes: user:…, contact:…) and the typed numbers."""
    checkpoints = _rows(form, "cp", CHECKPOINT_FIELDS)
    sms = [v.strip() for v in form.getlist("sms") if v.strip()]
    for number in _SPLIT.split(form.get("sms_other", "")):
        if number.strip() and number.strip() not in sms:
            sms.append(number.strip())
    return {"checkpoints": checkpoints, "sms_to": sms}


def schema_input(data: dict) -> dict:
    """Empty strings become missing values, so the schema reports "required"."""
    return {
        "checkpoints": [{k: v for k, v in row.items() if v not in ("", None)} for row in data["checkpoints"]],
        "sms_to": data["sms_to"],
    }


def template_rows_from_form(form: MultiDict) -> list[dict[str, str]]:
    return _rows(form, "t", TEMPLATE_FIELDS)


def blank_checkpoints(n: int = EMPTY_ROWS) -> list[dict[str, str]]:
    return [{f: "" for f in CHECKPOINT_FIELDS} for _ in range(n)]
