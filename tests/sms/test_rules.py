"""The business rules of 发送短信 on their own: numbers as the gateway gets them, and the
70-character rule with the signature counted."""
from __future__ import annotations

import pytest

from scm_plugin.errors import InvalidInput
from scm_plugin.sms import numbers, text

# input, with the PHS rewrite (prefix 106), with it switched off (prefix "")
NUMBERS = [
    # mobile variants
    ("13800138000", ("13800138000", "mobile", None), ("13800138000", "mobile", None)),
    ("+86 138 0013 8000", ("13800138000", "mobile", None), ("13800138000", "mobile", None)),
    ("0086-137-0021-3344", ("13700213344", "mobile", None), ("13700213344", "mobile", None)),
    ("86 13800138000", ("13800138000", "mobile", None), ("13800138000", "mobile", None)),
    ("138-0013-8000", ("13800138000", "mobile", None), ("13800138000", "mobile", None)),
    ("１３８００１３８０００", ("13800138000", "mobile", None), ("13800138000", "mobile", None)),
    (" 199 1234 5678 ", ("19912345678", "mobile", None), ("19912345678", "mobile", None)),
    # PHS / fixed line with area code → 106 + area code (with its 0) + number
    ("0755-12345678", ("106075512345678", "phs", None), (None, "phs", "phs_disabled")),
    ("(0755) 1234 5678", ("106075512345678", "phs", None), (None, "phs", "phs_disabled")),
    ("021-55667788", ("10602155667788", "phs", None), (None, "phs", "phs_disabled")),
    ("+86 10 8888 6666", ("10601088886666", "phs", None), (None, "phs", "phs_disabled")),
    ("106075512345678", ("106075512345678", "phs", None), (None, None, "phone_invalid")),
    # without area code, garbage, too short, not mainland China, cannot receive
    ("55667788", (None, None, "area_code_missing"), (None, None, "area_code_missing")),
    ("abc", (None, None, "phone_invalid"), (None, None, "phone_invalid")),
    ("1-800-FLOWERS", (None, None, "phone_invalid"), (None, None, "phone_invalid")),
    ("138 0013 8000 转 12", (None, None, "phone_invalid"), (None, None, "phone_invalid")),
    ("1380013", (None, None, "phone_too_short"), (None, None, "phone_too_short")),
    ("010-1234567", (None, None, "phone_invalid"), (None, None, "phone_invalid")),
    ("+8613800138000123", (None, None, "phone_invalid"), (None, None, "phone_invalid")),
    ("+852 9123 4567", (None, None, "phone_foreign"), (None, None, "phone_foreign")),
    ("400-810-8888", (None, None, "phone_cannot_receive"), (None, None, "phone_cannot_receive")),
    ("", (None, None, "phone_empty"), (None, None, "phone_empty")),
]


@pytest.mark.parametrize("raw, with_phs, without_phs", NUMBERS, ids=[n[0] or "empty" for n in NUMBERS])
def test_numbers(raw, with_phs, without_phs):
    for prefix, expected in (("106", with_phs), ("", without_phs)):
        n = numbers.normalise(raw, prefix)
        assert (n.number, n.kind, n.error) == expected, (raw, prefix)
        assert n.ok == (expected[2] is None)


def test_another_phs_prefix():
    assert numbers.normalise("0755-12345678", "12520").number == "12520075512345678"


def test_typed_lists_are_split_on_lines_and_separators():
    assert numbers.split_numbers("138 0013 8000, 0755-12345678\r\n13900001111；13600001111、 \n\n") == [
        "138 0013 8000", "0755-12345678", "13900001111", "13600001111"]


# --- the text -----------------------------------------------------------------------------------
def _check(body, signature="", max_chars=70):
    return text.check(body, signature=signature, max_chars=max_chars)


def _refused(body, signature="", max_chars=70):
    with pytest.raises(InvalidInput) as exc:
        _check(body, signature, max_chars)
    return exc.value.fields["text"]


def test_seventy_characters_pass_seventy_one_do_not():
    assert _check("货" * 70).units == 70
    assert _refused("货" * 71) == "text_too_long"
    assert _check("a" * 70).units == 70          # ASCII counts one too (UCS-2)


def test_the_signature_counts():
    sig = "华光光盘"                                  # 【华光光盘】 is six characters
    ok = _check("货" * 64, sig)
    assert ok.units == 70 and ok.full == "【华光光盘】" + "货" * 64
    assert _refused("货" * 65, sig) == "text_too_long"
    assert _check("货" * 64, "【华光光盘】").signature == "【华光光盘】"   # configured with brackets


def test_emoji_count_two():
    assert text.units("订单已发货😀") == 7
    assert _check("货" * 68 + "😀").units == 70
    assert _refused("货" * 69 + "😀") == "text_too_long"


def test_brackets_are_refused_only_with_a_signature():
    assert _refused("【通知】订单已发货", "华光光盘") == "text_brackets"
    assert _refused("订单已发货】", "华光光盘") == "text_brackets"
    assert _check("【通知】订单已发货").body == "【通知】订单已发货"


def test_empty_text_and_line_breaks():
    assert _refused("   \r\n ") == "text_empty"
    assert _check("第一行\r\n第二行").body == "第一行\n第二行"      # a browser's line break counts one
    assert _check("第一行\r\n第二行").units == 7


def test_configured_maximum():
    assert _check("a" * 140, max_chars=140).units == 140
    assert _refused("a" * 141, max_chars=140) == "text_too_long"


def test_control_characters_and_lone_surrogates_are_refused():
    assert _refused("发货\x00") == "text_unsendable"
    assert _refused("发货\ud800") == "text_unsendable"
    assert _check("发货\t通知").body == "发货\t通知"
