"""erp_bridge: all SQL of the plugin, reaching every engine through pyodbc.

Knows nothing of Flask. The blueprints and the plugin core use the repository
functions in ``erp_bridge.repos`` and the ``Database`` object; nothing above this
package imports pyodbc or writes SQL.
"""
from .connection import Database, Row, Transaction
from .errors import (BridgeError, ConfigurationError, ConnectionLost, DataRejected, FormRejected,
                     IntegrityViolation, MappingError, MissingObject, StatementTimeout, TransactionAborted, TransactionConflict,
                     UniqueViolation)
from .mapping import Mapping

__all__ = [
    "Database", "Row", "Transaction", "Mapping",
    "BridgeError", "ConfigurationError", "ConnectionLost", "DataRejected", "FormRejected",
    "IntegrityViolation",
    "MappingError", "MissingObject", "StatementTimeout", "TransactionAborted", "TransactionConflict", "UniqueViolation",
]
