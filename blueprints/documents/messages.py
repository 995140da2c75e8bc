"""Message codes of the documents module."""
from scm_plugin.i18n import _l

MESSAGES = {
    "customers_required": _l("Choose at least one customer."),
    "document_shared_beyond_scope": _l("This document is also shared with customers outside your grants; "
                                       "ask an administrator to withdraw it."),
}
