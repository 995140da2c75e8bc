from flask_wtf.file import FileField

from scm_plugin.forms import SCMForm
from scm_plugin.i18n import _l


class ImportForm(SCMForm):
    """The supplier stock sheet; its content is checked by supplier_import, not here."""

    file = FileField(_l("Sheet (CSV or Excel .xlsx)"))
