"""Function 7: customer feedback (客户意见接收处理). Customers file complaints and
suggestions in the portal and read the replies; reps granted the customer view (阅览),
reply with files (回复), close and delete (删除) them. Both sides live here: the reps'
pages at ``/feedback/``, the customers' at ``/feedback/portal/``."""
from scm_plugin.modules import MenuEntry, Module
from scm_plugin.roles import CUSTOMER, STAFF

from . import api, messages, views

DEFAULTS = {
    "SCM_FEEDBACK_NOTIFY_REPS": True,     # mail the granted reps when a customer files feedback
}

module = Module(
    name="feedback",
    blueprint=views.bp,
    api=api.routes,
    messages=messages.MESSAGES,
    menu=(MenuEntry(7, "feedback.index", "Customer feedback", STAFF),),
    portal_menu=(MenuEntry(2, "feedback.portal_list", "Complaints and suggestions", (CUSTOMER,)),),
    defaults=DEFAULTS,
)
