"""Approve into an ERP that allocates its own ids, numbers forms its own way, keeps days
without a time, needs the department and salesperson from the customer card and is
strict about NOT NULL columns — a form table the plugin did not design, written as the
ERP's own forms would be, or refused plainly with nothing half-written."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
from importlib.resources import files

import pytest

from fixtures import engines
from fixtures import erp as erp_fixtures
from fixtures import web as web_fixtures
from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations
from scm_plugin.erp_bridge.schema import BIGINT, DATE, DATETIME, INT, Column, Decimal, String, Table

# The reference mapping, told that the forms are numbered, dated and keyed the U8 way.
_EXTRA = {
    "[contract_review.values]": '''id_source = "allocator"
form_no_pattern = "HTPS{date:%Y%m%d}{seq:4}"
form_date_kind = "date"

[contract_review.id_allocator]
table = "UA_Identity"
value = "iFatherId"
where = { cAcc_Id = "001", cVouchType = "HTPS" }

[contract_review.from_customer]
cDepCode = "cCusDepart"
cPersonCode = "cCusPPerson"

[contract_review.values]''',
    'unit = "cUnit"\nremarks = "cMemo"\n\n[sample_review]': '''unit = "cUnit"
remarks = "cMemo"
spec = "cInvStd"
delivery_date = "dPreDate"
id_source = "allocator"

[contract_review_line.id_allocator]
table = "UA_Identity"
value = "iChildId"
where = { cAcc_Id = "001", cVouchType = "HTPS" }

[sample_review]''',
}


def _mapping_text() -> str:
    text = files("scm_plugin.config").joinpath("erp_mapping.toml").read_text(encoding="utf-8")
    for anchor, replacement in _EXTRA.items():
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, replacement)
    return text


def _u8_form_tables(mapping: Mapping) -> list[Table]:
    """The contract-review tables as this ERP has them: ids without identity, NOT NULL
    department and salesperson, a form number 16 wide (HTPS + date + 4 digits)."""
    head, line = mapping.entities["contract_review"], mapping.entities["contract_review_line"]
    return [
        Table(head.table, [
            Column("ID", BIGINT, nullable=False), Column("cFormNo", String(16), nullable=False),
            Column("cCusCode", String(20), nullable=False), Column("dFormDate", DATETIME, nullable=False),
            Column("dDeliveryDate", DATE), Column("cWebOrderNo", String(30), nullable=False),
            Column("cCusOrderNo", String(40)), Column("cStatus", String(10), nullable=False),
            Column("cContractNo", String(30)), Column("cMemo", String(255)), Column("cMaker", String(40)),
            Column("cBusType", String(20), nullable=False),
            Column("cDepCode", String(12), nullable=False), Column("cPersonCode", String(20), nullable=False),
        ], primary_key=("ID",)),
        Table(line.table, [
            Column("AutoID", BIGINT, nullable=False), Column("ID", BIGINT, nullable=False),
            Column("iRowNo", INT, nullable=False), Column("cInvCode", String(60), nullable=False),
            Column("cCusInvCode", String(40)), Column("cInvName", String(100)), Column("cInvStd", String(100)),
            Column("cMasterNo", String(30)), Column("iQuantity", Decimal(20, 6), nullable=False),
            Column("cUnit", String(20)), Column("dPreDate", DATE), Column("cMemo", String(255)),
        ], primary_key=("AutoID",)),
        Table("UA_Identity", [
            Column("cAcc_Id", String(3), nullable=False), Column("cVouchType", String(10), nullable=False),
            Column("iFatherId", BIGINT, nullable=False), Column("iChildId", BIGINT, nullable=False),
        ], primary_key=("cAcc_Id", "cVouchType")),
    ]


@pytest.fixture(scope="module")
def _u8_forms_db(engine, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"{engine}-forms")
    path = tmp / "mapping.toml"
    path.write_text(_mapping_text(), encoding="utf-8")
    mapping = Mapping.load(path)
    created = engines.create_database(engine, tmp, label="forms")
    db = Database(created.dsn, mapping, statement_timeout=10)
    erp_schema.create_reference_schema(db)
    with db.transaction() as tx:
        for table in reversed(erp_schema.reference_tables(db)):
            if table.name in (mapping.table("contract_review"), mapping.table("contract_review_line")):
                tx.ddl(db.dialect.drop_table(table.name))
        for table in _u8_form_tables(mapping):
            for stmt in db.dialect.create_table(table):
                tx.ddl(stmt)
        for col in ("cCusDepart", "cCusPPerson"):
            tx.ddl(db.dialect.add_column(mapping.table("customer"), Column(col, String(20))))
    migrations.upgrade(db)
    db.test_dsn, db.mapping_path = created.dsn, str(path)
    yield db
    db.dispose()
    created.drop()


def _seed(db) -> dict:
    seed = erp_schema.reference_seed()
    seed = {**seed, "contract_review": [], "contract_review_line": []}  # this ERP's forms start empty
    return seed


@pytest.fixture
def db(_u8_forms_db):
    erp_fixtures.reset(_u8_forms_db, _seed(_u8_forms_db))
    q = _u8_forms_db.dialect.quote
    with _u8_forms_db.transaction() as tx:
        tx.execute_sql(f"DELETE FROM {q('UA_Identity')}")
        tx.execute_sql(f"INSERT INTO {q('UA_Identity')} ({q('cAcc_Id')}, {q('cVouchType')}, {q('iFatherId')}, "
                       f"{q('iChildId')}) VALUES ('001', 'HTPS', 1000, 5000)")
        tx.execute_sql(f"UPDATE {q('Customer')} SET {q('cCusDepart')} = '0301', {q('cCusPPerson')} = 'P007'")
    return _u8_forms_db


@pytest.fixture
def app(db, tmp_path):
    app = web_fixtures.make_app(db.test_dsn, tmp_path, SCM_ERP_MAPPING=db.mapping_path)
    app.test_client_class = web_fixtures.Client
    yield app
    app.extensions["scm"].db.dispose()


def _forms(db) -> list[dict]:
    q = db.dialect.quote
    return db.all_sql(f"SELECT {q('ID')} AS id, {q('cFormNo')} AS form_no, {q('dFormDate')} AS form_date, "
                      f"{q('cDepCode')} AS dep, {q('cPersonCode')} AS person, {q('cMaker')} AS maker "
                      f"FROM {q('HT_ContractReview')} ORDER BY {q('ID')}")


def _lines(db, form_id) -> list[dict]:
    q = db.dialect.quote
    return db.all_sql(f"SELECT {q('AutoID')} AS id, {q('cInvName')} AS name, {q('cUnit')} AS unit, "
                      f"{q('cInvStd')} AS spec, {q('cMasterNo')} AS master, {q('cCusInvCode')} AS part, "
                      f"{q('dPreDate')} AS due, {q('cMemo')} AS memo FROM {q('HT_ContractReviewDetail')} "
                      f"WHERE {q('ID')} = ? ORDER BY {q('iRowNo')}", form_id)


def _allocator(db) -> tuple[int, int]:
    q = db.dialect.quote
    row = db.one_sql(f"SELECT {q('iFatherId')} AS f, {q('iChildId')} AS c FROM {q('UA_Identity')}")
    return int(row["f"]), int(row["c"])


def _approve(app, token, order_no):
    return app.test_client().api("POST", f"/orders/{order_no}/approve", token=token)


def test_approve_writes_the_form_as_the_erp_would(app, db, users, tokens, make_order):
    with db.transaction() as tx:
        tx.execute_sql("UPDATE scm_user SET erp_name = ? WHERE username = 'rep1'", "张敏")
    order = make_order("cust1", lines=[
        {"inventory_code": "1001001", "quantity": 100, "item_name": "民歌CD", "unit": "箱"},
        {"inventory_code": "1001002", "quantity": 5},
    ], requested_date=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    resp = _approve(app, tokens("rep1"), order["order_no"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    [form] = _forms(db)
    today = db.erp_time.now().date()
    assert form["id"] == 1001 and _allocator(db) == (1001, 5002)
    assert form["form_no"] == f"HTPS{today:%Y%m%d}0001" == resp.json["erp_form_no"]
    assert form["form_date"] == dt.datetime.combine(today, dt.time())  # a day, no time of day
    assert (form["dep"], form["person"]) == ("0301", "P007")
    assert form["maker"] == "张敏"  # the rep's ERP operator name, not the login or display name
    first, second = _lines(db, form["id"])
    assert [first["id"], second["id"]] == [5001, 5002]
    # The ERP's item data, the customer's own words kept in the remarks.
    assert first["name"] == "CD《经典老歌精选1》" and first["unit"] == "片"
    assert "客户填写：民歌CD / 箱" in first["memo"]
    assert (first["part"], second["part"]) == ("HY-A001", "HY-A002")  # from the cross-reference
    assert first["due"] == dt.date.fromisoformat(order["requested_date"])
    assert second["memo"] is None or "客户填写" not in second["memo"]


def test_numbers_are_consecutive_and_a_refused_approve_consumes_nothing(app, db, users, tokens, make_order):
    a, b, c = (make_order("cust1") for _ in range(3))
    assert _approve(app, tokens("rep1"), a["order_no"]).status_code == 200
    # The card loses its department: refused plainly, nothing written, nothing consumed.
    q = db.dialect.quote
    db_exec = db.transaction
    with db_exec() as tx:
        tx.execute_sql(f"UPDATE {q('Customer')} SET {q('cCusDepart')} = NULL WHERE {q('cCusCode')} = 'C001'")
    refused = _approve(app, tokens("rep1"), b["order_no"])
    assert refused.status_code == 409 and refused.json["error"] == "erp_rejected"
    assert "C001" in refused.json["message"] and "cCusDepart" in refused.json["message"]
    assert len(_forms(db)) == 1 and _allocator(db) == (1001, 5002)
    detail = app.test_client().api("GET", f"/orders/{b['order_no']}", token=tokens("rep1")).json
    assert detail["status"] == "pending"
    with db_exec() as tx:
        tx.execute_sql(f"UPDATE {q('Customer')} SET {q('cCusDepart')} = '0301' WHERE {q('cCusCode')} = 'C001'")
    for order in (b, c):
        assert _approve(app, tokens("rep1"), order["order_no"]).status_code == 200
    today = db.erp_time.now().date()
    assert [f["form_no"] for f in _forms(db)] == [f"HTPS{today:%Y%m%d}{n:04d}" for n in (1, 2, 3)]
    assert [f["id"] for f in _forms(db)] == [1001, 1002, 1003]


def test_the_pre_flight_and_the_page_name_the_missing_card_value(app, db, users, login, make_order):
    q = db.dialect.quote
    with db.transaction() as tx:
        tx.execute_sql(f"UPDATE {q('Customer')} SET {q('cCusPPerson')} = '' WHERE {q('cCusCode')} = 'C001'")
    order = make_order("cust1")
    rep = login("rep1")
    page = rep.get(f"/scm/review/orders/{order['order_no']}").get_data(as_text=True)
    assert 'id="order-checks"' in page and "cCusPPerson" in page and 'id="preflight-level"' in page
    resp = rep.form(f"/scm/review/orders/{order['order_no']}/approve", follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "cCusPPerson" in text and _forms(db) == []
    history = db.all_sql("SELECT action, detail FROM scm_audit WHERE object_id = ?", order["order_no"])
    assert any(h["action"] == "order.approve_refused" for h in history)


def test_an_erp_constraint_is_told_not_a_500(app, db, users, tokens, make_order):
    """A value the ERP's column cannot hold: 409 erp_rejected naming it, nothing kept."""
    q = db.dialect.quote
    order = make_order("cust1")
    # A value too long for the department column (12 wide) comes from the card.
    with db.transaction() as tx:
        tx.execute_sql(f"UPDATE {q('Customer')} SET {q('cCusDepart')} = ? WHERE {q('cCusCode')} = 'C001'",
                       "X" * 20)
    resp = _approve(app, tokens("rep1"), order["order_no"])
    if db.dialect.name == "sqlite":
        assert resp.status_code == 200  # SQLite keeps what it is given, whatever the width
        return
    assert resp.status_code == 409, resp.get_data(as_text=True)
    assert resp.json["error"] == "erp_rejected" and "cDepCode" in resp.json["message"]
    assert _forms(db) == [] and _allocator(db) == (1000, 5000)


def test_concurrent_approvals_get_distinct_ids_and_consecutive_numbers(app, db, users, tokens, make_order):
    orders = [make_order("cust1") for _ in range(8)]
    token = tokens("rep1")

    def approve(order_no):
        resp = _approve(app, token, order_no)
        return resp.status_code if resp.status_code == 200 else (resp.status_code, resp.json)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(approve, [o["order_no"] for o in orders]))
    assert codes == [200] * 8
    forms = _forms(db)
    today = db.erp_time.now().date()
    assert sorted(f["form_no"] for f in forms) == [f"HTPS{today:%Y%m%d}{n:04d}" for n in range(1, 9)]
    assert sorted(f["id"] for f in forms) == list(range(1001, 1009))
