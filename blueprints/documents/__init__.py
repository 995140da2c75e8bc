"""Function 8: documents for customers (资料上传). Reps upload a document (subject, file,
optional expiry) for one or more of their customers and see, per customer, whether and
when it was downloaded; customers download the documents shared with their company
until they expire. The reps' pages are at ``/documents/``, the customers' at
``/documents/portal/``."""
from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")

DEFAULTS = {
    "SCM_DOCUMENTS_NOTIFY_CUSTOMERS": True,   # mail the customers' portal users about a new document
}

from . import messages, views  # noqa: E402,F401
