"""The documents pages' input: the upload form read into the schema the API validates
with (``services.DocumentIn``), and the rep's list filters from allow-lists."""
from __future__ import annotations

from scm_plugin.erp_bridge.repos.documents import SORTS, STATES
from werkzeug.datastructures import MultiDict

from scm_plugin.validation import date_arg


def document_data(form: MultiDict) -> dict:
    """The submitted fields as typed (shown again when the form is refused). Customer
    codes come as repeated ``customer_codes`` (or ``customer_codes[]``) fields."""
    codes = form.getlist("customer_codes") + form.getlist("customer_codes[]")
    return {
        "subject": form.get("subject", "").strip(),
        "customer_codes": [c.strip() for c in codes if c.strip()],
        "expires_on": form.get("expires_on", "").strip(),
    }


def list_filters(args: MultiDict) -> tuple[dict, bool]:
    """Filters and sort of the rep's list; returns them and whether the dates were valid."""
    date_from, ok_from = date_arg(args.get("date_from"))
    date_to, ok_to = date_arg(args.get("date_to"))
    state, sort = args.get("state"), args.get("sort")
    return {
        "customer_code": (args.get("customer") or "").strip()[:30] or None,
        "state": state if state in STATES else None,
        "date_from": date_from,
        "date_to": date_to,
        "sort": sort if sort in SORTS else "created_at",
        "descending": args.get("dir", "desc") != "asc",
    }, ok_from and ok_to
