"""Recipient numbers → what goes to the gateway, with ``phonenumbers`` (no hand regexes).

* Mobiles in mainland China, with or without ``+86`` / ``0086`` / ``86``, spaces, dashes,
  brackets or full-width digits, become their 11 digits: ``+86 138 0013 8000`` →
  ``13800138000``.
* Fixed-line / PHS (小灵通) numbers with an area code are sent as the PHS prefix
  (``SCM_SMS_PHS_PREFIX``, default ``106``) + the area code with its leading 0 + the
  number: ``0755-12345678`` → ``106075512345678``. With an empty prefix such numbers
  cannot receive SMS and are reported so.
* Everything else is reported with a message code, never raised: the rest of a batch
  goes out regardless.
"""
from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

MOBILE = "mobile"
PHS = "phs"

# Characters people type around a number; anything else (letters, 转 for extensions…)
# makes it invalid rather than letting phonenumbers read letters as a keypad.
_SEPARATORS = set(" +-().（）－＋\u3000\u00a0/")


@dataclass(frozen=True)
class Normalised:
    input: str
    number: str | None     # what goes to the gateway
    kind: str | None       # mobile | phs | None
    error: str | None      # a message code when the number cannot receive SMS

    @property
    def ok(self) -> bool:
        return self.error is None


def _digits(text: str) -> str:
    return "".join(str(int(c)) for c in text if c.isdigit())


def normalise(raw: str, phs_prefix: str | None = "106") -> Normalised:
    """One typed number → ``Normalised``. ``phs_prefix`` empty or None: PHS rewrite off."""
    text = (raw or "").strip()
    if not text:
        return Normalised(text, None, None, "phone_empty")
    if any(not c.isdigit() and c not in _SEPARATORS for c in text):
        return Normalised(text, None, None, "phone_invalid")
    digits = _digits(text)
    prefix = (phs_prefix or "").strip()
    plain = not any(c == "+" or c == "＋" for c in text)

    # Already in the gateway's PHS form (106 + 0 + area code + number): accept as typed.
    if prefix and plain and digits.startswith(prefix + "0") and len(digits) > len(prefix) + 9:
        again = _parse(digits[len(prefix):])
        if again is not None and _is_fixed_line(again):
            return _phs(text, again, prefix)

    number = _parse(text)
    if number is None or not phonenumbers.is_valid_number(number):
        if plain and 7 <= len(digits) <= 8 and digits[0] not in "01":
            return Normalised(text, None, None, "area_code_missing")
        if plain and digits.startswith("1") and len(digits) < 11:
            return Normalised(text, None, None, "phone_too_short")
        return Normalised(text, None, None, "phone_invalid")
    if number.country_code != 86:
        return Normalised(text, None, None, "phone_foreign")
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return Normalised(text, phonenumbers.national_significant_number(number), MOBILE, None)
    if _is_fixed_line(number):
        if not prefix:
            return Normalised(text, None, PHS, "phs_disabled")
        return _phs(text, number, prefix)
    return Normalised(text, None, None, "phone_cannot_receive")


def _parse(text: str):
    try:
        return phonenumbers.parse(text, "CN")
    except NumberParseException:
        return None


def _is_fixed_line(number) -> bool:
    return (phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in (PhoneNumberType.FIXED_LINE,
                                                     PhoneNumberType.FIXED_LINE_OR_MOBILE)
            and phonenumbers.length_of_geographical_area_code(number) > 0)


def _phs(text: str, number, prefix: str) -> Normalised:
    # The national significant number starts with the area code without its leading 0.
    nsn = phonenumbers.national_significant_number(number)
    return Normalised(text, f"{prefix}0{nsn}", PHS, None)


def split_numbers(text: str) -> list[str]:
    """Numbers typed into one box: one per line, or separated by , ; 、 ，；."""
    out = []
    for line in (text or "").replace("\r", "\n").splitlines():
        for part in line.replace("，", ",").replace("；", ",").replace(";", ",").replace("、", ",").split(","):
            part = part.strip()
            if part:
                out.append(part)
    return out
