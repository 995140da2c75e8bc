from wtforms import StringField

from scm_plugin.forms import SCMForm
from scm_plugin.i18n import _l


class StockForm(SCMForm):
    """新增货品 / 维护. The values are checked by services.record (the same rules as the
    API); the form carries the CSRF token and shows the messages next to the fields."""

    inventory_code = StringField(_l("Inventory code"))
    quantity = StringField(_l("Stock quantity"))
    remarks = StringField(_l("Remarks"))
