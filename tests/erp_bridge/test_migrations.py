"""The plugin's own tables: ``migrations.upgrade`` (what ``flask scm init-db`` runs) creates
them on a fresh database, and running it again changes nothing."""
from __future__ import annotations

import datetime as dt
from types import ModuleType

import pytest

from scm_plugin.erp_bridge import migrations
from scm_plugin.erp_bridge.schema import INT, Column, Table


def _catalog(db) -> dict[str, set[str] | None]:
    return {table: db.catalog_columns(table) for table in migrations.plugin_tables()}


def _version_rows(db) -> list[dict]:
    return db.all_sql("SELECT version, description, applied_at FROM scm_schema_version ORDER BY version")


class _Recorder:
    """Stands in for ``migrations.Ops``: the schema the migrations declare, engine-free."""

    def __init__(self):
        self.columns: dict[str, set[str]] = {}
        self.indexes: dict[str, set[str]] = {}

    def create_table(self, table):
        self.columns.setdefault(table.name, {c.name for c in table.columns})
        self.indexes.setdefault(table.name, set()).update(ix.name for ix in table.indexes)

    def add_column(self, table, column):
        self.columns[table].add(column.name)

    def create_index(self, table, index):
        self.indexes[table].add(index.name)

    def ensure_row(self, table, key, values=None):
        assert table in self.columns and set(key) | set(values or {}) <= self.columns[table]


def _declared() -> _Recorder:
    rec = _Recorder()
    rec.create_table(migrations.VERSION_TABLE)
    for mod in migrations.migration_modules():
        mod.upgrade(rec)
    return rec


def test_upgrade_creates_every_plugin_table_on_a_fresh_database(make_database):
    db = make_database()
    assert migrations.current_version(db) == 0
    assert all(cols is None for cols in _catalog(db).values())

    applied = migrations.upgrade(db)

    assert [a.version for a in applied] == [m.VERSION for m in migrations.migration_modules()]
    assert migrations.current_version(db) == migrations.latest_version() >= 1
    catalog = _catalog(db)
    declared = _declared()
    assert set(catalog) == set(declared.columns)
    for table, cols in catalog.items():
        assert cols is not None, f"{table} was not created"
        assert {c.lower() for c in cols} == declared.columns[table], table
        assert declared.indexes[table] <= (db.catalog_indexes(table) or set()), table
    rows = _version_rows(db)
    assert [r["version"] for r in rows] == [a.version for a in applied]
    assert all(r["description"] and isinstance(r["applied_at"], dt.datetime) for r in rows)


def test_second_upgrade_applies_nothing_and_changes_nothing(make_database):
    db = make_database()
    migrations.upgrade(db)
    with db.transaction() as tx:  # data in the tables must survive a re-run too
        tx.execute_sql("INSERT INTO scm_lease (name, holder) VALUES (?, ?)", "alerts", "host-1")
    catalog, versions = _catalog(db), _version_rows(db)

    assert migrations.upgrade(db) == []

    assert _catalog(db) == catalog
    assert _version_rows(db) == versions
    assert db.all_sql("SELECT name, holder FROM scm_lease") == [{"name": "alerts", "holder": "host-1"}]


@pytest.mark.parametrize("version", [m.VERSION for m in migrations.migration_modules()])
def test_upgrade_finishes_a_migration_that_stopped_before_recording_itself(make_database, version):
    """MariaDB commits each DDL statement at once: a crash inside a migration leaves its
    tables, columns and indexes but no version row. The next run must redo that
    migration without failing on what already exists."""
    db = make_database()
    with db.transaction() as tx:
        migrations.Ops(db, tx).create_table(migrations.VERSION_TABLE)
    for mod in migrations.migration_modules():
        if mod.VERSION > version:
            break
        with db.transaction() as tx:
            mod.upgrade(migrations.Ops(db, tx))
            if mod.VERSION < version:
                tx.execute_sql("INSERT INTO scm_schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                               mod.VERSION, mod.DESCRIPTION, dt.datetime(2026, 1, 1))
    assert migrations.current_version(db) == version - 1

    applied = migrations.upgrade(db)

    assert applied[0].version == version
    assert migrations.current_version(db) == migrations.latest_version()
    assert all(cols is not None for cols in _catalog(db).values())
    assert migrations.upgrade(db) == []


def test_plugin_tables_live_beside_the_erp(db):
    """The session database (ERP + plugin tables) is at the latest version."""
    assert migrations.current_version(db) == migrations.latest_version()
    assert all(cols is not None for cols in _catalog(db).values())


def _branch_migration(version: int, table: str) -> ModuleType:
    """A migration as a branch adds it: one table of its own."""
    mod = ModuleType(f"v{version:04d}_branch")
    mod.VERSION, mod.DESCRIPTION = version, f"branch table {table}"
    mod.TABLES = [Table(table, [Column("id", INT, nullable=False)], primary_key=("id",))]

    def upgrade(ops):
        ops.create_table(mod.TABLES[0])

    mod.upgrade = upgrade
    return mod


def test_upgrade_applies_an_earlier_version_that_arrived_after_a_later_one(make_database, monkeypatch):
    """Two branches each add a migration; the development database got the later number
    first. The earlier one must still be applied, once."""
    # Two stand-in versions after the real ones.
    real = migrations.migration_modules()
    last = real[-1].VERSION
    mods = [*real, _branch_migration(last + 1, "scm_branch_a"), _branch_migration(last + 2, "scm_branch_b")]
    monkeypatch.setattr(migrations, "migration_modules", lambda: mods)
    skipped = mods[-2]
    db = make_database()
    with db.transaction() as tx:
        migrations.Ops(db, tx).create_table(migrations.VERSION_TABLE)
    for mod in mods:
        if mod is skipped:
            continue
        with db.transaction() as tx:
            mod.upgrade(migrations.Ops(db, tx))
            tx.execute_sql("INSERT INTO scm_schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                           mod.VERSION, mod.DESCRIPTION, dt.datetime(2026, 1, 1))
    missing = [t.name for t in getattr(skipped, "TABLES", []) if db.catalog_columns(t.name) is None]

    applied = migrations.upgrade(db)

    assert [a.version for a in applied] == [skipped.VERSION]
    assert all(db.catalog_columns(name) is not None for name in missing)
    assert [r["version"] for r in _version_rows(db)] == [m.VERSION for m in mods]
    assert migrations.upgrade(db) == []
