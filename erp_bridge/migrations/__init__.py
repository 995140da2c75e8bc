"""Versioned migrations of the plugin's own tables (``scm_`` prefix).

Each ``vNNNN_*.py`` module has ``VERSION``, ``DESCRIPTION`` and ``upgrade(ops)``.
``upgrade(db)`` applies every one not yet recorded in ``scm_schema_version``;
running it again changes nothing. Each step is idempotent on its own (a table that
already exists is left alone), so an engine without transactional DDL (MariaDB) that
stopped half-way is finished by the next run.
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from ..connection import Database, Transaction
from ..schema import INT, Column, DATETIME, Index, String, Table

log = logging.getLogger(__name__)

VERSION_TABLE = Table("scm_schema_version", [
    Column("version", INT, nullable=False),
    Column("description", String(200)),
    Column("applied_at", DATETIME),
], primary_key=("version",))


@dataclass
class Applied:
    version: int
    description: str


class Ops:
    """What a migration may do; every operation is safe to repeat."""

    def __init__(self, db: Database, tx: Transaction):
        self.db = db
        self.tx = tx

    def create_table(self, table: Table) -> None:
        if self.db.catalog_columns(table.name, self.tx) is not None:
            return
        for stmt in self.db.dialect.create_table(table):
            self.tx.ddl(stmt)

    def add_column(self, table: str, column: Column) -> None:
        cols = self.db.catalog_columns(table, self.tx) or set()
        if column.name.lower() in {c.lower() for c in cols}:
            return
        self.tx.ddl(self.db.dialect.add_column(table, column))

    def ensure_row(self, table: str, key: dict, values: dict | None = None) -> None:
        """A row the plugin relies on (looked up by ``key``), inserted when absent."""
        q = self.db.dialect.quote
        where = " AND ".join(f"{q(c)} = ?" for c in key)
        if self.tx.scalar_sql(f"SELECT COUNT(*) FROM {q(table)} WHERE {where}", *key.values()):
            return
        row = {**key, **(values or {})}
        self.tx.execute_sql(f"INSERT INTO {q(table)} ({', '.join(map(q, row))}) "
                            f"VALUES ({', '.join('?' for _ in row)})", *row.values())

    def create_index(self, table: str, index: Index) -> None:
        existing = self.db.catalog_indexes(table, self.tx) or set()
        if any(self.db.dialect.same_identifier(name, index.name) for name in existing):
            return
        self.tx.ddl(self.db.dialect.create_index(table, index))


def migration_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("v") and info.name[1:5].isdigit():
            mods.append(importlib.import_module(f"{__name__}.{info.name}"))
    mods.sort(key=lambda m: m.VERSION)
    versions = [m.VERSION for m in mods]
    assert versions == sorted(set(versions)), "migration versions must be unique"
    return mods


def current_version(db: Database) -> int:
    if db.catalog_columns(VERSION_TABLE.name) is None:
        return 0
    return int(db.scalar("migrations.current_version") or 0)


def latest_version() -> int:
    mods = migration_modules()
    return mods[-1].VERSION if mods else 0


def upgrade(db: Database) -> list[Applied]:
    if db.catalog_columns(VERSION_TABLE.name) is None:
        with db.transaction() as tx:
            Ops(db, tx).create_table(VERSION_TABLE)
    # Every version not yet recorded, not only those above the highest: migrations written
    # on parallel branches may reach a development database out of order.
    done = {int(r["version"]) for r in db.all("migrations.applied_versions")}
    applied: list[Applied] = []
    for mod in migration_modules():
        if mod.VERSION in done:
            continue
        log.info("applying migration %04d: %s", mod.VERSION, mod.DESCRIPTION)
        with db.transaction() as tx:
            mod.upgrade(Ops(db, tx))
            tx.execute("migrations.record_version", mod.VERSION, mod.DESCRIPTION,
                       dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        applied.append(Applied(mod.VERSION, mod.DESCRIPTION))
    return applied


def plugin_tables() -> list[str]:
    """Names of every table the migrations create (tests drop them)."""
    names = [VERSION_TABLE.name]
    for mod in migration_modules():
        names.extend(t.name for t in getattr(mod, "TABLES", []))
    return names
