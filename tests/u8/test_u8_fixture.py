"""The U8-shaped test ERP itself (tests/fixtures/u8.py): its hand-written schema exists
on every engine, its mapping loads, its seed reads back through the bridge's own read
queries, check-erp finds every mapped table and column, and a reset restores the seed."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path

from fixtures import u8
from scm_plugin.erp_bridge import Mapping, erp_schema
from scm_plugin.erp_bridge.repos import erp as erp_repo
from scm_plugin.erp_bridge.repos import erp_forms
from scm_plugin.erp_bridge.repos import inventory as inventory_repo


def test_the_mapping_loads_with_the_u8_keys(u8_mapping: Mapping):
    m = u8_mapping
    head = m.entities["contract_review"]
    assert head.id_source == "allocator" and head.id_allocator.table == "UA_Identity"
    assert head.id_allocator.value == "iFatherId"
    assert head.id_allocator.where == {"cAcc_Id": "001", "cVouchType": "HTPS"}
    assert m.entities["contract_review_line"].id_allocator.value == "iChildId"
    assert m.form_no_pattern("contract_review").text == "HTPS{date:%Y%m%d}{seq:4}"
    assert m.form_no_pattern("sample_review").text == "YPPS{date:%Y%m%d}{seq:4}"
    assert head.form_date_kind == "date"
    assert head.from_customer == {"cDepCode": "cCusDepart", "cPersonCode": "cCusPPerson"}
    assert head.insert_defaults == {"cBusType": "普通销售", "iVerifyState": 0}
    assert m.entities["contract_review_line"].insert_defaults == {"bGift": 0}
    assert m.column("contract_review", "delivery_date") is None
    assert m.column("contract_review_line", "delivery_date") == "dPreDate"
    assert m.has("unit") and m.column("unit", "code") == "cComunitCode"
    assert m.entities["warehouse"].exclude == ("09",)
    assert m.entities["progress"].order_ref_is == "contract_no" and m.column("progress", "id") is None
    assert m.table("customer_contact") == m.table("customer") == "Customer"
    assert m.column("customer_contact", "id") == m.column("customer_contact", "customer_code") == "cCusCode"


def test_the_schema_is_the_hand_written_one(u8_db):
    """Every table of the DDL exists, with U8's own (mixed-case) names; the header has
    no identity column and the progress table no key."""
    for table in u8.tables():
        assert u8_db.catalog_columns(table) is not None, table
    header = u8_db.catalog_details("HT_ContractReview")
    assert {"ID", "cCode", "dDate", "cDepCode", "cPersonCode", "cBusType", "iStatus"} <= set(header)
    assert not header["cDepCode"].nullable and not header["cBusType"].nullable
    assert header["cCode"].size == 30
    assert u8_db.catalog_details("Inventory")["cInvCode"].size == 60
    assert set(u8_db.catalog_details("HT_OrderProgress")) == {
        "cHTCode", "cProcessCode", "iQuantity", "dReportTime", "cReporter"}
    # the unit code column is cComunitCode here and cComUnitCode on the item: case matters
    assert "cComunitCode" in u8_db.catalog_columns("ComputationUnit")
    assert "cComUnitCode" in u8_db.catalog_columns("Inventory")


def test_check_erp_finds_every_mapped_table_and_column(u8_db):
    result = erp_schema.check_erp(u8_db)
    assert result.ok, (result.missing_tables, result.missing_columns)


def test_the_seed_reads_back_through_the_bridge(u8_db):
    def read(tx):
        return {
            "customer": erp_repo.customer(tx, "C001"),
            "contacts": erp_repo.contacts_of_customer(tx, "C001"),
            "no_contact": erp_repo.contacts_of_customer(tx, "C004"),
            "item": erp_repo.item(tx, "1001001"),
            "long": erp_repo.item(tx, u8.LONG_CODE),
            "part": erp_repo.item_by_customer_part(tx, "C001", "HY-P001"),
            "long_part": erp_repo.item_by_customer_part(tx, "C001", "HY-LONG-01"),
            "steps": erp_repo.process_steps(tx),
            "customers": erp_repo.all_customers(tx),
            "form": erp_forms.form(tx, "sales", 1001),
            "lines": erp_forms.form_lines(tx, "sales", 1001),
            "sample_lines": erp_forms.form_lines(tx, "sample", 2001),
        }
    got = u8_db.read(read)
    assert got["customer"]["name"] == "深圳华音文化传播有限公司" and got["customer"]["short_name"] == "华音文化"
    # the contact lives on the customer card and is named by the customer's code
    assert [(c["id"], c["customer_code"], c["name"], c["mobile"], c["phone"]) for c in got["contacts"]] == [
        ("C001", "C001", "李红", "13800138000", "0755-26881234")]
    assert [c["name"] for c in got["no_contact"]] == [None]
    assert got["item"]["name"] == "CD《经典老歌精选1》" and (got["item"]["unit"], got["item"]["unit_code"]) == ("片", "01")
    assert got["item"]["master_disc_no"] == "MD2026-0001" and got["item"]["lead_days"] == 10
    assert got["long"]["code"] == u8.LONG_CODE and len(got["long"]["code"]) == 60
    assert got["part"]["code"] == "3001001" and got["long_part"]["code"] == u8.LONG_CODE
    assert [s["code"] for s in got["steps"]] == ["MST", "ELF", "REP", "PRT", "PCK", "WHI"]
    assert [c["code"] for c in got["customers"]] == ["C001", "C002", "C003", "C004", "C005"]
    assert got["form"]["form_no"] == "HTPS202611280001" and got["form"]["contract_no"] == "HT-2026-0158"
    assert got["form"]["delivery_date"] is None       # U8 has no header delivery date
    assert [(l["row_no"], l["inventory_code"], Decimal(l["quantity"]), l["unit"]) for l in got["lines"]] == [
        (1, "1001001", Decimal(30000), "01"), (2, "3001001", Decimal(30000), "02")]
    assert [l["customer_part_no"] for l in got["sample_lines"]] == ["HY-A002", "HY-P001"]


def test_stock_is_kept_per_batch(u8_db):
    """The ERP keeps a row per batch, the scrap store among them; the plugin reads one
    figure per warehouse, without the excluded scrap store."""
    raw = u8.rows(u8_db, "CurrentStock", '"cInvCode" = ?', "1001001")
    assert sorted((r["cwhcode"] if "cwhcode" in r else r["cWhCode"], Decimal(r.get("iquantity", r.get("iQuantity"))))
                  for r in raw) == [
        ("01", Decimal("500")), ("01", Decimal("5000")), ("01", Decimal("7000.5")), ("09", Decimal("300"))]
    rows = u8_db.read(lambda tx: inventory_repo.own_stock(tx, ["1001001"]))
    assert [(r["warehouse_code"], Decimal(r["quantity"])) for r in rows] == [("01", Decimal("12500.5"))]
    assert {r["warehouse_name"] for r in rows} == {"光盘成品仓库"}


def test_reset_restores_the_seed_and_ua_identity(u8_db):
    assert u8.identity(u8_db, "HTPS") == (1002, 5004)
    q = u8_db.dialect.quote
    with u8_db.transaction() as tx:
        tx.execute_sql(f"UPDATE {q('UA_Identity')} SET {q('iFatherId')} = 4242 WHERE {q('cVouchType')} = ?", "HTPS")
        u8.insert_rows(tx, "HT_OrderProgress", ("cHTCode", "cProcessCode", "iQuantity", "dReportTime"),
                       [("HT-X", "REP", Decimal(1), dt.datetime(2026, 12, 1, 8, 0))])
    assert u8.identity(u8_db, "HTPS") == (4242, 5004)
    u8.reset(u8_db)
    assert u8.identity(u8_db, "HTPS") == (1002, 5004)
    assert u8.identity(u8_db, "HTPS", account="002") == (9, 9)
    assert u8.rows(u8_db, "HT_OrderProgress", '"cHTCode" = ?', "HT-X") == []
    assert len(u8.rows(u8_db, "HT_OrderProgress")) == 6


# --- docs/erp-mapping.md stays true to the mapping and the model ------------------------
DOC = Path(__file__).resolve().parents[2] / "docs" / "erp-mapping.md"


def test_the_documented_u8_example_is_the_u8_mapping():
    text = DOC.read_text(encoding="utf-8")
    example = text[text.index("## Worked example"):]
    block = re.search(r"```toml\n(.*?)```", example, re.S).group(1)
    assert tomllib.loads(block) == tomllib.loads(u8.U8_MAPPING_PATH.read_text(encoding="utf-8"))
    Mapping.loads(block, source="docs/erp-mapping.md")


def test_every_entity_field_and_key_is_documented():
    from scm_plugin.erp_bridge.mapping import _OPTION_KEYS
    from scm_plugin.erp_bridge.model import ENTITIES, VALUES

    text = DOC.read_text(encoding="utf-8")
    for name, entity in ENTITIES.items():
        assert f"`{name}`" in text, name
        for field_name in entity.fields:
            assert re.search(rf"`({name}\.)?{field_name}`", text), f"{name}.{field_name}"
    for keys in VALUES.values():
        for key in keys:
            assert f"`{key}`" in text, key
    for keys in _OPTION_KEYS.values():
        for key in keys:
            assert f"{key}" in text, key
    for key in ("insert_defaults", "id_source", "timezone", "--json", "max_plus_one", "{seq:N}", "{id:N}"):
        assert key in text, key
