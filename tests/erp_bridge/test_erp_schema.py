"""The ERP side through the mapping: the seed reads back whole, the named queries answer
as the seed says, and check-erp tells the truth about a database.

Every test here runs on the reference mapping (Yonyou U8 names) and on the second ERP
(``alt_mapping.toml``: pinyin names, a space and reserved words in column names, a
Chinese column name, a lower-case table, unmapped optional fields).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scm_plugin.erp_bridge import BridgeError, Database, Mapping, erp_schema
from scm_plugin.erp_bridge.model import ENTITIES
from scm_plugin.erp_bridge.repos import inventory as inventory_repo

# What the reference mapping maps (the optional [unit] it leaves out).
MAPPED = [name for name, e in ENTITIES.items() if not e.optional]

SEED = erp_schema.reference_seed()


def _expected(entity: str, row: dict, mapping: Mapping) -> dict:
    """A seed row as the bridge must return it: typed, unmapped optional fields as None."""
    fields = ENTITIES[entity].fields
    out = {}
    for name, value in row.items():
        if name == "form_no" and ENTITIES[entity].parent:
            out["header_form_no"] = value
            continue
        if mapping.column(entity, name) is None or value is None:
            out[name] = None
            continue
        kind = fields[name].type.kind
        if kind == "decimal":
            value = Decimal(str(value))
        elif kind == "datetime":
            value = dt.datetime.fromisoformat(value)
        elif kind == "date":
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def _read_entity(db: Database, entity: str, names: list[str]) -> list[dict]:
    e = ENTITIES[entity]
    cols = [f"{{{entity}.{n}:t}} AS {n}" for n in names if n != "header_form_no"]
    sql = f"SELECT {', '.join(cols)}"
    if e.parent:
        sql += f", {{{e.parent}.form_no:h}} AS header_form_no FROM {{{entity}}} t " \
               f"JOIN {{{e.parent}}} h ON {{{e.parent}.id:h}} = {{{entity}.header_id:t}}"
    else:
        sql += f" FROM {{{entity}}} t"
    return db.all_sql(sql)


def _key(row: dict):
    return tuple(str(v) for v in row.values())


@pytest.mark.parametrize("entity", MAPPED)
def test_seed_reads_back_through_the_mapping(erp_db, entity):
    expected = [_expected(entity, row, erp_db.mapping) for row in SEED[entity]]
    assert expected, f"the seed has no {entity}"
    names = list(expected[0])
    got = _read_entity(erp_db, entity, names)
    assert sorted(got, key=_key) == sorted(expected, key=_key)
    # Types, not just values: Decimal quantities, datetime and date columns.
    for row in got:
        for name, value in row.items():
            kind = ENTITIES[entity].fields[name].type.kind if name in ENTITIES[entity].fields else "string"
            if value is not None:
                want = {"decimal": Decimal, "datetime": dt.datetime, "date": dt.date,
                        "int": int, "bigint": int, "string": str}[kind]
                assert type(value) is want, (name, value)


def test_reference_seed_is_realistic_for_the_disc_maker():
    assert len(SEED["customer"]) >= 3
    assert any("-" in (c.get("phone") or "") for c in SEED["customer_contact"]), "a fixed line with area code"
    kinds = {w["kind"] for w in SEED["warehouse"]}
    assert kinds == {"光盘成品", "材料", "附件包成品"}
    assert [p["code"] for p in sorted(SEED["process_step"], key=lambda p: p["seq"])] == \
        ["MST", "ELF", "REP", "PRT", "PCK", "WHI"]
    assert all(i.get("master_disc_no") for i in SEED["item"] if i["family"] in ("CD", "DVD"))


# --- the named queries of erp.sql -------------------------------------------------------------

def test_customer_by_code(erp_db):
    assert erp_db.one("erp.customer_by_code", "C003") == {
        "code": "C003", "name": "上海东方音像出版社", "short_name": "东方音像", "email": "av@dongfang.example.cn"}
    assert erp_db.one("erp.customer_by_code", "C999") is None


def test_customers_all_in_code_order(erp_db):
    rows = erp_db.all("erp.customers_all")
    assert [r["code"] for r in rows] == ["C001", "C002", "C003", "C004", "C005"]
    assert rows[4]["name"] == "台北光點數位股份有限公司"


def test_contacts_of_customer(erp_db):
    rows = erp_db.all("erp.contacts_of_customer", "C001")
    mapped_email = erp_db.mapping.column("customer_contact", "email") is not None
    assert sorted((r["name"], r["mobile"], r["phone"], r["email"]) for r in rows) == sorted([
        ("李红", "13800138000", "0755-26881234", "lihong@huayin.example.cn" if mapped_email else None),
        ("王强", "+86 139 2233 4455", None, "wangqiang@huayin.example.cn" if mapped_email else None),
    ])
    assert all(isinstance(r["id"], int) for r in rows)


def test_item_by_code_and_by_customer_part(erp_db):
    item = erp_db.one("erp.item_by_code", "1001001")
    assert item == {"code": "1001001", "name": "CD《经典老歌精选1》", "spec": "CD-DA 700MB 四色印刷", "unit": "片",
                    "unit_code": "片",
                    "master_disc_no": "MD2026-0001", "family": "CD", "lead_days": 10}
    by_part = erp_db.one("erp.item_by_customer_part", "C001", "HY-A001")
    assert by_part == dict(item, customer_part_no="HY-A001")
    assert erp_db.one("erp.item_by_customer_part", "C002", "HY-A001") is None  # another customer's part no


def test_process_steps_in_route_order(erp_db):
    steps = erp_db.all("erp.process_steps")
    assert [(s["code"], s["seq"]) for s in steps] == [
        ("MST", 10), ("ELF", 20), ("REP", 30), ("PRT", 40), ("PCK", 50), ("WHI", 60)]
    assert steps[0]["name"] == "母盘刻录"


def test_stock_of_item_across_warehouses(erp_db):
    expected = sorted((s["warehouse_code"], Decimal(s["quantity"])) for s in SEED["stock"]
                      if s["inventory_code"] == "1001001")
    rows = erp_db.read(lambda tx: inventory_repo.own_stock(tx, ["1001001"]))
    assert [(r["warehouse_code"], r["quantity"]) for r in rows] == expected
    names = {w["code"]: (w["name"], w["kind"]) for w in SEED["warehouse"]}
    assert all((r["warehouse_name"], r["warehouse_kind"]) == names[r["warehouse_code"]] for r in rows)


def test_paging_through_customers(erp_db):
    with erp_db.transaction() as tx:
        pages = [tx.page("erp.customers_all", [], limit=2, offset=o) for o in (0, 2, 4, 6)]
    assert [[r["code"] for r in p] for p in pages] == [["C001", "C002"], ["C003", "C004"], ["C005"], []]


# --- check-erp -----------------------------------------------------------------------------------

def test_check_erp_ok_on_the_erp(erp_db):
    result = erp_schema.check_erp(erp_db)
    assert result.ok, (result.missing_tables, result.missing_columns)
    assert erp_schema.has_erp_data(erp_db)


def test_check_erp_lists_every_table_on_an_empty_database(make_database, mapping):
    db = make_database(mapping)
    result = erp_schema.check_erp(db)
    assert not result.ok
    assert result.missing_tables == [mapping.table(name) for name in MAPPED]
    assert result.missing_columns == []
    assert not erp_schema.has_erp_data(db)


# One column per mapping, dropped from a fresh reference schema (one with a space in the alt ERP).
DROPPED = {"reference": ("stock", "quantity"), "alt": ("customer", "short_name")}


def test_check_erp_names_a_dropped_column(make_database, mapping):
    db = make_database(mapping)
    erp_schema.create_reference_schema(db)
    assert erp_schema.check_erp(db).ok
    entity, field = DROPPED[mapping.test_name]
    table, column = mapping.table(entity), mapping.column(entity, field)
    with db.transaction() as tx:
        tx.ddl(f"ALTER TABLE {db.dialect.quote_dotted(table)} DROP COLUMN {db.dialect.quote(column)}")
    result = erp_schema.check_erp(db)
    assert not result.ok
    assert result.missing_tables == []
    assert result.missing_columns == [f"{table}.{column}"]


def test_second_erp_is_created_and_seeded_from_its_mapping_alone(make_database, alt_mapping):
    db = make_database(alt_mapping)
    erp_schema.create_reference_schema(db)
    counts = erp_schema.load_seed(db, SEED)
    assert counts == {name: len(SEED.get(name, [])) for name in MAPPED}
    assert erp_schema.check_erp(db).ok
    # Its own names are what exists: the reference mapping finds none of its tables.
    reference_view = Database(db.test_dsn, Mapping.default())
    try:
        assert erp_schema.check_erp(reference_view).missing_tables == [
            Mapping.default().table(name) for name in MAPPED]
    finally:
        reference_view.dispose()


# A mapping that spells an existing name in another case. Whether queries find it is the
# engine's rule (quoted names: PostgreSQL exact; MariaDB exact for tables, not columns;
# SQLite and SQL Server under its usual case-insensitive collation never); check-erp must
# say "ok" exactly when they do.
CASE_VARIANTS = {
    "table": lambda d: d["warehouse"].update(table="T_CANGKU"),      # created as t_cangku
    "column": lambda d: d["customer"].update(code="khbm"),           # created as KHBM
}
FOUND_BY_QUERIES = {
    "sqlite": {"table": True, "column": True},
    "postgresql": {"table": False, "column": False},
    "mariadb": {"table": False, "column": True},
    "mssql": {"table": True, "column": True},
}


@pytest.mark.parametrize("variant", sorted(CASE_VARIANTS))
def test_check_erp_agrees_with_the_engine_about_letter_case(_alt_prepared_db, engine, variant, edit_mapping):
    changed = edit_mapping(CASE_VARIANTS[variant], path=_alt_prepared_db.mapping.source)
    other = Database(_alt_prepared_db.test_dsn, changed)
    try:
        entity = "warehouse" if variant == "table" else "customer"
        try:
            other.all_sql(f"SELECT {{{entity}.code}} AS code FROM {{{entity}}}")
            query_works = True
        except BridgeError:
            query_works = False
        result = erp_schema.check_erp(other)
        assert query_works == FOUND_BY_QUERIES[engine][variant]
        assert result.ok == query_works, (result.missing_tables, result.missing_columns)
    finally:
        other.dispose()


def test_drop_reference_schema_leaves_nothing_to_find(make_database, mapping):
    db = make_database(mapping)
    erp_schema.create_reference_schema(db)
    erp_schema.drop_reference_schema(db)
    assert erp_schema.check_erp(db).missing_tables == [mapping.table(name) for name in MAPPED]
