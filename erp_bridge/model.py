"""The logical ERP model: the entities the plugin reads and writes, and their fields.

Every customised ERP names these differently; the mapping file (``mapping.py``) says
where each lives. Types here are what the plugin expects, and what the reference schema
is created with. ``required`` fields must be mapped; optional ones, when unmapped,
read as NULL and are not written.
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import BIGINT, DATE, DATETIME, ID, INT, ColumnType, Decimal, String

ERP_QUANTITY = Decimal(20, 6)


@dataclass(frozen=True)
class Field:
    type: ColumnType
    required: bool = True


@dataclass(frozen=True)
class Entity:
    name: str
    title: str  # what an ERP administrator calls it
    fields: dict[str, Field]
    key: tuple[str, ...]  # the logical primary key
    parent: str | None = None  # for line tables: the header entity their ``header_id`` points at
    optional: bool = False     # the whole entity may be left out of the mapping

    @property
    def identity(self) -> str | None:
        for name, f in self.fields.items():
            if f.type.kind == "id":
                return name
        return None


def _e(name, title, key, parent=None, /, optional=False, **fields):
    return Entity(name, title, {k: v if isinstance(v, Field) else Field(v) for k, v in fields.items()},
                  key, parent, optional)


def _opt(t: ColumnType) -> Field:
    return Field(t, required=False)


# Codes as wide as U8 keeps them (cInvCode is 60); an ERP's own width, read from its
# catalog, is what input is checked against.
CODE = String(60)

_FORM_HEADER = dict(
    id=ID,
    form_no=String(30),
    customer_code=String(20),
    form_date=DATETIME,
    delivery_date=_opt(DATE),
    source_order_no=String(30),  # the web order it came from: unique, the exactly-once guard
    customer_order_no=_opt(String(40)),
    status=String(10),
    contract_no=_opt(String(30)),
    remarks=_opt(String(255)),
    maker=_opt(String(40)),
)

_FORM_LINE = dict(
    id=ID,
    header_id=BIGINT,
    row_no=INT,
    inventory_code=CODE,
    customer_part_no=_opt(String(40)),
    item_name=_opt(String(100)),
    spec=_opt(String(100)),
    master_disc_no=_opt(String(30)),
    quantity=ERP_QUANTITY,
    unit=_opt(String(20)),
    delivery_date=_opt(DATE),
    remarks=_opt(String(255)),
)

ENTITIES: dict[str, Entity] = {e.name: e for e in (
    _e("customer", "客户档案", ("code",),
       code=String(20), name=String(100), short_name=_opt(String(60)), email=_opt(String(100))),
    _e("customer_contact", "客户联系人", ("id",),
       id=ID, customer_code=String(20), name=String(40), mobile=_opt(String(30)),
       phone=_opt(String(30)), email=_opt(String(100))),
    _e("supplier", "供应商档案", ("code",), code=String(20), name=String(100)),
    _e("item", "存货档案", ("code",),
       code=CODE, name=String(100), spec=_opt(String(100)), unit=_opt(String(20)),
       master_disc_no=_opt(String(30)), family=_opt(String(20)), lead_days=_opt(INT)),
    _e("customer_part", "客户存货对照", ("customer_code", "part_no"),
       customer_code=String(20), part_no=String(40), inventory_code=CODE,
       part_name=_opt(String(100))),
    _e("warehouse", "仓库档案", ("code",), code=String(10), name=String(60), kind=String(20)),
    _e("stock", "现存量", ("warehouse_code", "inventory_code"),
       warehouse_code=String(10), inventory_code=CODE, quantity=ERP_QUANTITY),
    _e("contract_review", "合同评审单", ("id",), **_FORM_HEADER),
    _e("contract_review_line", "合同评审单明细", ("id",), "contract_review", **_FORM_LINE),
    _e("sample_review", "样品制作评审单", ("id",), **_FORM_HEADER),
    _e("sample_review_line", "样品制作评审单明细", ("id",), "sample_review", **_FORM_LINE),
    _e("process_step", "工序", ("code",), code=String(10), name=String(40), seq=INT),
    _e("progress", "订单打更记录", ("id",),
       id=_opt(ID), order_ref=String(30), process_code=String(10), quantity=ERP_QUANTITY,
       reported_at=DATETIME, reporter=_opt(String(40))),
    _e("unit", "计量单位", ("code",), optional=True, code=String(20), name=String(40)),
)}

# Logical constants an entity's mapping may (or must) give, with their defaults.
VALUES: dict[str, dict[str, str | None]] = {
    "warehouse": {"kind_disc": "disc", "kind_material": "material", "kind_accessory": "accessory"},
    "contract_review": {"initial_status": "0", "form_no_prefix": "HT"},
    "sample_review": {"initial_status": "0", "form_no_prefix": "YP"},
}
