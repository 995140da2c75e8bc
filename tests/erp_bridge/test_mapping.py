"""The ERP mapping file: what an ERP administrator gets wrong is refused with the key named;
what the mapping names is quoted by each dialect, so odd names work."""
from __future__ import annotations

import pytest

from scm_plugin.erp_bridge import Mapping, MappingError
from scm_plugin.erp_bridge.dialects import get_dialect
from scm_plugin.erp_bridge.model import ENTITIES


@pytest.fixture
def refused(edit_mapping):
    """``refused(change)`` → the message of the MappingError the changed reference mapping gives."""
    def check(change) -> str:
        with pytest.raises(MappingError) as caught:
            edit_mapping(change)
        return str(caught.value)
    return check


def test_reference_mapping_loads_and_maps_every_entity(edit_mapping):
    m = Mapping.default()
    assert set(m.entities) == {name for name, e in ENTITIES.items() if not e.optional}
    assert m.table("item") == "Inventory" and m.column("item", "code") == "cInvCode"
    assert m.timezone == "Asia/Shanghai"
    # The rewriting the other tests use changes nothing by itself.
    same = edit_mapping(lambda d: None)
    assert {n: (e.table, e.columns, e.values, e.insert_defaults) for n, e in same.entities.items()} == \
        {n: (e.table, e.columns, e.values, e.insert_defaults) for n, e in m.entities.items()}


# --- validation: each problem is a MappingError naming the key ---------------------------------

def test_missing_entity_is_named(refused):
    msg = refused(lambda d: d.pop("supplier"))
    assert "[supplier]" in msg and "missing" in msg


def test_missing_required_field_is_named(refused):
    msg = refused(lambda d: d["customer"].pop("name"))
    assert "[customer]" in msg and "'name'" in msg


def test_unknown_field_is_named(refused):
    msg = refused(lambda d: d["item"].update(colour="cColour"))
    assert "[item]" in msg and "'colour'" in msg


def test_unknown_entity_is_named(refused):
    msg = refused(lambda d: d.update(custmer={"table": "Customer"}))
    assert "[custmer]" in msg


def test_missing_table_is_named(refused):
    msg = refused(lambda d: d["warehouse"].pop("table"))
    assert "[warehouse] table" in msg


@pytest.mark.parametrize("bad", [5, 1.5, True, ["cInvCode"]], ids=["int", "float", "bool", "list"])
def test_non_string_column_is_named(refused, bad):
    msg = refused(lambda d: d["item"].update(code=bad))
    assert "[item] code" in msg


@pytest.mark.parametrize("bad", ['cInv"Name', "cInvName; DROP TABLE Inventory", "cInv`Name", "cInv]Name",
                                 "cInv'Name", "cInv--Name", "", "9name", "a.b"])
def test_column_that_is_not_a_plain_name_is_refused(refused, bad):
    msg = refused(lambda d: d["item"].update(name=bad))
    assert "[item] name" in msg


@pytest.mark.parametrize("bad", ['Cust"omer', "Customer;DELETE FROM Customer", "a.b.c", "dbo.", ""])
def test_table_that_is_not_a_plain_name_is_refused(refused, bad):
    msg = refused(lambda d: d["customer"].update(table=bad))
    assert "[customer] table" in msg


def test_unknown_values_key_is_named(refused):
    msg = refused(lambda d: d["warehouse"]["values"].update(kind_cd="CD"))
    assert "[warehouse.values]" in msg and "'kind_cd'" in msg


def test_values_for_an_entity_without_values_is_refused(refused):
    msg = refused(lambda d: d["supplier"].update(values={"initial_status": "0"}))
    assert "[supplier.values]" in msg and "'initial_status'" in msg


def test_non_string_value_is_named(refused):
    msg = refused(lambda d: d["contract_review"]["values"].update(initial_status=0))
    assert "[contract_review.values] initial_status" in msg


def test_bad_insert_default_is_named(refused):
    msg = refused(lambda d: d["contract_review"]["insert_defaults"].update({"cBus;Type": "x"}))
    assert "[contract_review.insert_defaults]" in msg and "cBus;Type" in msg
    msg = refused(lambda d: d["contract_review"]["insert_defaults"].update(cFlag=True))
    assert "[contract_review.insert_defaults] cFlag" in msg


def test_column_mapped_twice_is_named(refused):
    msg = refused(lambda d: d["customer"].update(short_name="cCusName"))
    assert "[customer]" in msg and "cCusName" in msg


def test_erp_settings_are_checked(refused):
    assert "[erp] timezone" in refused(lambda d: d["erp"].update(timezone="Asia/Shangai"))
    assert "[erp] timezone" in refused(lambda d: d["erp"].update(timezone=8))
    assert "'currency'" in refused(lambda d: d["erp"].update(currency="CNY"))


