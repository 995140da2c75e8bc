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

Entities the plugin writes (the review forms and their lines) also say where their ids
come from (``id_source``, ``[….id_allocator]``), how forms are numbered
(``form_no_pattern``), whether the form date keeps a time (``form_date_kind``) and which
columns are copied from the customer card (``[….from_customer]``); ``[warehouse]
exclude`` leaves warehouses out of every figure and ``[progress] order_ref_is`` says
which form number progress reports name. docs/erp-mapping.md describes every key.

Identifiers only ever come from here and are quoted by the dialect; values always go
through ``?``. SQL in the bridge names mapped things as ``{item}`` (the table),
``{item.code}`` (a column) or ``{item.code:i}`` (a column qualified by alias ``i``);
an optional field that is not mapped renders as ``NULL``. ``{?unit}…{/unit}`` keeps its
text only when the (optional) entity is mapped, e.g. a join of its table, ``{!unit}…{/unit}``
only when it is not. ``{:for_update}``
and ``{:lock}`` are the dialect's row-locking clause and table hint.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MappingError
from .model import ENTITIES, VALUES
from .numbering import FormNoPattern, PatternError

_ERP_KEYS = ("timezone",)
_IDENT_RE = re.compile(r"^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff$#@ ]*(\.[A-Za-z_\u0080-\uffff][\w\u0080-\uffff$#@ ]*)?$")
_BLOCK_RE = re.compile(r"\{([?!])([a-z_]+)\}(.*?)\{/\2\}", re.S)
_TOKEN_RE = re.compile(r"\{(:?)([a-z_]+)(?:\.([a-z_]+))?(?::([A-Za-z_][A-Za-z0-9_]*))?\}")


ID_SOURCES = ("identity", "allocator", "max_plus_one")
FORM_DATE_KINDS = ("datetime", "date")
ORDER_REF_KINDS = ("form_no", "contract_no")
FORM_HEADERS = ("contract_review", "sample_review")
FORM_LINES = ("contract_review_line", "sample_review_line")
# Entity-level keys beside ``table``, fields, ``values`` and ``insert_defaults``.
_OPTION_KEYS: dict[str, tuple[str, ...]] = {
    **{e: ("id_source", "id_allocator", "form_no_pattern", "form_date_kind", "from_customer")
       for e in FORM_HEADERS},
    **{e: ("id_source", "id_allocator") for e in FORM_LINES},
    "warehouse": ("exclude",),
    "progress": ("order_ref_is",),
}
# Fields that may share one physical column: contacts kept on the customer card are
# identified by the customer's code.
_SHARED_COLUMNS = {"customer_contact": {"id", "customer_code"}}


@dataclass(frozen=True)
class IdAllocator:
    """A row of an ERP table holding the last id used (U8's ``UA_Identity``)."""
    table: str
    value: str                       # the column holding the last id; the next is value + 1
    where: dict[str, str | int]      # column = value, naming the row


@dataclass
class EntityMapping:
    entity: str
    table: str
    columns: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    insert_defaults: dict[str, Any] = field(default_factory=dict)
    id_source: str = "identity"
    id_allocator: IdAllocator | None = None
    form_no_pattern: FormNoPattern | None = None
    form_date_kind: str = "datetime"
    from_customer: dict[str, str] = field(default_factory=dict)  # form column = customer column
    exclude: tuple[str, ...] = ()
    order_ref_is: str = "form_no"


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
                if not entity.optional:
                    problems.append(f"[{name}] ({entity.title}) is missing")
                continue
            if not isinstance(section, dict):
                problems.append(f"[{name}] must be a table")
                continue
            entities[name] = _entity_mapping(name, section, problems)
        progress = entities.get("progress")
        if progress and progress.order_ref_is == "contract_no":
            for form in FORM_HEADERS:
                if form in entities and "contract_no" not in entities[form].columns:
                    problems.append(f"[progress] order_ref_is = \"contract_no\" needs [{form}] contract_no")
        if problems:
            raise MappingError(f"{source}: " + "; ".join(problems))
        tz = erp.get("timezone")
        return cls(entities, source=source, timezone=tz if isinstance(tz, str) else None)

    # --- lookups ----------------------------------------------------------
    def has(self, entity: str) -> bool:
        """Whether an entity is mapped (optional entities such as ``unit`` may not be)."""
        return entity in self.entities

    def table(self, entity: str) -> str:
        return self._entity(entity).table

    def column(self, entity: str, fld: str) -> str | None:
        """The physical column of a field, or None for an unmapped optional field (or a
        field of an optional entity that is not mapped)."""
        if entity in ENTITIES and fld in ENTITIES[entity].fields and entity not in self.entities \
                and ENTITIES[entity].optional:
            return None
        em = self._entity(entity)
        if fld not in ENTITIES[entity].fields:
            raise MappingError(f"{entity} has no field {fld!r}")
        return em.columns.get(fld)

    def form_no_pattern(self, entity: str) -> FormNoPattern:
        """How forms of a header entity are numbered (``form_no_pattern``, else the
        ``form_no_prefix`` value, the day and the form's id)."""
        em = self._entity(entity)
        return em.form_no_pattern or FormNoPattern.from_prefix(em.values.get("form_no_prefix") or "")

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

        def block(m: re.Match) -> str:
            when, name, text = m.groups()
            if name not in ENTITIES:
                raise MappingError(f"unknown entity {name!r} in {{{when}{name}}} of an SQL template")
            return text if self.has(name) == (when == "?") else ""

        return _TOKEN_RE.sub(sub, _BLOCK_RE.sub(block, template))


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
    options: dict[str, Any] = {}
    for key, val in section.items():
        if key == "table":
            continue
        if key in _OPTION_KEYS.get(name, ()):
            options[key] = val
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
    shared = _SHARED_COLUMNS.get(name, set())
    users = {c: {f for f, col in columns.items() if col == c} for c in columns.values()}
    dupes = {c for c, fields in users.items() if len(fields) > 1 and not fields <= shared}
    if dupes:
        problems.append(f"[{name}] column(s) mapped twice: {', '.join(sorted(dupes))}")
    em = EntityMapping(name, table, columns, values, insert_defaults)
    _apply_options(em, options, problems)
    return em


