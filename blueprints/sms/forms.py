"""The compose form. Contacts are checkboxes named ``contact`` (many) rendered from the
ERP, so they are read from the request as a list rather than declared as choices."""
from __future__ import annotations

from wtforms import TextAreaField

from scm_plugin.forms import SCMForm
from scm_plugin.i18n import _l


class ComposeForm(SCMForm):
    text = TextAreaField(_l("SMS text"), render_kw={"rows": 4, "maxlength": 500})
    numbers = TextAreaField(_l("Other numbers"), render_kw={"rows": 3, "maxlength": 4000})