def test_every_problem_is_reported_at_once(refused):
    def two(d):
        d["customer"].pop("code")
        d["item"].update(colour="x")
    msg = refused(two)
    assert "'code'" in msg and "'colour'" in msg


def test_bad_toml_is_a_mapping_error_with_the_position():
    with pytest.raises(MappingError) as caught:
        Mapping.loads('[customer]\ntable = "Customer"\ncode = cCusCode\n', source="my_erp.toml")
    msg = str(caught.value)
    assert "my_erp.toml" in msg and "TOML" in msg and "line 3" in msg


def test_missing_file_is_a_mapping_error_naming_it(tmp_path):
    with pytest.raises(MappingError) as caught:
        Mapping.load(tmp_path / "nope.toml")
    assert "nope.toml" in str(caught.value)


# --- rendering: identifiers quoted by the dialect ------------------------------------------------

QUOTED = {"sqlite": '"{}"', "postgresql": '"{}"', "mysql": "`{}`", "mssql": "[{}]"}


@pytest.mark.parametrize("dialect_name", sorted(QUOTED))
def test_mapped_names_are_quoted_by_the_dialect(dialect_name, alt_mapping):
    d = get_dialect(dialect_name)
    q = QUOTED[dialect_name].format
    sql = alt_mapping.render("SELECT {customer.short_name:c}, {item.family}, {process_step.seq}, "
                             "{progress.reporter} FROM {customer} c", d)
    assert sql == (f"SELECT c.{q('KH JC')}, {q('GROUP')}, {q('ORDER')}, {q('汇报人')} "
                   f"FROM {q('T_KEHU')} c")


def test_schema_qualified_table_is_quoted_part_by_part(edit_mapping):
    m = edit_mapping(lambda d: d["item"].update(table="dbo.Inventory"))
    assert m.render("SELECT 1 FROM {item}", get_dialect("mssql")) == "SELECT 1 FROM [dbo].[Inventory]"
    assert m.render("SELECT 1 FROM {item}", get_dialect("postgresql")) == 'SELECT 1 FROM "dbo"."Inventory"'


def test_unmapped_optional_field_renders_as_null(alt_mapping):
    sql = alt_mapping.render("SELECT {customer_contact.email} AS email, {customer_part.part_name:p} AS n",
                             get_dialect("postgresql"))
    assert sql == "SELECT NULL AS email, NULL AS n"


def test_unknown_tokens_are_refused():
    m = Mapping.default()
    d = get_dialect("sqlite")
    for template in ("SELECT {custmer.code}", "SELECT {customer.colour}", "SELECT 1 {:for_share}"):
        with pytest.raises(MappingError):
            m.render(template, d)


def test_identifier_longer_than_the_engine_allows_is_refused(edit_mapping):
    long_name = "c" + "x" * 70
    m = edit_mapping(lambda d: d["item"].update(spec=long_name))
    assert m.render("SELECT {item.spec}", get_dialect("sqlite")) == f'SELECT "{long_name}"'
    with pytest.raises(MappingError):
        m.render("SELECT {item.spec}", get_dialect("postgresql"))  # 63 characters at most


@pytest.mark.parametrize("dialect_name,for_update,lock", [
    ("sqlite", "", ""),
    ("postgresql", " FOR UPDATE", ""),
    ("mysql", " FOR UPDATE", ""),
    ("mssql", "", " WITH (UPDLOCK, ROWLOCK)"),
])
def test_row_lock_tokens(dialect_name, for_update, lock):
    sql = Mapping.default().render("SELECT 1 FROM {stock}{:lock} WHERE 1 = 1{:for_update}", get_dialect(dialect_name))
    q = QUOTED[dialect_name].format
    assert sql == f"SELECT 1 FROM {q('CurrentStock')}{lock} WHERE 1 = 1{for_update}"


def test_blocks_of_an_optional_entity_render_only_when_it_is_mapped(edit_mapping):
    dialect = get_dialect("postgresql")
    template = "FROM {item} i {?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}{!unit}-- none{/unit}"
    without = Mapping.default().render(template, dialect)
    assert without == 'FROM "Inventory" i -- none'
    with_unit = edit_mapping(lambda d: d.update(unit={"table": "ComputationUnit", "code": "cComunitCode",
                                                      "name": "cComUnitName"}))
    assert with_unit.render(template, dialect) == \
        'FROM "Inventory" i LEFT JOIN "ComputationUnit" u ON u."cComunitCode" = i."cComUnitCode"'
    with pytest.raises(MappingError):
        Mapping.default().render("{?units}x{/units}", dialect)