def _apply_options(em: EntityMapping, options: dict[str, Any], problems: list[str]) -> None:
    name = em.entity
    allocator = options.get("id_allocator")
    source = options.get("id_source", "allocator" if allocator is not None else "identity")
    if source not in ID_SOURCES:
        problems.append(f"[{name}] id_source must be one of {', '.join(ID_SOURCES)}, got {source!r}")
    else:
        em.id_source = source
    if allocator is not None:
        em.id_allocator = _allocator(name, allocator, problems)
        if source != "allocator":
            problems.append(f"[{name}.id_allocator] is given but id_source is {source!r} (use \"allocator\")")
    elif source == "allocator":
        problems.append(f"[{name}] id_source = \"allocator\" needs [{name}.id_allocator] "
                        "with table, value and where")
    if "form_no_pattern" in options:
        pattern = options["form_no_pattern"]
        if not isinstance(pattern, str):
            problems.append(f"[{name}] form_no_pattern must be a string such as \"HT{{date:%Y%m%d}}{{seq:4}}\"")
        else:
            try:
                em.form_no_pattern = FormNoPattern.parse(pattern)
            except PatternError as exc:
                problems.append(f"[{name}] form_no_pattern {pattern!r}: {exc}")
    if "form_no_pattern" not in options and name in FORM_HEADERS:
        try:
            FormNoPattern.from_prefix(em.values.get("form_no_prefix") or "")
        except PatternError as exc:
            problems.append(f"[{name}.values] form_no_prefix: {exc}")
    kind = options.get("form_date_kind", "datetime")
    if kind not in FORM_DATE_KINDS:
        problems.append(f"[{name}] form_date_kind must be \"date\" or \"datetime\", got {kind!r}")
    else:
        em.form_date_kind = kind
    if "from_customer" in options:
        em.from_customer = _column_pairs(f"{name}.from_customer", options["from_customer"], problems)
        clash = sorted(set(em.from_customer) & set(em.columns.values()))
        if clash:
            problems.append(f"[{name}.from_customer] {', '.join(clash)} is already written from a field")
    if "exclude" in options:
        codes = options["exclude"]
        if not isinstance(codes, list) or not all(isinstance(c, str) and c.strip() for c in codes):
            problems.append(f"[{name}] exclude must be a list of warehouse codes, e.g. [\"09\"]")
        else:
            em.exclude = tuple(c.strip() for c in codes)
    ref = options.get("order_ref_is", "form_no")
    if ref not in ORDER_REF_KINDS:
        problems.append(f"[{name}] order_ref_is must be \"form_no\" or \"contract_no\", got {ref!r}")
    else:
        em.order_ref_is = ref


def _allocator(name: str, spec: Any, problems: list[str]) -> IdAllocator | None:
    where_name = f"[{name}.id_allocator]"
    if not isinstance(spec, dict):
        problems.append(f"{where_name} must be a table with table, value and where")
        return None
    unknown = sorted(set(spec) - {"table", "value", "where"})
    if unknown:
        problems.append(f"{where_name} {', '.join(map(repr, unknown))}: known keys are table, value, where")
    table, value, where = spec.get("table"), spec.get("value"), spec.get("where", {})
    ok = True
    if not isinstance(table, str) or not _IDENT_RE.match(table):
        problems.append(f"{where_name} table must be a table name, got {table!r}")
        ok = False
    if not isinstance(value, str) or not _IDENT_RE.match(value) or "." in value:
        problems.append(f"{where_name} value must be the column holding the last id, got {value!r}")
        ok = False
    if not isinstance(where, dict) or not where:
        problems.append(f"{where_name} where must name the row, e.g. {{ cAcc_Id = \"001\", cVouchType = \"HTPS\" }}")
        ok = False
    else:
        for col, lit in where.items():
            if not _IDENT_RE.match(col) or "." in col:
                problems.append(f"{where_name} where: {col!r} is not a column name")
                ok = False
            elif not isinstance(lit, (str, int)) or isinstance(lit, bool):
                problems.append(f"{where_name} where: {col} must be a string or whole number")
                ok = False
    return IdAllocator(table, value, dict(where)) if ok else None


def _column_pairs(where_name: str, spec: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(spec, dict):
        problems.append(f"[{where_name}] must be a table of form column = customer column")
        return {}
    pairs = {}
    for col, source in spec.items():
        if not _IDENT_RE.match(col) or "." in col:
            problems.append(f"[{where_name}] {col!r} is not a column name")
        elif not isinstance(source, str) or not _IDENT_RE.match(source) or "." in source:
            problems.append(f"[{where_name}] {col} must name a column of the customer table, got {source!r}")
        else:
            pairs[col] = source
    return pairs
