"""The plugin's business errors. Services raise them with message *codes*; pages and
the API turn codes into text in the user's language (``messages.py``)."""
from __future__ import annotations


class SCMError(Exception):
    status = 400
    code = "error"
    variables: dict = {}  # filled into the message

    @property
    def message_code(self) -> str:
        """The message that explains it (by default the code itself)."""
        return self.code


class InvalidInput(SCMError):
    """Bad input: ``fields`` maps a field name to a message code. Nothing was changed."""

    status = 400
    code = "invalid_input"

    def __init__(self, fields: dict[str, str], detail: str | None = None):
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields
        self.detail = detail


class NotFound(SCMError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, what: str = "object", code: str | None = None):
        super().__init__(what)
        self.what = what
        if code:
            self.code = code


class Conflict(SCMError):
    """The object's state forbids the change (order no longer pending, policy locked…)."""

    status = 409
    code = "conflict"

    def __init__(self, code: str, detail: str | None = None):
        super().__init__(code)
        self.code = code
        self.detail = detail


class ErpRejected(SCMError):
    """The ERP refused the review form approve wrote; nothing was kept. ``reason`` and the
    facts (table, column, the form field, the customer card's column) fill the message."""

    status = 409
    code = "erp_rejected"

    def __init__(self, reason: str, **facts):
        super().__init__(reason)
        self.reason = reason
        self.facts = facts
        self.variables = {"reason": reason, **{k: "" if v is None else v for k, v in facts.items()}}

    @property
    def message_code(self) -> str:
        return f"erp_rejected_{self.reason}"


class Forbidden(SCMError):
    """The user's role may not use this function."""

    status = 403
    code = "forbidden"


class ConfigError(RuntimeError):
    """The plugin's configuration is missing or wrong; raised at app setup."""
