"""The documents pages' input: the upload form read into the schema the API validates
with (``services.DocumentIn``); the list filters are the API's
``services.DocumentQuery``, read by ``scm_plugin.filters``."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict


def document_data(form: MultiDict) -> dict:
    """The submitted fields as typed (shown again when the form is refused). Customer
    codes come as repeated ``customer_codes`` (or ``customer_codes[]``) fields."""
    codes = form.getlist("customer_codes") + form.getlist("customer_codes[]")
    return {
        "subject": form.get("subject", "").strip(),
        "customer_codes": [c.strip() for c in codes if c.strip()],
        "expires_on": form.get("expires_on", "").strip(),
    }
