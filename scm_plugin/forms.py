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


try:  # WTForms 3.3 deprecates (value, label) tuples as choices; earlier versions only take those
    from wtforms.fields.choices import SelectChoice as _SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    _SelectChoice = None


def choice(value: str, label) -> object:
    """One option of a SelectField, in the form the installed WTForms wants."""
    return _SelectChoice(value, label) if _SelectChoice is not None else (value, label)
