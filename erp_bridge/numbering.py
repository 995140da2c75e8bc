"""Form-number patterns: how an ERP numbers its review forms.

A pattern is literal text with tokens::

    HTPS{date:%Y%m%d}{seq:4}   HTPS202612030001, HTPS202612030002, … (restarts each day)
    HT{date:%Y%m%d}{id:4}      HT20261203 + the form's database id, at least 4 digits

``{date:FMT}`` is the ERP-local day (``%Y %y %m %d`` only), ``{seq:N}`` a counter of N
digits that restarts whenever the text before it changes, ``{id:N}`` the header's id,
zero-padded to N digits. A pattern has at most one ``{seq}`` or ``{id}``, and it comes
last, so the number is "a prefix, then digits".
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\{(date|seq|id)(?::([^{}]*))?\}")
_DATE_CODES = re.compile(r"%[^Yymd]")
_LITERAL_RE = re.compile(r"^[A-Za-z0-9\-_/.\u0080-\uffff]*$")
# How many digits an {id:N} may need in practice: a 10-digit id covers a BIGINT's
# realistic range; check-erp measures widths with it.
ID_DIGITS = 10


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class FormNoPattern:
    text: str
    parts: tuple[tuple[str, str], ...]  # ("lit", text) | ("date", fmt)
    counter: str | None                 # "seq" | "id" | None
    digits: int

    @classmethod
    def parse(cls, text: str) -> FormNoPattern:
        parts: list[tuple[str, str]] = []
        counter, digits, pos = None, 0, 0
        for m in _TOKEN_RE.finditer(text):
            if counter is not None:
                raise PatternError(f"{{{counter}}} must be the last part of the pattern")
            literal = text[pos:m.start()]
            if literal:
                parts.append(("lit", _literal(literal)))
            name, arg = m.group(1), m.group(2)
            if name == "date":
                if not arg or _DATE_CODES.search(arg.replace("%%", "")):
                    raise PatternError("{date:…} takes %Y, %y, %m and %d only, e.g. {date:%Y%m%d}")
                parts.append(("date", arg))
            else:
                if not arg or not arg.isdigit() or not 1 <= int(arg) <= 12:
                    raise PatternError(f"{{{name}:N}} needs a number of digits from 1 to 12, e.g. {{{name}:4}}")
                counter, digits = name, int(arg)
            pos = m.end()
        rest = text[pos:]
        if rest:
            if counter is not None:
                raise PatternError(f"{{{counter}}} must be the last part of the pattern")
            parts.append(("lit", _literal(rest)))
        if counter is None:
            raise PatternError("a form-number pattern needs {seq:N} or {id:N} to tell forms apart")
        return cls(text, tuple(parts), counter, digits)

    @classmethod
    def from_prefix(cls, prefix: str) -> FormNoPattern:
        """The numbering of ``form_no_prefix``: prefix, day, the form's id."""
        return cls.parse(f"{prefix}{{date:%Y%m%d}}{{id:4}}")

    def prefix(self, day: dt.date) -> str:
        """The text before the counter on ``day``."""
        return "".join(val if kind == "lit" else day.strftime(val) for kind, val in self.parts)

    def render(self, day: dt.date, number: int) -> str:
        digits = str(number).zfill(self.digits)
        if self.counter == "seq" and len(digits) > self.digits:
            raise PatternError(f"the counter of {self.text} has run out of {self.digits} digits")
        return self.prefix(day) + digits

    def width(self) -> int:
        """The longest number this pattern writes (ids counted at ID_DIGITS)."""
        widest = dt.date(2000, 12, 31)
        return len(self.prefix(widest)) + (max(self.digits, ID_DIGITS) if self.counter == "id" else self.digits)

    def seq_of(self, form_no: str, day: dt.date) -> int | None:
        """The counter in a number of this pattern on ``day`` (None if it is not one)."""
        head = self.prefix(day)
        tail = form_no[len(head):] if form_no.startswith(head) else ""
        return int(tail) if tail.isdigit() and len(tail) == self.digits else None


def _literal(text: str) -> str:
    if not _LITERAL_RE.match(text):
        raise PatternError(f"{text!r}: a pattern's text may hold letters, digits and - _ / . only")
    return text
