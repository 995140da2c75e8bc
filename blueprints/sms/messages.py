"""Message codes of function 9 (the SMS layer's own codes are in scm_plugin/sms/messages.py)."""
from scm_plugin.i18n import _l

MESSAGES = {
    "no_valid_recipients": _l("None of the recipients can receive SMS."),
    "sms_queued": _l("The message was queued for %(n)s recipients."),
    "sms_some_invalid": _l("%(n)s recipients cannot receive SMS; see the list below."),
}
