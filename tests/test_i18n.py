"""Translations: every UI string has its Simplified and Traditional Chinese text, and the
compiled catalogs that ship with the package are the ones the .po files describe.

The checks are scripts/i18n.py's own (`python scripts/i18n.py check`); when this fails
after adding UI text, run `python scripts/i18n.py`, translate the new zh_CN entries,
run it again and commit the catalogs.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from scm_plugin import i18n

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("scm_i18n_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_ui_string_is_translated_and_compiled(tool):
    problems = tool.check()
    assert not problems, "run `python scripts/i18n.py`:\n" + "\n".join(problems)


def test_no_gettext_call_that_can_never_match(tool):
    errors, _notes = tool.dynamic_calls()
    assert not errors, "\n".join(errors)


def test_extraction_sees_every_kind_of_call(tool, tmp_path, monkeypatch):
    """_l/lazy_gettext/ngettext in Python and _/gettext/ngettext in templates all land."""
    (tmp_path / "scm_plugin").mkdir()
    (tmp_path / "blueprints" / "x").mkdir(parents=True)
    (tmp_path / "templates" / "scm").mkdir(parents=True)
    (tmp_path / "scm_plugin" / "web.py").write_text(
        'Function(1, "m", "m.e", "Menu label", ("rep",), "*")\n', encoding="utf-8")
    (tmp_path / "blueprints" / "x" / "forms.py").write_text(
        'A = _l("lazy one")\nB = lazy_gettext("lazy two")\nC = gettext("plain")\n'
        'D = ngettext("%(num)d order", "%(num)d orders", n)\nE = _("underscore")\n',
        encoding="utf-8")
    (tmp_path / "templates" / "scm" / "p.html").write_text(
        "{{ _(\"tpl double\") }} {{ _('tpl single') }} {{ gettext('tpl gettext') }}"
        "{{ ngettext('%(num)d alarm', '%(num)d alarms', n) }}", encoding="utf-8")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in tool.extract() if m.id}
    assert ids == {"Menu label", "lazy one", "lazy two", "plain", "%(num)d order", "underscore",
                   "tpl double", "tpl single", "tpl gettext", "%(num)d alarm"}


def test_check_names_the_offenders(tool, tmp_path, monkeypatch):
    """A copy of the catalogs with an empty zh_CN msgstr, a lost placeholder in zh_TW and
    a missing en entry: check lists each of them and the now stale .mo."""
    shutil.copytree(tool.TRANSLATIONS, tmp_path / "translations")
    monkeypatch.setattr(tool, "TRANSLATIONS", tmp_path / "translations")
    monkeypatch.setattr(tool, "POT", tmp_path / "translations" / "scm.pot")

    def edit(locale, fn):
        catalog = tool.read_catalog(tool.po_path(locale), locale)
        fn(catalog)
        tool.po_path(locale).write_bytes(tool._po_bytes(catalog))

    locked = "Too many failed attempts. This account is locked until %(until)s."
    edit("zh_CN", lambda c: setattr(c.get("Customer Business Management"), "string", ""))
    edit("zh_TW", lambda c: setattr(c.get(locked), "string", "帳號已鎖定。"))
    edit("en", lambda c: c.delete("Send SMS"))

    report = "\n".join(tool.check())
    assert "zh_CN/LC_MESSAGES/scm.po: not translated 'Customer Business Management'" in report
    assert f"zh_TW/LC_MESSAGES/scm.po: placeholders differ in {locked!r}" in report
    assert "en/LC_MESSAGES/scm.po: missing msgid 'Send SMS'" in report
    assert "zh_CN/LC_MESSAGES/scm.mo does not match its .po" in report

    tool.compile_catalogs()
    report = "\n".join(tool.check())
    assert "scm.mo does not match" not in report
    assert "not translated 'Customer Business Management'" in report


@pytest.mark.parametrize("locale, expected", [
    ("zh_CN", "客户业务管理"),
    ("zh_TW", "客戶業務管理"),
    ("en", "Customer Business Management"),
])
def test_shipped_catalogs_translate_the_module_name(locale, expected):
    assert i18n.catalog(locale).ugettext("Customer Business Management") == expected


def test_menu_uses_the_function_names_users_know():
    from scm_plugin.blueprints import declared_modules

    FUNCTIONS = sorted((e for m in declared_modules() for e in m.menu), key=lambda e: e.number)

    zh_cn = [i18n.catalog("zh_CN").ugettext(f.label) for f in FUNCTIONS]
    assert zh_cn == ["销售订单审核", "样板订单审核", "订单策略管理", "样板单策略管理", "库存查询",
                     "客户库存维护", "客户意见接收处理", "资料上传", "发送短信"]
    zh_tw = [i18n.catalog("zh_TW").ugettext(f.label) for f in FUNCTIONS]
    assert zh_tw == ["銷售訂單審核", "樣板訂單審核", "訂單策略管理", "樣板單策略管理", "庫存查詢",
                     "客戶庫存維護", "客戶意見接收處理", "資料上傳", "發送簡訊"]


def test_placeholders_survive_translation():
    text = "Too many failed attempts. This account is locked until %(until)s."
    locked = i18n.catalog("zh_TW").ugettext(text) % {"until": "2026-01-02 08:00"}
    assert locked == "登入失敗次數過多，此帳號已鎖定至 2026-01-02 08:00。"
