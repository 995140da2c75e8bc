"""A small, engine-neutral description of tables, rendered to DDL by a dialect.

Used for the plugin's own tables (migrations) and for creating the reference ERP
schema from the mapping. Types are deliberately few: what the plugin stores.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnType:
    kind: str  # id | int | bigint | string | text | decimal | datetime | date | bool
    length: int | None = None
    precision: int | None = None
    scale: int | None = None


ID = ColumnType("id")
INT = ColumnType("int")
BIGINT = ColumnType("bigint")
TEXT = ColumnType("text")
DATETIME = ColumnType("datetime")
DATE = ColumnType("date")
BOOL = ColumnType("bool")


def String(length: int) -> ColumnType:  # noqa: N802 - reads like a type
    return ColumnType("string", length=length)


def Decimal(precision: int = 18, scale: int = 4) -> ColumnType:  # noqa: N802
    return ColumnType("decimal", precision=precision, scale=scale)


QUANTITY = Decimal(18, 4)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    default: str | int | None = None  # a literal; strings are quoted by the dialect

    @property
    def is_identity(self) -> bool:
        return self.type.kind == "id"


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: tuple[str, ...] = ()
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def col(name: str, type_: ColumnType, *, null: bool = True, default=None) -> Column:
    """Shorthand used by migrations: ``col("qty", QUANTITY, null=False)``."""
    return Column(name, type_, nullable=null, default=default)
