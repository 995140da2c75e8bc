"""Function 8: documents for customers (资料上传). Reps upload a document (subject, file,
optional expiry) for one or more of their customers and see, per customer, whether and
when it was downloaded; customers download the documents shared with their company
until they expire. The reps' pages are at ``/documents/``, the customers' at
``/documents/portal/``."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import CUSTOMER, STAFF

from . import api, messages, views

DEFAULTS = {
    "SCM_DOCUMENTS_NOTIFY_CUSTOMERS": True,   # mail the customers' portal users about a new document
}

module = Module(
    name="documents",
    blueprint=views.bp,
    api=api.routes,
    messages=messages.MESSAGES,
    menu=(MenuEntry(8, "documents.index", "Document upload", STAFF),),
    portal_menu=(MenuEntry(3, "documents.portal_list", "Documents for us", (CUSTOMER,)),),
    defaults=DEFAULTS,
)
