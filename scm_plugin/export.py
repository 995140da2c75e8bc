"""Excel export shared by every list (openpyxl, written in memory, streamed as a download)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, Iterable, Sequence

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .i18n import to_local

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return to_local(value).replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, Decimal):
        return float(value) if value == value.to_integral() or abs(value) < Decimal("1e15") else str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a customer's text become a formula
    return value


def xlsx_response(filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(v or "")) + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    resp = send_file(buf, mimetype=_XLSX, as_attachment=True, download_name=filename, max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
