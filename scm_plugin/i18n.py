"""Languages and times: Simplified Chinese first, Traditional Chinese and English.

The plugin's strings live in their own gettext domain (``scm``) so a host app with its
own Flask-Babel and catalogs keeps both. Times are stored in UTC and shown in
``SCM_TIMEZONE``.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import LazyProxy, NullTranslations, Translations
from flask import current_app, g, has_request_context, request, session

DOMAIN = "scm"
LOCALE_NAMES = {"zh_CN": "简体中文", "zh_TW": "繁體中文", "en": "English"}
_catalogs: dict[str, Translations | NullTranslations] = {}


def _translations_dir() -> str:
    return str(files("scm_plugin").joinpath("translations"))


def catalog(locale: str) -> Translations | NullTranslations:
    cat = _catalogs.get(locale)
    if cat is None:
        cat = Translations.load(_translations_dir(), [locale], domain=DOMAIN)
        _catalogs[locale] = cat
    return cat


def current_locale() -> str:
    """The user's language: saved choice, then the session, then the browser, then default."""
    if not has_request_context():
        return _default()
    cached = g.get("scm_locale")
    if cached:
        return cached
    allowed = current_app.config["SCM_LOCALES"]
    chosen = None
    user = g.get("scm_user")
    if user is not None and user.locale in allowed:
        chosen = user.locale
    elif session.get("scm_locale") in allowed:
        chosen = session["scm_locale"]
    else:
        # "zh-TW" / "zh-Hant" → zh_TW, "zh" / "zh-CN" → zh_CN, "en-US" → en.
        for lang, _q in request.accept_languages:
            lang = lang.replace("-", "_").lower()
            if lang.startswith(("zh_tw", "zh_hk", "zh_hant", "zh_mo")) and "zh_TW" in allowed:
                chosen = "zh_TW"
            elif lang.startswith("zh") and "zh_CN" in allowed:
                chosen = "zh_CN"
            elif lang.startswith("en") and "en" in allowed:
                chosen = "en"
            if chosen:
                break
    chosen = chosen or _default()
    g.scm_locale = chosen
    return chosen


@contextlib.contextmanager
def force_locale(locale: str | None):
    """Render in another user's language (mails to reps), then switch back."""
    if not has_request_context() or not locale or locale not in current_app.config["SCM_LOCALES"]:
        yield
        return
    previous = g.get("scm_locale")
    g.scm_locale = locale
    try:
        yield
    finally:
        if previous is None:
            g.pop("scm_locale", None)
        else:
            g.scm_locale = previous


def _default() -> str:
    try:
        return current_app.config["SCM_DEFAULT_LOCALE"]
    except RuntimeError:
        return "zh_CN"


def gettext(text: str, **variables) -> str:
    translated = catalog(current_locale()).ugettext(text)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return catalog(current_locale()).ungettext(singular, plural, num) % variables


def lazy_gettext(text: str, **variables) -> LazyProxy:
    return LazyProxy(gettext, text, enable_cache=False, **variables)


_ = gettext
_l = lazy_gettext


# --- times and numbers --------------------------------------------------------------
def _tz() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config["SCM_TIMEZONE"])
    except RuntimeError:
        return ZoneInfo("Asia/Shanghai")


def to_local(value: dt.datetime) -> dt.datetime:
    """Stored naive UTC → aware local time in SCM_TIMEZONE."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(_tz())


def from_local(value: dt.datetime) -> dt.datetime:
    """A time typed by a user or sent by a client → naive UTC for storage: without an
    offset it is read in SCM_TIMEZONE, with one it is taken as given."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_tz())
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def local_today() -> dt.date:
    return dt.datetime.now(_tz()).date()


def format_datetime(value: dt.datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None:
        return ""
    return babel_dates.format_datetime(to_local(value), fmt, locale=Locale.parse(current_locale()))


def format_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return value.isoformat()


def format_quantity(value) -> str:
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, format="#,##0.####", locale=Locale.parse(current_locale()))
