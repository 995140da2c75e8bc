"""check-erp as an ERP administrator meets it: ERP tables made by hand (DDL through the
bridge) that approve would trip over, and the exact lines and exit status of
``flask scm check-erp`` (and ``--json``) for each; a complete mapping exits 0.

Each test starts from the reference ERP schema in a new database of the engine under
test and changes what its scenario needs, so every engine meets the same schema.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from importlib.resources import files

import pytest

from fixtures import web as web_fixtures
from fixtures.toml_text import dump_toml
from scm_plugin.erp_bridge import Mapping, erp_schema
from scm_plugin.erp_bridge.schema import BIGINT, DATE, Column, Index, String, Table

HEADER, LINES = "HT_ContractReview", "HT_ContractReviewDetail"


def _reference_data() -> dict:
    return tomllib.loads(files("scm_plugin.config").joinpath("erp_mapping.toml").read_text(encoding="utf-8"))


class Erp:
    """A new database holding the reference ERP schema, a mapping file to edit, and the CLI."""

    def __init__(self, db, tmp_path):
        self.db, self.tmp_path = db, tmp_path
        self.data = _reference_data()
        self.dialect = db.dialect

    # --- the ERP's tables, by hand --------------------------------------------------------
    def ddl(self, *statements: str) -> None:
        with self.db.transaction() as tx:
            for stmt in statements:
                tx.ddl(stmt)

    def rebuild(self, change) -> None:
        """Drop the contract review's header and line tables and create them again as
        ``change(header, lines)`` returns them (without foreign keys)."""
        tables = {t.name: t for t in erp_schema.reference_tables(self.db)}
        header, lines = change(tables[HEADER], tables[LINES])
        self.ddl(self.dialect.drop_table(LINES), self.dialect.drop_table(HEADER))
        for table in (header, replace(lines, foreign_keys=[])):
            self.ddl(*self.dialect.create_table(table))

    def column_type(self, table: str, column: str) -> str:
        return self.db.catalog_details(table)[column].type_name

    # --- the mapping and the command -----------------------------------------------------
    def check(self, *args: str):
        path = self.tmp_path / "erp.toml"
        path.write_text(dump_toml(self.data), encoding="utf-8")
        Mapping.load(path)  # a mapping the loader refuses is not what these tests are about
        app = web_fixtures.make_app(self.db.test_dsn, self.tmp_path, SCM_ERP_MAPPING=str(path))
        try:
            return web_fixtures.cli_runner(app).invoke(args=["scm", "check-erp", *args])
        finally:
            app.extensions["scm"].db.dispose()

    def problems(self) -> tuple[int, list[str]]:
        """Exit status and the problem lines (after "mapping: …")."""
        result = self.check()
        lines = result.output.splitlines()
        assert lines and lines[0].startswith("mapping: "), result.output
        return result.exit_code, lines[1:]


@pytest.fixture
def erp(make_database, tmp_path) -> Erp:
    db = make_database(Mapping.default())
    erp_schema.create_reference_schema(db)
    return Erp(db, tmp_path)


def _clean(erp: Erp) -> None:
    code, lines = erp.problems()
    assert (code, lines) == (0, ["every mapped table and column exists, and approve can write the review forms"])


# --- a complete mapping ------------------------------------------------------------------

def test_the_reference_schema_is_clean_in_text_and_json(erp):
    _clean(erp)
    result = erp.check("--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


# --- NOT NULL columns the mapping does not fill --------------------------------------------

def test_an_extra_not_null_column_is_named_until_the_mapping_fills_it(erp):
    erp.rebuild(lambda h, l: (replace(h, columns=h.columns + [Column("cDepCode", String(12), nullable=False)]), l))
    code, lines = erp.problems()
    assert code == 1
    assert lines == ["HT_ContractReview.cDepCode: NOT NULL without a default and not filled by the mapping "
                     "— add it to [contract_review.from_customer] or [contract_review.insert_defaults]"]

    # Copied from the customer card: fills it. A card without the value is that customer's
    # gap (refused at approve by name, shown in the pre-flight), not the mapping's.
    erp.ddl(erp.dialect.add_column("Customer", Column("cCusDepart", String(12))))
    erp.data["contract_review"]["from_customer"] = {"cDepCode": "cCusDepart"}
    _clean(erp)

    # A wider customer column does not fit; an absent one is named in the customer table.
    erp.data["contract_review"]["from_customer"] = {"cDepCode": "cCusName"}
    width = erp.db.catalog_details("Customer")["cCusName"].size
    code, lines = erp.problems()
    assert lines == [f"HT_ContractReview.cDepCode: holds 12 characters, but Customer.cCusName copied into it "
                     f"holds {width} — widen the column in the ERP, or correct [contract_review.from_customer] "
                     "cDepCode"]
    erp.data["contract_review"]["from_customer"] = {"cDepCode": "cNoSuchColumn"}
    code, lines = erp.problems()
    assert lines == ["Customer.cNoSuchColumn: no such column in the customer table, named by "
                     "[contract_review.from_customer] cDepCode — correct [contract_review.from_customer] cDepCode"]

    # A literal on every insert fills it.
    del erp.data["contract_review"]["from_customer"]
    erp.data["contract_review"]["insert_defaults"]["cDepCode"] = "01"
    _clean(erp)


def test_json_lists_the_same_problems(erp):
    erp.rebuild(lambda h, l: (replace(h, columns=h.columns + [Column("cDepCode", String(12), nullable=False)]), l))
    erp.ddl(f"DROP TABLE {erp.dialect.quote('SC_OrderProgress')}")
    result = erp.check("--json")
    assert result.exit_code == 1
    assert json.loads(result.output) == [
        {"table": "SC_OrderProgress", "column": None, "check": "missing_table",
         "problem": "table does not exist", "fix": "create it in the ERP, or correct [progress] table"},
        {"table": "HT_ContractReview", "column": "cDepCode", "check": "not_null",
         "problem": "NOT NULL without a default and not filled by the mapping",
         "fix": "add it to [contract_review.from_customer] or [contract_review.insert_defaults]"},
    ]
    # The text keeps its "missing table" line, first.
    code, lines = erp.problems()
    assert code == 1 and lines == [
        "missing table: SC_OrderProgress",
        "HT_ContractReview.cDepCode: NOT NULL without a default and not filled by the mapping "
        "— add it to [contract_review.from_customer] or [contract_review.insert_defaults]"]


def test_optional_fields_in_not_null_columns_may_be_empty(erp):
    def not_null(table: Table, *names: str) -> Table:
        return replace(table, columns=[replace(c, nullable=False) if c.name in names else c for c in table.columns])

    erp.rebuild(lambda h, l: (not_null(h, "cMemo", "cContractNo"), not_null(l, "cCusInvCode")))
    code, lines = erp.problems()
    assert code == 1
    assert lines == [
        "HT_ContractReview.cContractNo: NOT NULL without a default, but contract_no is not written at approve "
        "(the ERP assigns it later) — give the column a default in the ERP, or add it to "
        "[contract_review.insert_defaults]",
        "HT_ContractReview.cMemo: NOT NULL, but remarks (remarks) may be empty at approve and is then written "
        "as NULL — map [contract_review] remarks to a column that takes NULL, or leave remarks out of "
        "[contract_review] (and fill the column with [contract_review.insert_defaults])",
        "HT_ContractReviewDetail.cCusInvCode: NOT NULL, but customer_part_no (customer part numbers) may be "
        "empty at approve and is then written as NULL — map [contract_review_line] customer_part_no to a "
        "column that takes NULL, or leave customer_part_no out of [contract_review_line] (and fill the column "
        "with [contract_review_line.insert_defaults])",
    ]


# --- widths and types ----------------------------------------------------------------------

def test_a_form_number_column_narrower_than_the_pattern(erp):
    erp.rebuild(lambda h, l: (replace(h, columns=[replace(c, type=String(16)) if c.name == "cFormNo" else c
                                                  for c in h.columns]), l))
    # The reference numbering: HT, the day, the form's id (counted at 10 digits).
    code, lines = erp.problems()
    assert code == 1
    assert lines == ["HT_ContractReview.cFormNo: holds 16 characters, but form numbers of "
                     "HT{date:%Y%m%d}{id:4} take up to 20 — widen the column in the ERP, or shorten "
                     "[contract_review] form_no_pattern"]
    erp.data["contract_review"]["form_no_pattern"] = "HTPS{date:%Y%m%d}{seq:11}"
    code, lines = erp.problems()
    assert code == 1
    assert lines == ["HT_ContractReview.cFormNo: holds 16 characters, but form numbers of "
                     "HTPS{date:%Y%m%d}{seq:11} take up to 23 — widen the column in the ERP, or shorten "
                     "[contract_review] form_no_pattern"]
    erp.data["contract_review"]["form_no_pattern"] = "HT{date:%y%m%d}{seq:4}"
    _clean(erp)


def test_an_int_column_where_a_code_is_written(erp):
    erp.rebuild(lambda h, l: (h, replace(l, columns=[replace(c, type=BIGINT) if c.name == "cInvCode" else c
                                                     for c in l.columns])))
    kind = erp.column_type(LINES, "cInvCode")
    code, lines = erp.problems()
    assert code == 1
    assert lines == [f"HT_ContractReviewDetail.cInvCode: a {kind} column, but approve writes inventory codes "
                     "into it as text — map [contract_review_line] inventory_code to a text column"]


def test_a_text_column_where_dates_and_numbers_are_written_and_too_narrow_codes(erp):
    def header(h: Table) -> Table:
        changed = {"dFormDate": String(30), "cCusCode": String(8)}
        return replace(h, columns=[replace(c, type=changed.get(c.name, c.type)) for c in h.columns])

    def lines(l: Table) -> Table:
        return replace(l, columns=[replace(c, type=String(20)) if c.name in ("iQuantity", "iRowNo") else c
                                   for c in l.columns])

    erp.rebuild(lambda h, l: (header(h), lines(l)))
    text = erp.column_type(HEADER, "dFormDate")
    row_no, quantity = erp.column_type(LINES, "iRowNo"), erp.column_type(LINES, "iQuantity")
    code_width = erp.db.catalog_details("Customer")["cCusCode"].size
    code, found = erp.problems()
    assert code == 1
    assert found == [
        f"HT_ContractReview.cCusCode: holds 8 characters, but Customer.cCusCode holds {code_width} — widen the "
        "column in the ERP, or map [contract_review] customer_code to a wider column",
        f"HT_ContractReview.dFormDate: a {text} column, but approve writes the form date into it as a date and time "
        "— map [contract_review] form_date to a date column",
        f"HT_ContractReviewDetail.iRowNo: a {row_no} column, but approve writes row numbers into it as numbers "
        "— map [contract_review_line] row_no to a numeric column",
        f"HT_ContractReviewDetail.iQuantity: a {quantity} column, but approve writes quantities into it as numbers "
        "— map [contract_review_line] quantity to a numeric column",
    ]


# --- where ids come from ---------------------------------------------------------------------

def _without_identity(h: Table, l: Table) -> tuple[Table, Table]:
    """The header's ID a plain BIGINT: no primary key (SQLite would number an INTEGER
    PRIMARY KEY itself), a unique index instead."""
    columns = [Column("ID", BIGINT, nullable=False) if c.name == "ID" else c for c in h.columns]
    return replace(h, columns=columns, primary_key=(),
                   indexes=h.indexes + [Index("ux_HT_ContractReview_ID", ("ID",), unique=True)]), l


def test_a_header_without_identity_under_id_source_identity(erp):
    erp.rebuild(_without_identity)
    code, lines = erp.problems()
    assert code == 1
    assert lines == ['HT_ContractReview.ID: id_source = "identity", but the database does not number this column '
                     "(no identity, auto-increment, serial or sequence default) — set [contract_review] id_source = "
                     '"allocator" with [contract_review.id_allocator], or id_source = "max_plus_one"']
    erp.data["contract_review"]["id_source"] = "max_plus_one"
    _clean(erp)


def _allocator(erp: Erp, **where) -> None:
    erp.ddl(*erp.dialect.create_table(Table("UA_Identity", [
        Column("cAcc_Id", String(3), nullable=False), Column("cVouchType", String(20), nullable=False),
        Column("iFatherId", BIGINT, nullable=False), Column("iChildId", BIGINT, nullable=False)])))
    erp.data["contract_review"]["id_source"] = "allocator"
    erp.data["contract_review"]["id_allocator"] = {"table": "UA_Identity", "value": "iFatherId", "where": where}


def _allocator_row(erp: Erp, acc: str, kind: str) -> None:
    q = erp.dialect.quote
    with erp.db.transaction() as tx:
        tx.execute_sql(f"INSERT INTO {q('UA_Identity')} ({q('cAcc_Id')}, {q('cVouchType')}, {q('iFatherId')}, "
                       f"{q('iChildId')}) VALUES (?, ?, ?, ?)", acc, kind, 1000, 5000)


def test_an_allocator_row_missing_or_named_twice(erp):
    erp.rebuild(_without_identity)
    _allocator(erp, cAcc_Id="001", cVouchType="HT")
    code, lines = erp.problems()
    assert code == 1
    assert lines == ["UA_Identity: [contract_review.id_allocator] where cAcc_Id = '001' AND cVouchType = 'HT' "
                     "matches no row; the ERP must hold exactly one — add that row to the ERP, or correct "
                     "[contract_review.id_allocator] where"]
    _allocator_row(erp, "001", "HT")
    _allocator_row(erp, "002", "HT")
    _clean(erp)
    erp.data["contract_review"]["id_allocator"]["where"] = {"cVouchType": "HT"}
    code, lines = erp.problems()
    assert code == 1
    assert lines == ["UA_Identity: [contract_review.id_allocator] where cVouchType = 'HT' matches 2 rows "
                     "— correct [contract_review.id_allocator] where so that it names exactly one row"]


def test_an_allocator_that_names_what_is_not_there(erp):
    erp.rebuild(_without_identity)  # U8's forms take their ids from the allocator
    _allocator(erp, cAcc_Id="001", cBadColumn="HT")
    erp.data["contract_review"]["id_allocator"]["value"] = "iFather"
    code, lines = erp.problems()
    assert code == 1
    assert lines == [
        "UA_Identity.iFather: no such column, named by [contract_review.id_allocator] value "
        "— correct [contract_review.id_allocator] value",
        "UA_Identity.cBadColumn: no such column, named by [contract_review.id_allocator] where "
        "— correct [contract_review.id_allocator] where",
    ]
    erp.data["contract_review"]["id_allocator"]["table"] = "UA_Nothing"
    code, lines = erp.problems()
    assert lines == ["UA_Nothing: the id allocator table of [contract_review] does not exist "
                     "— correct [contract_review.id_allocator] table"]


# --- a U8-like ERP made by hand, complete --------------------------------------------------------

def test_a_complete_u8_style_mapping_exits_0(erp):
    """Allocated ids, a date-only form date, a department copied from the customer card,
    a business type on every insert, a numeric status: nothing for check-erp to say."""
    def header(h: Table) -> Table:
        h, _ = _without_identity(h, h)
        cols = [replace(c, type=DATE)
                if c.name == "dFormDate" else c for c in h.columns]
        cols = [Column("cStatus", BIGINT, nullable=False) if c.name == "cStatus" else c for c in cols]
        return replace(h, columns=cols + [Column("cDepCode", String(12), nullable=False),
                                          Column("cBusType2", String(8), nullable=False)])

    erp.rebuild(lambda h, l: (header(h), l))
    erp.ddl(erp.dialect.add_column("Customer", Column("cCusDepart", String(12), nullable=False, default="")))
    _allocator(erp, cAcc_Id="001", cVouchType="HT")
    _allocator_row(erp, "001", "HT")
    review = erp.data["contract_review"]
    review.update(form_date_kind="date", form_no_pattern="HTPS{date:%Y%m%d}{seq:4}")
    review["from_customer"] = {"cDepCode": "cCusDepart"}
    review["insert_defaults"]["cBusType2"] = "普通销售"
    review["values"]["initial_status"] = "0"
    code, lines = erp.problems()
    assert (code, lines) == (0, ["every mapped table and column exists, and approve can write the review forms"])
    # … and the same ERP under a datetime form date, a text status and a long business type says why.
    review.update(form_date_kind="datetime")
    review["values"]["initial_status"] = "open"
    review["insert_defaults"]["cBusType2"] = "普通销售（含增值税）"
    status = erp.column_type(HEADER, "cStatus")
    code, lines = erp.problems()
    assert code == 1
    assert lines == [
        'HT_ContractReview.dFormDate: holds dates only, but form_date_kind = "datetime" writes a time too '
        '— set [contract_review] form_date_kind = "date"',
        f"HT_ContractReview.cStatus: a {status} column, but approve writes the initial status into it as text "
        "— map [contract_review] status to a text column",
        "HT_ContractReview.cBusType2: holds 8 characters, but [contract_review.insert_defaults] cBusType2 writes "
        "'普通销售（含增值税）' (10 characters) — shorten [contract_review.insert_defaults] cBusType2, or widen the "
        "column in the ERP",
    ]


# --- SQL Server: no server here, so its identity query is checked as rendered -----------------

def test_sql_server_names_identity_columns_by_object_id():
    from scm_plugin.erp_bridge.dialects import get_dialect

    sql, params = get_dialect("mssql").auto_id_sql("dbo.HT_ContractReview")
    assert params == ["[dbo].[HT_ContractReview]"]  # OBJECT_ID() takes the quoted, qualified name
    assert "c.object_id = OBJECT_ID(?)" in sql
    # IDENTITY refuses a given id (explicit_ok 0); a NEXT VALUE FOR default takes one.
    assert "CASE WHEN c.is_identity = 1 THEN 0 ELSE 1 END AS explicit_ok" in sql
    assert "d.definition LIKE '%NEXT VALUE FOR%'" in sql
