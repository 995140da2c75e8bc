"""The SMS text rules, counted as the gateways bill a UCS-2 message.

* At most ``SCM_SMS_MAX_CHARS`` (70) characters, the signature 【…】 included when one is
  configured (``SCM_SMS_SIGNATURE``).
* A Chinese character counts one; a character outside the Basic Multilingual Plane
  (emoji, rare CJK extension characters) counts two, because UCS-2/UTF-16 needs two
  units for it. This is also what ``textarea.value.length`` gives in a browser, so the
  page's live counter and the server agree.
* With a signature set, 【 and 】 may not appear in the body: carriers read them as a
  second signature and refuse or re-sign the message.
* Line breaks count one (``\\r\\n`` from a browser is one line break).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..errors import InvalidInput

STORE_LIMIT = 500          # what the batch table holds, whatever the configured maximum
BRACKETS = ("【", "】")


def units(text: str) -> int:
    """Length as billed: UTF-16 code units."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def unsendable(text: str) -> bool:
    """Control characters (other than line breaks and tabs) and lone surrogates: no phone
    shows them and no database column takes all of them."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in text)


def signature_block(signature: str | None) -> str:
    """``华光光盘`` or ``【华光光盘】`` → ``【华光光盘】``; empty → empty."""
    name = (signature or "").strip().strip("".join(BRACKETS)).strip()
    return f"【{name}】" if name else ""


def budget(signature: str | None, max_chars: int) -> int:
    """Units left for a body once the signature block is counted (``check``'s limit)."""
    return max_chars - units(signature_block(signature))


@dataclass(frozen=True)
class Text:
    body: str          # what the user wrote (cleaned)
    signature: str     # the 【…】 block, or ""
    units: int         # counted with the signature

    @property
    def full(self) -> str:
        """What the recipient's phone shows."""
        return f"{self.signature}{self.body}"


def check(text: str | None, *, signature: str | None, max_chars: int) -> Text:
    """Validate the body; raise ``InvalidInput({"text": code})``."""
    body = clean(text)
    block = signature_block(signature)
    if not body:
        raise InvalidInput({"text": "text_empty"})
    if unsendable(body):
        raise InvalidInput({"text": "text_unsendable"})
    if block and any(b in body for b in BRACKETS):
        raise InvalidInput({"text": "text_brackets"})
    count = units(block) + units(body)
    if units(body) > budget(signature, max_chars) or len(body) > STORE_LIMIT:
        raise InvalidInput({"text": "text_too_long"})
    return Text(body, block, count)
