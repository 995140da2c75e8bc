"""The base of every plugin form: WTForms' own messages ("Not a valid date", length
limits…) in the user's language, from the translations WTForms ships."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.i18n import get_translations

from .i18n import current_locale

# WTForms names its catalogs zh (Simplified) and zh_TW.
_WTFORMS_LOCALES = {"zh_CN": ["zh"], "zh_TW": ["zh_TW"], "en": ["en"]}


class SCMForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return get_translations(_WTFORMS_LOCALES.get(current_locale(), ["en"]))
