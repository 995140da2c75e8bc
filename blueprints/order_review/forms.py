"""The review pages' input: the reject form, and a review list's filters."""
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NaiveDatetime
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from scm_plugin.erp_widths import CustomerCode
from scm_plugin.forms import SCMForm
from scm_plugin.i18n import _l


class RejectForm(SCMForm):
    reason = TextAreaField(_l("Reason (the customer sees it)"),
                           validators=[DataRequired(message=_l("Give a reason; the customer will see it.")),
                                       Length(max=500, message=_l("At most 500 characters."))])


class ApproveForm(SCMForm):
    """Only the CSRF token: approving needs no input."""


class ReviewQuery(BaseModel):
    """A review list's query string, read by ``scm_plugin.filters`` (the API lists orders
    with its own ``OrderQuery``: all statuses, no sort)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["pending", "approved", "rejected", ""] = "pending"   # "": all
    customer_code: CustomerCode | None = None
    order_no: str | None = Field(None, max_length=30)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: Literal["placed_at", "order_no", "customer", "requested_date"] = "placed_at"
    dir: Literal["asc", "desc"] = "asc"
    page: int = Field(1, ge=1)
    # The first view's time, kept by the self-refresh so its new-order marks stay.
    since: NaiveDatetime | None = None

    def filters(self) -> dict:
        """``services.queue``'s filters and sort."""
        return {"status": self.status, "customer_code": self.customer_code, "order_no": self.order_no,
                "date_from": self.date_from, "date_to": self.date_to, "sort": self.sort,
                "descending": self.dir == "desc"}
