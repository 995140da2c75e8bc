"""A user's customer scope as SQL: the one filter every list, count, export and detail
query applies. Built from the login by the plugin's permission layer, never from
request parameters."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .. import dynamic


@dataclass(frozen=True)
class Scope:
    kind: str                      # grants (reps, admins) | customer (portal users) | none
    user_id: int | None = None
    customer_code: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    # Whether the user holds a valid "*" grant, when the caller has read it (``holds_all``):
    # then the filter is a plain IN (or nothing), which every engine can serve from the
    # customer-code index; an OR of both forms makes them read every row. None: decided
    # inside each query (correct, slower).
    all_customers: bool | None = None

    @classmethod
    def nothing(cls) -> Scope:
        return cls("none")

    def sql(self, column: str) -> tuple[str, list[Any]]:
        """A WHERE condition limiting ``column`` (a customer code) to this scope.
        Constant in size whatever the number of grants (SQL Server allows 2,100 params)."""
        return dynamic.scope_condition(self, column)

    def allows(self, tx, customer_code: str | None) -> bool:
        """Object-level check for one customer code."""
        if not customer_code:
            return False
        if self.kind == "customer":
            return customer_code == self.customer_code
        if self.kind != "grants":
            return False
        return tx.scalar("scope.allows", self.user_id, customer_code, self.today) > 0

    def customers(self, tx) -> list[dict[str, Any]]:
        """The customers in scope, from the ERP's customer table, by code."""
        sql, params = dynamic.customers_in_scope(self)
        return tx.all_sql(sql, *params)


def holds_all(tx, user_id: int, today: dt.date) -> bool:
    """Whether the user holds a "*" grant valid on ``today``."""
    return bool(tx.scalar("scope.holds_all", user_id, today))
