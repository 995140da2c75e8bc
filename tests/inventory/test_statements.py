"""The statements the stock repositories build at run time (IN lists, the scope filter,
paging), rendered for every dialect and both mappings and parsed with sqlglot; for
SQL Server, which has no server here, also scanned for what 2012+ lacks (the scan of
tests/erp_bridge/test_mssql_sql.py). The named queries are covered there already."""
from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from scm_plugin.erp_bridge import Mapping
from scm_plugin.erp_bridge.dialects import get_dialect
from scm_plugin.erp_bridge.queries import QueryRegistry
from scm_plugin.erp_bridge.repos import customer_stock, inventory
from scm_plugin.erp_bridge.repos.scope import Scope

TESTS = Path(__file__).resolve().parents[1]
SQLGLOT = {"mssql": "tsql", "sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql"}


def _mssql_scan():
    spec = importlib.util.spec_from_file_location("scm_test_mssql_sql", TESTS / "erp_bridge" / "test_mssql_sql.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mssql_lacks


class RecordingTx:
    """Just enough of a Transaction: renders what the repositories send, returns no rows."""

    def __init__(self, dialect, mapping):
        self.dialect, self.mapping = dialect, mapping
        self.bound = QueryRegistry.default().bind(dialect, mapping)
        self.sql: list[str] = []

    def _render(self, query: str) -> str:
        return self.bound.render(query) if any(c.isspace() for c in query) else self.bound.sql(query)

    def all(self, query, *params):
        sql = self._render(query)
        assert sql.count("?") == len(params), sql
        self.sql.append(sql)
        return []

    def one(self, query, *params):
        self.all(query, *params)
        return None

    def page(self, query, params, limit, offset):
        sql, extra = self.dialect.paginate(self._render(query), limit, offset)
        assert sql.count("?") == len(params) + len(extra), sql
        self.sql.append(sql)
        return []

    def execute(self, query, *params):
        self.all(query, *params)
        return 1

    def insert(self, query, *params, id_column="id"):
        self.all(query, *params)
        return 1


@pytest.mark.parametrize("mapping_path", [None, TESTS / "erp_bridge" / "alt_mapping.toml"], ids=["reference", "alt"])
@pytest.mark.parametrize("dialect_name", sorted(SQLGLOT))
def test_built_statements_parse(dialect_name, mapping_path):
    mapping = Mapping.load(mapping_path) if mapping_path else Mapping.default()
    tx = RecordingTx(get_dialect(dialect_name), mapping)
    codes = [f"{1000000 + i}" for i in range(inventory.CHUNK + 3)]  # two IN lists
    now = dt.datetime(2026, 11, 26, 8, 0)
    for key in inventory.KEYS:
        inventory.find_items(tx, key, "1001001", 21)
    inventory.own_stock(tx, codes)
    inventory.supplier_stock(tx, codes)
    inventory.existing_suppliers(tx, ["V001", "V002"])
    inventory.existing_items(tx, codes)
    inventory.supplier_figures(tx, [("V001", "1001001")])
    inventory.set_supplier_figure(tx, "V001", "1001001", Decimal("1.5"), 1, 1, now)
    inventory.insert_import(tx, "x.csv", 1, 1, now)
    inventory.recent_imports(tx)
    inventory.import_by_id(tx, 1)
    inventory.import_rows(tx, 1)
    for scope in (Scope("grants", user_id=1), Scope("customer", user_id=2, customer_code="C001"), Scope.nothing()):
        customer_stock.in_scope_for_items(tx, scope, codes)
    customer_stock.list_for_customer(tx, "C001")
    customer_stock.one(tx, "C001", "1001001")
    customer_stock.set_figure(tx, "C001", "1001001", Decimal(3), None, 1, now)
    customer_stock.history_of_item(tx, "C001", "1001001")
    customer_stock.figures_since(tx, "C001", now)
    assert len(tx.sql) >= 30
    scan = _mssql_scan() if dialect_name == "mssql" else None
    for sql in tx.sql:
        assert "{" not in sql, sql
        parsed = sqlglot.parse(sql, read=SQLGLOT[dialect_name], error_level=ErrorLevel.RAISE)
        assert all(p is not None for p in parsed), sql
        if scan:
            assert scan(sql) == [], sql
