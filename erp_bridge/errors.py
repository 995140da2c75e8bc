"""The bridge's own exceptions.

Nothing above ``erp_bridge`` ever sees a pyodbc exception: every database error is
translated into one of these, carrying the SQLSTATE for logs. ``str()`` of a bridge
error never contains SQL text or the driver's message, so it is safe to surface;
the driver's message stays in ``detail`` for the log.
"""
from __future__ import annotations


class BridgeError(Exception):
    """Base class: a database operation failed."""

    default_message = "database error"

    # True when the error came from the COMMIT itself: the server may have committed
    # before the answer was lost, so "nothing was changed" cannot be promised.
    outcome_unknown = False

    def __init__(self, message: str | None = None, *, sqlstate: str = "", detail: str = ""):
        super().__init__(message or self.default_message)
        self.sqlstate = sqlstate
        self.detail = detail

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}(sqlstate={self.sqlstate!r}, detail={self.detail!r})"


class ConnectionLost(BridgeError):
    """The server went away or could not be reached (restart, network, refused)."""

    default_message = "database connection lost"


class StatementTimeout(BridgeError):
    """A statement ran longer than the configured timeout, or waited too long for a lock."""

    default_message = "database statement timed out"


class TransactionConflict(BridgeError):
    """A deadlock or serialization failure: the transaction was rolled back and may be retried."""

    default_message = "database transaction conflict"


class TransactionAborted(TransactionConflict):
    """An error ended the whole transaction on the server (SQL Server does this for some
    errors whatever the settings): everything since its start is undone, and the bridge
    refuses further statements and the commit in it."""

    default_message = "database transaction rolled back after an error"


class UniqueViolation(BridgeError):
    """An insert or update hit a unique key."""

    default_message = "duplicate key"


class IntegrityViolation(BridgeError):
    """Another constraint (foreign key, not null, check) refused the change."""

    default_message = "constraint violated"


class DataRejected(BridgeError):
    """A value its column cannot take: too long, of the wrong type, out of range."""

    default_message = "value refused by the column"


class MissingObject(BridgeError):
    """A table, column or procedure the statement names is not in the database (the ERP
    differs from its mapping, or init-db has not run): check-erp says which."""

    default_message = "database object missing"


class FormRejected(BridgeError):
    """The ERP refused a review form the plugin wrote; nothing of it was kept.

    ``reason``: not_null | too_long | type | foreign_key | constraint | customer_card |
    allocator | numbering. ``column`` is the physical column when known, ``source`` the
    customer card's column for ``customer_card``."""

    default_message = "the ERP refused the review form"

    def __init__(self, entity: str, table: str, reason: str, *, column: str | None = None,
                 row: int | None = None, source: str | None = None, customer_code: str | None = None,
                 sqlstate: str = "", detail: str = ""):
        super().__init__(f"the ERP refused {table}: {reason}" + (f" ({column})" if column else ""),
                         sqlstate=sqlstate, detail=detail)
        self.entity, self.table, self.reason = entity, table, reason
        self.column, self.row, self.source, self.customer_code = column, row, source, customer_code


class MappingError(BridgeError):
    """The ERP mapping file is malformed or refers to something that does not exist."""

    default_message = "invalid ERP mapping"


class ConfigurationError(BridgeError):
    """The connection string or dialect setting is unusable."""

    default_message = "invalid database configuration"
