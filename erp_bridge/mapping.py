"""The ERP mapping: logical entities and fields → the ERP's physical tables and columns.

The file is TOML, one table per entity::

    [item]
    table = "Inventory"          # may be schema-qualified: "dbo.Inventory"
    code = "cInvCode"
    name = "cInvName"
    master_disc_no = "cInvDefine1"

    [contract_review.values]     # logical constants (see model.VALUES)
    initial_status = "0"

    [contract_review.insert_defaults]   # physical column = literal, on every insert
    cBusType = "普通销售"

Identifiers only ever come from here and are quoted by the dialect; values always go
through ``?``. SQL in the bridge names mapped things as ``{item}`` (the table),
``{item.code}`` (a column) or ``{item.code:i}`` (a column qualified by alias ``i``);
an optional field that is not mapped renders as ``NULL``. ``{:for_update}`` and
``{:lock}`` are the dialect's row-locking clause and table hint.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MappingError
from .model import ENTITIES, VALUES

_ERP_KEYS = ("timezone",)
_IDENT_RE = re.compile(r"^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff$#@ ]*(\.[A-Za-z_\u0080-\uffff][\w\u0080-\uffff$#@ ]*)?$")
_TOKEN_RE = re.compile(r"\{(:?)([a-z_]+)(?:\.([a-z_]+))?(?::([A-Za-z_][A-Za-z0-9_]*))?\}")


@dataclass
class EntityMapping:
    entity: str
    table: str
    columns: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    insert_defaults: dict[str, Any] = field(default_factory=dict)


class Mapping:
    def __init__(self, entities: dict[str, EntityMapping], source: str = "<mapping>",
                 timezone: str | None = None):
        self.entities = entities
        self.source = source
        self.timezone = timezone

    # --- loading ----------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(f"cannot read the ERP mapping file {path}: {exc.strerror}") from None
        return cls.loads(text, source=str(path))

    @classmethod
    def default(cls) -> Mapping:
        from importlib.resources import files

        res = files("scm_plugin.config").joinpath("erp_mapping.toml")
        return cls.loads(res.read_text(encoding="utf-8"), source="scm_plugin/config/erp_mapping.toml")

    @classmethod
    def loads(cls, text: str, source: str = "<mapping>") -> Mapping:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{source}: not valid TOML: {exc}") from None
        problems: list[str] = []
        erp = data.pop("erp", {})
        if not isinstance(erp, dict):
            problems.append("[erp] must be a table")
            erp = {}
        for key, val in erp.items():
            if key not in _ERP_KEYS:
                problems.append(f"[erp] {key!r} is not a known setting (known: {', '.join(_ERP_KEYS)})")
            elif not isinstance(val, str):
                problems.append(f"[erp] {key} must be a string, got {val!r}")
            elif key == "timezone" and not _known_zone(val):
                problems.append(f"[erp] timezone {val!r} is not a known time zone (e.g. Asia/Shanghai)")
        unknown = sorted(set(data) - set(ENTITIES))
        for name in unknown:
            problems.append(f"[{name}] is not a known entity (known: {', '.join(sorted(ENTITIES))})")
        entities: dict[str, EntityMapping] = {}
        for name, entity in ENTITIES.items():
            section = data.get(name)
            if section is None:
                problems.append(f"[{name}] ({entity.title}) is missing")
                continue
            if not isinstance(section, dict):
                problems.append(f"[{name}] must be a table")
                continue
            entities[name] = _entity_mapping(name, section, problems)
        if problems:
            raise MappingError(f"{source}: " + "; ".join(problems))
        tz = erp.get("timezone")
        return cls(entities, source=source, timezone=tz if isinstance(tz, str) else None)

    # --- lookups ----------------------------------------------------------
    def table(self, entity: str) -> str:
        return self._entity(entity).table

    def column(self, entity: str, fld: str) -> str | None:
        """The physical column of a field, or None for an unmapped optional field."""
        em = self._entity(entity)
        if fld not in ENTITIES[entity].fields:
            raise MappingError(f"{entity} has no field {fld!r}")
        return em.columns.get(fld)

    def value(self, entity: str, key: str) -> str | None:
        return self._entity(entity).values.get(key)

    def _entity(self, entity: str) -> EntityMapping:
        try:
            return self.entities[entity]
        except KeyError:
            raise MappingError(f"unknown entity {entity!r}") from None

    def mapped_fields(self, entity: str) -> dict[str, str]:
        return dict(self._entity(entity).columns)

    # --- rendering SQL templates -----------------------------------------
    def render(self, template: str, dialect) -> str:
        def sub(m: re.Match) -> str:
            is_dialect, name, fld, alias = m.groups()
            if is_dialect:
                return _DIALECT_TOKENS[name](dialect) if name in _DIALECT_TOKENS else _bad(m)
            if name not in ENTITIES:
                return _bad(m)
            if fld is None:
                return dialect.quote_dotted(self.table(name))
            physical = self.column(name, fld)
            if physical is None:
                return "NULL"
            quoted = dialect.quote(physical)
            return f"{alias}.{quoted}" if alias else quoted

        return _TOKEN_RE.sub(sub, template)


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _bad(m: re.Match) -> str:
    raise MappingError(f"unknown token {m.group(0)} in SQL template")


_DIALECT_TOKENS = {
    "for_update": lambda d: d.for_update(),
    "for_update_skip_locked": lambda d: d.for_update(skip_locked=True),
    "lock": lambda d: d.lock_hint(),
    "lock_skip_locked": lambda d: d.lock_hint(skip_locked=True),
}


def _entity_mapping(name: str, section: dict[str, Any], problems: list[str]) -> EntityMapping:
    entity = ENTITIES[name]
    table = section.get("table")
    if not isinstance(table, str) or not _IDENT_RE.match(table):
        problems.append(f"[{name}] table must be a table name, got {table!r}")
        table = ""
    columns: dict[str, str] = {}
    values = dict(VALUES.get(name, {}))
    insert_defaults: dict[str, Any] = {}
    for key, val in section.items():
        if key == "table":
            continue
        if key == "values":
            if not isinstance(val, dict):
                problems.append(f"[{name}.values] must be a table")
                continue
            for vk, vv in val.items():
                if vk not in VALUES.get(name, {}):
                    problems.append(f"[{name}.values] {vk!r} is not a known value")
                elif not isinstance(vv, str):
                    problems.append(f"[{name}.values] {vk} must be a string")
                else:
                    values[vk] = vv
            continue
        if key == "insert_defaults":
            if not isinstance(val, dict):
                problems.append(f"[{name}.insert_defaults] must be a table")
                continue
            for col, lit in val.items():
                if not _IDENT_RE.match(col) or "." in col:
                    problems.append(f"[{name}.insert_defaults] {col!r} is not a column name")
                elif not isinstance(lit, (str, int, float)) or isinstance(lit, bool):
                    problems.append(f"[{name}.insert_defaults] {col} must be a string or number")
                else:
                    insert_defaults[col] = lit
            continue
        if key not in entity.fields:
            problems.append(f"[{name}] {key!r} is not a field of {name} "
                            f"(fields: {', '.join(entity.fields)})")
            continue
        if not isinstance(val, str) or not _IDENT_RE.match(val) or "." in val:
            problems.append(f"[{name}] {key} must be a column name, got {val!r}")
            continue
        columns[key] = val
    for fname, f in entity.fields.items():
        if f.required and fname not in columns:
            problems.append(f"[{name}] missing key {fname!r} ({entity.title})")
    dupes = {c for c in columns.values() if list(columns.values()).count(c) > 1}
    if dupes:
        problems.append(f"[{name}] column(s) mapped twice: {', '.join(sorted(dupes))}")
    return EntityMapping(name, table, columns, values, insert_defaults)
