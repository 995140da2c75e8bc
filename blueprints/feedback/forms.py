"""The feedback pages' input: form fields read into the same schemas the API validates
with (``services.FeedbackIn`` / ``ReplyIn``); the list filters are the API's
``services.FeedbackQuery``, read by ``scm_plugin.filters``."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

FEEDBACK_FIELDS = ("type", "subject", "body")


def feedback_data(form: MultiDict) -> dict:
    """The submitted fields as typed (shown again when the form is refused)."""
    return {name: form.get(name, "").strip() for name in FEEDBACK_FIELDS}
