"""The feedback pages' input: form fields read into the same schemas the API validates
with (``services.FeedbackIn`` / ``ReplyIn``), and the list filters from allow-lists."""
from __future__ import annotations

from scm_plugin.erp_bridge.repos.feedback import SORTS, STATUSES, TYPES
from werkzeug.datastructures import MultiDict

from scm_plugin.validation import date_arg

FEEDBACK_FIELDS = ("type", "subject", "body")


def feedback_data(form: MultiDict) -> dict:
    """The submitted fields as typed (shown again when the form is refused)."""
    return {name: form.get(name, "").strip() for name in FEEDBACK_FIELDS}


def list_filters(args: MultiDict, *, staff: bool) -> tuple[dict, bool]:
    """Filters and sort of a feedback list; returns them and whether the dates were valid.
    Unknown values fall back to "all" (they come from our own links and selects)."""
    date_from, ok_from = date_arg(args.get("date_from"))
    date_to, ok_to = date_arg(args.get("date_to"))
    fb_type = args.get("type")
    status = args.get("status")
    filters = {
        "fb_type": fb_type if fb_type in TYPES else None,
        "status": status if status in STATUSES else None,
        "date_from": date_from,
        "date_to": date_to,
    }
    if staff:
        sort = args.get("sort")
        filters.update({
            "customer_code": (args.get("customer") or "").strip()[:30] or None,
            "sort": sort if sort in SORTS else "created_at",
            "descending": args.get("dir", "desc") != "asc",
        })
    return filters, ok_from and ok_to
