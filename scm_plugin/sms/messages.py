"""Message codes of the SMS layer (used by function 9, the alert job and the API)."""
from __future__ import annotations

from flask import current_app

from ..i18n import _l


class _MaxChars:
    """The configured limit, read when the message is shown (config is per app)."""

    def __str__(self) -> str:
        try:
            return str(current_app.config["SCM_SMS_MAX_CHARS"])
        except (RuntimeError, KeyError):
            return "70"


MESSAGES = {
    # text
    "text_empty": _l("Enter the text of the message."),
    "text_too_long": _l("The text may not exceed %(max)s characters, signature included.", max=_MaxChars()),
    "text_unsendable": _l("The text contains control characters that cannot be sent."),
    "text_brackets": _l("【 and 】 are reserved for the signature; please remove them from the text."),
    # numbers
    "phone_empty": _l("No number."),
    "phone_invalid": _l("Not a phone number."),
    "phone_too_short": _l("Too few digits for a mobile number."),
    "area_code_missing": _l("A fixed-line or PHS number needs its area code, e.g. 0755-12345678."),
    "phone_foreign": _l("Only numbers in mainland China can receive SMS here."),
    "phone_cannot_receive": _l("This number cannot receive SMS."),
    "phs_disabled": _l("Fixed-line and PHS numbers cannot receive SMS here."),
    "contact_unknown": _l("No such contact among your customers."),
    "contact_no_number": _l("This contact has no mobile or phone number."),
    # the batch
    "recipients_required": _l("Choose at least one recipient."),
    "too_many_recipients": _l("Too many recipients for one message; send it in several batches."),
    # sending
    "gateway_unreachable": _l("The SMS gateway cannot be reached; the message will be retried."),
    "gateway_gave_up": _l("The SMS gateway could not be reached; sending was given up."),
    "gateway_no_answer": _l("The SMS gateway did not answer; the message may already have gone out. "
                            "It is sent again only if no delivery report confirms it."),
    "gateway_no_answer_unconfirmed": _l("The SMS gateway did not answer; the message may have gone out. "
                                        "To avoid a duplicate it was not sent again: check with the "
                                        "recipient and send it again if needed."),
}
