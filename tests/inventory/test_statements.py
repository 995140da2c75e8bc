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

    # named queries and SQL text, as Transaction tells them apart: by the method
    def all(self, name, *params):
        return self._record(self.bound.sql(name), params)

    def all_sql(self, sql, *params):
        return self._record(self.bound.render(sql), params)

    def _record(self, sql, params):
        assert sql.count("?") == len(params), sql
        self.sql.append(sql)
        return []

    def one(self, name, *params):
        self.all(name, *params)
        return None

    def one_sql(self, sql, *params):
        self.all_sql(sql, *params)
        return None

    def page(self, name, params, limit, offset):
        return self._record_page(self.bound.sql(name), params, limit, offset)

    def page_sql(self, sql, params, limit, offset):
        return self._record_page(self.bound.render(sql), params, limit, offset)

    def _record_page(self, sql, params, limit, offset):
        sql, extra = self.dialect.paginate(sql, limit, offset)
        return self._record(sql, [*params, *extra])

    def execute(self, name, *params):
        self.all(name, *params)
        return 1

    def insert(self, name, *params, id_column="id"):
        self.all(name, *params)
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
