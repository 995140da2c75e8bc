"""Function 9: send SMS (发送短信) to the contacts of a rep's customers and to typed
numbers; per-recipient status that updates itself; the history of batches in scope; the
route Kannel's delivery reports come back to. The sending itself is the core SMS layer
(``scm_plugin.sms``), shared with the alert job."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import STAFF

from . import api, messages, views

DEFAULTS = {
    "SCM_SMS_REFRESH_SECONDS": 5,         # the batch page updates itself this often while messages move
    "SCM_SMS_REPORT_WAIT_MINUTES": 30,    # after this, "sent" without a delivery report is final on the page
    "SCM_SMS_CONTACTS_LIMIT": 500,        # contacts listed on the compose page before search is needed
}

module = Module(
    name="sms",
    blueprint=views.bp,
    api=api.routes,
    messages=messages.MESSAGES,
    menu=(MenuEntry(9, "sms.compose", "Send SMS", STAFF),),
    defaults=DEFAULTS,
)
