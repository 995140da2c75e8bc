"""Every statement the bridge can issue, rendered per dialect and parsed with sqlglot.

SQL Server itself cannot run here, and the ``mssql`` engine (a T-SQL server given by
SCM_TEST_MSSQL_DSN, docs/sql-server.md) is absent from CI, so this is the check CI always
runs: each statement — every named
query in the registry (new ``.sql`` files are picked up by themselves), the DDL of the
reference ERP schema under both mappings and of every migration, the statements the
bridge builds itself (seed inserts, migration bookkeeping, connection setup, new-row
ids, paging, the write lock), every builder of ``dynamic.py`` in each of its shapes —
must parse as T-SQL and use nothing SQL Server 2012+ lacks. sqlglot is lenient (it
accepts ``LIMIT`` under tsql), so the construct check is a token scan of our own,
outside string literals, comments and quoted identifiers.

The other three dialects run for real in the rest of the suite; parsing them here too
catches template mistakes in queries no test has executed yet.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from scm_plugin.erp_bridge import Database, Mapping, dynamic, erp_schema, migrations
from scm_plugin.erp_bridge.dialects import get_dialect
from scm_plugin.erp_bridge.mapping import IdAllocator
from scm_plugin.erp_bridge.model import ENTITIES
from scm_plugin.erp_bridge.queries import QueryRegistry
from scm_plugin.erp_bridge.repos.scope import Scope

ALT_MAPPING_PATH = Path(__file__).with_name("alt_mapping.toml")

SQLGLOT = {"mssql": "tsql", "sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql"}
REGISTRY = QueryRegistry.default()
# Execute: T-SQL's EXEC of a procedure (sp_getapplock), parsed with its arguments.
STATEMENT_TYPES = (exp.Query, exp.DML, exp.DDL, exp.Alter, exp.Drop, exp.Set, exp.Pragma, exp.Declare, exp.Execute)


# --- what SQL Server 2012+ lacks, found token by token ---------------------------------------

_LEXEME = re.compile(r"""
      (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>N?'(?:[^']|'')*')
    | (?P<bracket>\[(?:[^\]]|\]\])*\])
    | (?P<dquoted>"(?:[^"]|"")*")
    | (?P<word>[A-Za-z_@#][A-Za-z0-9_@#$]*)
    | (?P<op>::|\|\||`|[^\sA-Za-z0-9_])
    | (?P<other>\S)
""", re.S | re.X)

_BAD_WORDS = {
    "LIMIT": "LIMIT", "RETURNING": "RETURNING", "ILIKE": "ILIKE", "SERIAL": "SERIAL",
    "BIGSERIAL": "SERIAL", "AUTO_INCREMENT": "AUTO_INCREMENT", "AUTOINCREMENT": "AUTO_INCREMENT",
    "BOOLEAN": "BOOLEAN", "BOOL": "BOOLEAN", "TRUE": "TRUE/FALSE literal", "FALSE": "TRUE/FALSE literal",
    "TIMESTAMP": "TIMESTAMP (rowversion in T-SQL)", "DOUBLE": "DOUBLE", "GREATEST": "GREATEST",
    "LEAST": "LEAST", "STRING_AGG": "STRING_AGG (2017)", "CONCAT_WS": "CONCAT_WS (2017)", "TRIM": "TRIM (2017)",
    "REGEXP": "REGEXP", "PRAGMA": "PRAGMA",
}
_BAD_SEQUENCES = [
    (("FOR", "UPDATE"), "FOR UPDATE"),
    (("ON", "CONFLICT"), "ON CONFLICT"),
    (("ON", "DUPLICATE", "KEY"), "ON DUPLICATE KEY"),
    (("NULLS", "FIRST"), "NULLS FIRST/LAST"),
    (("NULLS", "LAST"), "NULLS FIRST/LAST"),
    (("IF", "NOT", "EXISTS"), "IF NOT EXISTS"),
    (("INSERT", "OR"), "INSERT OR …"),
    (("SKIP", "LOCKED"), "SKIP LOCKED"),
]
_BAD_OPS = {"::": ":: cast", "||": "|| concatenation", "`": "backtick"}


def tokens(sql: str) -> list[tuple[str, str]]:
    """(kind, text) outside comments; strings and quoted identifiers become one token each."""
    out = []
    for m in _LEXEME.finditer(sql):
        kind = m.lastgroup
        if kind != "comment":
            out.append((kind, m.group()))
    return out


def mssql_lacks(sql: str) -> list[str]:
    """The constructs in ``sql`` that SQL Server 2012+ does not have."""
    found = []
    toks = tokens(sql)
    words = [t.upper() if k == "word" else None for k, t in toks]
    for kind, text in toks:
        if kind == "op" and text in _BAD_OPS:
            found.append(_BAD_OPS[text])
        elif kind == "word" and text.upper() in _BAD_WORDS:
            found.append(_BAD_WORDS[text.upper()])
    for seq, name in _BAD_SEQUENCES:
        n = len(seq)
        if any(tuple(words[i:i + n]) == seq for i in range(len(words) - n + 1)):
            found.append(name)
    if "GENERATED" in words and "IDENTITY" in words[words.index("GENERATED"):]:
        found.append("GENERATED … AS IDENTITY")
    if ("OFFSET" in words or "FETCH" in words) and not _has_sequence(words, ("ORDER", "BY")):
        found.append("OFFSET/FETCH without ORDER BY")
    return sorted(set(found))


def _has_sequence(words: list, seq: tuple) -> bool:
    return any(tuple(words[i:i + len(seq)]) == seq for i in range(len(words) - len(seq) + 1))


@pytest.mark.parametrize("sql,expected", [
    ("SELECT a FROM t LIMIT 10", ["LIMIT"]),
    ("INSERT INTO t (a) VALUES (1) RETURNING id", ["RETURNING"]),
    ("SELECT a::int FROM t", [":: cast"]),
    ("SELECT a FROM t WHERE b ILIKE 'x%'", ["ILIKE"]),
    ("SELECT a FROM t WHERE id = 1 FOR UPDATE", ["FOR UPDATE"]),
    ("SELECT a FROM t FOR UPDATE SKIP LOCKED", ["FOR UPDATE", "SKIP LOCKED"]),
    ("SELECT `a` FROM `t`", ["backtick"]),
    ("CREATE TABLE t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY)", ["AUTO_INCREMENT"]),
    ("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", ["AUTO_INCREMENT"]),
    ("CREATE TABLE t (ok BOOLEAN)", ["BOOLEAN"]),
    ("CREATE TABLE t (id SERIAL)", ["SERIAL"]),
    ("CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY)", ["GENERATED … AS IDENTITY"]),
    ("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO NOTHING", ["ON CONFLICT"]),
    ("SELECT a || b FROM t", ["|| concatenation"]),
    ("SELECT a FROM t WHERE ok = TRUE", ["TRUE/FALSE literal"]),
    ("CREATE TABLE t (at TIMESTAMP)", ["TIMESTAMP (rowversion in T-SQL)"]),
    ("SELECT a FROM t OFFSET 0 ROWS FETCH NEXT 1 ROWS ONLY", ["OFFSET/FETCH without ORDER BY"]),
    # Inside strings, comments and quoted identifiers these are just text.
    ("SELECT [LIMIT], 'a || b :: c `d` FOR UPDATE' FROM t -- RETURNING\nWHERE x = N'ILIKE' /* SERIAL */", []),
    ("SELECT [order] FROM [for update] WHERE [a]]b] = 'it''s LIMIT'", []),
    ("SELECT CURRENT_TIMESTAMP, a FROM t ORDER BY a OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", []),
])
def test_the_construct_scan_itself(sql, expected):
    assert mssql_lacks(sql) == sorted(expected)


# --- every statement, rendered per dialect -------------------------------------------------------

class _Cursor:
    """Records what the bridge sends; answers 0 to every SELECT and "absent" to the catalog."""

    def __init__(self, log: list[str]):
        self.log = log
        self.description = None
        self.rowcount = 0
        self._rows: list[tuple] = []

    def execute(self, sql: str, params: Any = ()):
        self.log.append(sql)
        if re.search(r"\b(SELECT|RETURNING)\b", sql, re.I):
            # one row of 0, its column named as the statement names its first column
            first = re.search(r"\bSELECT\s+(?:TOP\s+\d+\s+)?([\w.]+)(?:\s+AS\s+(\w+))?", sql, re.I)
            name = (first.group(2) or first.group(1).rsplit(".", 1)[-1]) if first else "v"
            self.description = [(name, int, None, None, None, None, True)]
            self._rows = [(0,)]
        else:
            self.description, self._rows = None, []
        return self

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def nextset(self):
        return False

    def columns(self, **kw):
        return _Empty()

    def statistics(self, *a, **kw):
        return _Empty()

    def close(self):
        pass


class _Empty:
    def fetchall(self):
        return []

    def __iter__(self):
        return iter(())


class _Connection:
    def __init__(self, log: list[str]):
        self.log = log
        self.timeout = 0
        self.autocommit = False

    def cursor(self):
        return _Cursor(self.log)

    def commit(self):
        pass

    def rollback(self):
        pass

    def close(self):
        pass

    def setencoding(self, **kw):
        pass

    def setdecoding(self, *a, **kw):
        pass


class RecordingDatabase(Database):
    """A Database whose connections only record the SQL they are given."""

    def __init__(self, dialect_name: str, mapping: Mapping):
        super().__init__("DRIVER={FreeTDS};SERVER=0.0.0.0", mapping, dialect=dialect_name)
        self.log: list[str] = []

    def _connect(self):
        cnxn = _Connection(self.log)
        self.dialect.on_connect(cnxn, self.statement_timeout)
        return cnxn


def _mappings() -> dict[str, Mapping]:
    return {"reference": Mapping.default(), "alt": Mapping.load(ALT_MAPPING_PATH)}


@lru_cache(maxsize=None)
def bridge_statements(dialect_name: str) -> tuple[tuple[str, str], ...]:
    """(where it came from, SQL) for everything the bridge itself builds and runs."""
    out: list[tuple[str, str]] = []
    for mname, mapping in _mappings().items():
        db = RecordingDatabase(dialect_name, mapping)
        dialect = db.dialect

        def take(label: str) -> None:
            out.extend((f"{mname}:{label}", sql) for sql in db.log)
            db.log.clear()

        db._release(db._connect())
        take("on_connect")
        erp_schema.create_reference_schema(db)
        take("create_reference_schema")
        erp_schema.load_seed(db, erp_schema.reference_seed())
        take("load_seed")
        erp_schema.has_erp_data(db)
        erp_schema.check_erp(db)
        take("check_erp")
        migrations.upgrade(db)
        take("migrations.upgrade")
        migrations.current_version(db)
        take("migrations.current_version")
        with db.transaction(write=True) as tx:
            tx.execute_sql("UPDATE {stock} SET {stock.quantity} = {stock.quantity} + ? WHERE {stock.inventory_code} = ?",
                           1, "x")
        take("write transaction")
        with db.transaction(write=True) as tx:  # a locking read: on mssql its claim first
            tx.all("orders.lock_by_no", "WEB-1")
        take("locking read")
        for table in erp_schema.reference_tables(db):
            out.append((f"{mname}:drop_table", dialect.drop_table(table.name)))
        # check-erp's catalog query for columns the engine numbers itself (identity …).
        for table in (mapping.table("contract_review"), f"dbo.{mapping.table('contract_review_line')}"):
            sql, params = dialect.auto_id_sql(table)
            assert sql.count("?") == len(params), sql
            out.append((f"{mname}:auto_id_sql", sql))
        # Paging, first-row and new-row-id forms of every registered query that can take them.
        bound = REGISTRY.bind(dialect, mapping)
        for name in REGISTRY.names():
            sql = bound.sql(name)
            if re.match(r"\s*SELECT\b", sql, re.I) and re.search(r"\bORDER\s+BY\b", sql, re.I):
                out.append((f"{mname}:paginate({name})", dialect.paginate(sql, 20, 40)[0]))
                out.append((f"{mname}:limit_one({name})", dialect.limit_one(sql)))
            if re.match(r"\s*INSERT\b", sql, re.I) and hasattr(dialect, "insert_returning_sql"):
                out.append((f"{mname}:insert_returning_sql({name})", dialect.insert_returning_sql(sql, "id")))
    return tuple(out)


def _problems(dialect_name: str, sql: str) -> list[str]:
    problems = []
    if re.search(r"\{[:a-z_]", sql):
        problems.append("an unrendered {token}")
    try:
        parsed = sqlglot.parse(sql, read=SQLGLOT[dialect_name], error_level=ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        problems.append(f"does not parse: {str(exc).splitlines()[0]}")
    else:
        for node in parsed:
            if node is not None and not isinstance(node, STATEMENT_TYPES):
                problems.append(f"parses only as {type(node).__name__}, not as a statement")
    if dialect_name == "mssql":
        problems += [f"SQL Server lacks {c}" for c in mssql_lacks(sql)]
    return problems


@pytest.mark.parametrize("dialect_name", sorted(SQLGLOT))
@pytest.mark.parametrize("mapping_name", ["reference", "alt"])
@pytest.mark.parametrize("query_name", REGISTRY.names())
def test_registered_query(query_name, mapping_name, dialect_name):
    sql = REGISTRY.bind(get_dialect(dialect_name), _mappings()[mapping_name]).sql(query_name)
    assert _problems(dialect_name, sql) == [], sql


@pytest.mark.parametrize("dialect_name", sorted(SQLGLOT))
def test_statements_the_bridge_builds(dialect_name):
    statements = bridge_statements(dialect_name)
    labels = {label.split(":", 1)[1].split("(")[0] for label, _ in statements}
    # The recording really saw each kind of statement (a silent no-op would pass anything).
    assert {"create_reference_schema", "load_seed", "migrations.upgrade", "drop_table", "paginate",
            "limit_one"} <= labels
    n_tables = len(migrations.plugin_tables())
    assert sum(sql.lstrip().upper().startswith("CREATE TABLE") for _, sql in statements) >= n_tables
    failures = [f"{label}: {problem}\n    {sql}" for label, sql in statements
                for problem in _problems(dialect_name, sql)]
    assert failures == [], "\n".join(failures)


def test_mssql_new_row_ids_survive_triggers():
    """SCOPE_IDENTITY() in the INSERT's batch (a trigger's own inserts do not change it);
    no OUTPUT (refused on tables with triggers), no table variable (docs/sql-server.md)."""
    d = get_dialect("mssql")
    batch = d.insert_returning_sql("INSERT INTO [HT_ContractReview] ([cFormNo], [cCusCode]) VALUES (?, ?)", "ID")
    assert batch.endswith("; SELECT CAST(SCOPE_IDENTITY() AS BIGINT) AS id")
    assert "OUTPUT" not in batch and "@" not in batch
    assert _problems("mssql", batch) == []


def _keyed_columns() -> list[tuple[str, str, str]]:
    """(table, index or key, column type kind) of every key and index the bridge creates."""
    tables = {}
    for mapping in _mappings().values():
        db = RecordingDatabase("mssql", mapping)
        tables.update({t.name: t for t in erp_schema.reference_tables(db)})
    keyed = []

    class Ops:  # records into copies: the migrations' Table objects stay untouched
        def create_table(self, table):
            tables[table.name] = dataclasses.replace(table, columns=list(table.columns),
                                                     indexes=list(table.indexes))

        def add_column(self, table, column):
            tables[table].columns.append(column)

        def create_index(self, table, index):
            tables[table].indexes.append(index)

        def ensure_row(self, table, key, values=None):
            pass  # rows, not schema

    Ops().create_table(migrations.VERSION_TABLE)
    for mod in migrations.migration_modules():
        mod.upgrade(Ops())
    for table in tables.values():
        kinds = {c.name: c.type.kind for c in table.columns}
        keyed += [(table.name, "primary key", kinds[c]) for c in table.primary_key]
        keyed += [(table.name, ix.name, kinds[c]) for ix in table.indexes for c in ix.columns]
    return keyed


def test_no_key_or_index_on_a_text_column():
    """SQL Server cannot index NVARCHAR(MAX) and MariaDB cannot index MEDIUMTEXT without a
    prefix length: keys and indexes use bounded strings."""
    keyed = _keyed_columns()
    assert len(keyed) > 30
    assert [k for k in keyed if k[2] == "text"] == []


# --- statements built at run time (dynamic.py) ---------------------------------------------------

_SCOPES = [Scope("grants", user_id=3), Scope("grants", user_id=3, all_customers=True),
           Scope("grants", user_id=3, all_customers=False), Scope("customer", user_id=4, customer_code="C001"),
           Scope.nothing()]
_AT = dt.datetime(2026, 5, 1, 8, 0)


def _orders(scope: Scope, given: bool) -> tuple[list[str], list]:
    keys = ("kind", "status", "customer_code", "order_no", "contract_no", "customer_part_no", "inventory_code")
    filters = {k: ("sales" if k == "kind" else "pending" if k == "status" else "X1") if given else None
               for k in keys}
    return dynamic.order_filter(scope, **filters, date_from=_AT if given else None, date_to=_AT if given else None)


def _built(mapping: Mapping, dialect) -> list[tuple[str, dynamic.Statement]]:
    """(builder, statement) of every builder in dynamic.py in each of its shapes: every
    scope, all optional filters and none, each sort and both directions."""
    out: list[tuple[str, dynamic.Statement]] = []

    def add(name: str, *statements: dynamic.Statement) -> None:
        out.extend((name, st) for st in statements)

    def sorts(allowed: dict[str, str]):
        """Each sort once, and the first one in both directions."""
        return [(sort, True) for sort in allowed] + [(next(iter(allowed)), False)]

    codes, ids = ["1001001", "1001002", "1001003"], [1, 2, 3]
    for scope in _SCOPES:
        add("customers_in_scope", dynamic.customers_in_scope(scope))
        add("pending_counts", dynamic.pending_counts(scope))
        add("customer_prefs", dynamic.customer_prefs(scope))
        add("open_alarm_count", dynamic.open_alarm_count(scope))
        add("customer_stock_of_items", dynamic.customer_stock_of_items(scope, codes))
        add("feedback_status_counts", dynamic.feedback_status_counts(scope))
        add("document_targets_in_scope", dynamic.document_targets_in_scope(scope, 5))
        add("document_targets_outside", dynamic.document_targets_outside(scope, 5))
        add("document_targets", dynamic.document_targets(scope, ids))
        add("sms_batch_visible", dynamic.sms_batch_visible(scope, 3, 9))
        for given in (False, True):
            where, params = _orders(scope, given)
            for sort, descending in sorts(dynamic.ORDER_SORTS):
                add("order_search", *dynamic.order_search(where, params, placed_after=_AT if given else None,
                                                          sort=sort, descending=descending))
            for sort, descending in sorts(dynamic.POLICY_SEARCH_SORTS):
                add("policy_search", *dynamic.policy_search(where, params, policy_state=None, sort=sort,
                                                            descending=descending))
            for state in ("alarm", "active", "none"):
                add("policy_search", *dynamic.policy_search(where, params, policy_state=state, sort="placed_at",
                                                            descending=True))
            for sort, descending in sorts(dynamic.ALARM_SORTS):
                add("alarm_list", *dynamic.alarm_list(
                    scope, status="open" if given else None, level="alarm" if given else None,
                    kind="sales" if given else None, customer_code="C001" if given else None,
                    order_no="S1" if given else None, sort=sort, descending=descending))
            for sort, descending in sorts(dynamic.FEEDBACK_SORTS):
                add("feedback_search", *dynamic.feedback_search(
                    scope, public_only=given, fb_type="complaint" if given else None, status="new" if given else None,
                    customer_code="C001" if given else None, date_from=_AT if given else None,
                    date_to=_AT if given else None, sort=sort, descending=descending))
            for state, (sort, descending) in [(None, s) for s in sorts(dynamic.DOCUMENT_SORTS)] + [
                    ("current", ("created_at", True)), ("expired", ("created_at", True))]:
                add("document_search", *dynamic.document_search(
                    scope, now=_AT, customer_code="C001" if given else None, state=state,
                    date_from=_AT if given else None, date_to=_AT if given else None, sort=sort,
                    descending=descending))
            add("outbox_listing", *dynamic.outbox_listing(scope, "pending" if given else None))
            add("sms_batches", *dynamic.sms_batches(scope, 3, source="manual" if given else None,
                                                    created_after=_AT if given else None,
                                                    created_before=_AT if given else None))
            add("sms_contacts", dynamic.sms_contacts(scope, search="50%_!" if given else None,
                                                     customer_code="C001" if given else None))
    add("checkpoint_details", dynamic.checkpoint_details(ids))
    add("mark_met", dynamic.mark_met(ids, _AT))
    add("stock_of_items", dynamic.stock_of_items(codes))
    add("supplier_stock_of_items", dynamic.supplier_stock_of_items(codes))
    add("suppliers_by_code", dynamic.suppliers_by_code(codes))
    add("items_by_code", dynamic.items_by_code(codes))
    add("item_cards", dynamic.item_cards(codes))
    add("customer_parts_of_items", dynamic.customer_parts_of_items("C001", codes))
    add("supplier_figures", dynamic.supplier_figures(codes))
    add("sms_status_counts", dynamic.sms_status_counts(ids))
    # progress named by the form number (the mapping's own) and by the form's contract number
    by_contract = Mapping(dict(mapping.entities, progress=dataclasses.replace(mapping.entities["progress"],
                                                                              order_ref_is="contract_no")))
    for m in (mapping, by_contract):
        add("evaluate_checkpoints", dynamic.evaluate_checkpoints(m, first_id=1, last_id=9, policy_lo=0,
                                                                 policy_hi=2 ** 62, at=_AT, warn=_AT))
        add("progress_ref_of_order", dynamic.progress_ref_of_order(m, 7))
    for entity in mapping.entities:
        values = dict.fromkeys(ENTITIES[entity].fields, 1)
        add("insert_mapped", dynamic.insert_mapped(mapping, dialect, entity, values))
    allocator = IdAllocator("UA_Identity", "iFatherId", {"cAcc_Id": "001", "cVouchType": "HTPS"})
    add("allocate_ids", *dynamic.allocate_ids(dialect, allocator, 3))
    for entity in ("contract_review", "sample_review"):
        add("max_id", dynamic.max_id(entity))
        add("highest_form_no", dynamic.highest_form_no(entity, "HT_20261203", 4))
    add("customer_card", dynamic.customer_card(dialect, ["cCusDepart", "cCusPPerson"], "C001"))
    for table in ("UA_Identity", "dbo.UA Identity"):
        add("allocator_rows", dynamic.allocator_rows(dialect, table, {"cAcc_Id": "001", "cVouchType": "HT"}),
            dynamic.allocator_rows(dialect, table, {"iYear": 2026}))
    return out


def _builders() -> set[str]:
    """The public functions of dynamic.py that return a whole statement."""
    return {name for name, fn in inspect.getmembers(dynamic, inspect.isfunction)
            if fn.__module__ == dynamic.__name__ and not name.startswith("_")
            and "Statement" in str(fn.__annotations__.get("return"))}


@pytest.mark.parametrize("dialect_name", sorted(SQLGLOT))
@pytest.mark.parametrize("mapping_name", ["reference", "alt"])
def test_statements_built_at_run_time(mapping_name, dialect_name):
    """Every builder, every shape: one ``?`` per parameter, and the rendered statement (and
    its paged form) parses for the dialect; for SQL Server, nothing 2012+ lacks."""
    mapping, dialect = _mappings()[mapping_name], get_dialect(dialect_name)
    bound = REGISTRY.bind(dialect, mapping)
    built = _built(mapping, dialect)
    assert {name for name, _ in built} == _builders()  # a new builder gets its shapes above
    failures = []
    for name, statement in built:
        sql = bound.render(statement.sql)
        if sql.count("?") != len(statement.params):
            failures.append(f"{name}: {sql.count('?')} marks, {len(statement.params)} parameters\n    {sql}")
        forms = [sql]
        if re.match(r"\s*SELECT\b", sql, re.I) and re.search(r"\bORDER\s+BY\b", sql, re.I):
            forms.append(dialect.paginate(sql, 20, 40)[0])
        failures += [f"{name}: {problem}\n    {form}" for form in forms for problem in _problems(dialect_name, form)]
    assert failures == [], "\n".join(failures)
