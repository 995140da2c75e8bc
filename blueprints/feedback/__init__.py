"""Function 7: customer feedback (客户意见接收处理). Customers file complaints and
suggestions in the portal and read the replies; reps granted the customer view (阅览),
reply with files (回复), close and delete (删除) them. Both sides live here: the reps'
pages at ``/feedback/``, the customers' at ``/feedback/portal/``."""
from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

DEFAULTS = {
    "SCM_FEEDBACK_NOTIFY_REPS": True,     # mail the granted reps when a customer files feedback
}

from . import messages, views  # noqa: E402,F401
