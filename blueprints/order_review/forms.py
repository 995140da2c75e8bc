from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from scm_plugin.forms import SCMForm
from scm_plugin.i18n import _l


class RejectForm(SCMForm):
    reason = TextAreaField(_l("Reason (the customer sees it)"),
                           validators=[DataRequired(message=_l("Give a reason; the customer will see it.")),
                                       Length(max=500, message=_l("At most 500 characters."))])


class ApproveForm(SCMForm):
    """Only the CSRF token: approving needs no input."""
