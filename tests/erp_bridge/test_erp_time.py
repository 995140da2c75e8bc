"""The ERP's local times: one zone per database — the mapping's ``[erp] timezone``, else
the one the plugin was configured with (SCM_TIMEZONE)."""
from __future__ import annotations

import datetime as dt

from scm_plugin.erp_bridge import Database, Mapping

DSN = "DRIVER={SQLite3};Database=:memory:"


def test_the_mapping_zone_wins_over_the_configured_one():
    mapping = Mapping.default()
    mapping.timezone = "Asia/Tokyo"
    db = Database(DSN, mapping, timezone="Europe/Berlin")
    assert str(db.erp_time.zone) == "Asia/Tokyo"
    assert db.erp_time.to_erp(dt.datetime(2026, 12, 3, 0, 0)) == dt.datetime(2026, 12, 3, 9, 0)


def test_without_a_mapping_zone_the_configured_one_applies_and_round_trips():
    db = Database(DSN, Mapping.default(), timezone="Asia/Shanghai")
    utc = dt.datetime(2026, 12, 3, 16, 30)
    local = db.erp_time.to_erp(utc)
    assert local == dt.datetime(2026, 12, 4, 0, 30)               # past midnight in Shanghai
    assert db.erp_time.from_erp(local) == utc
    assert db.erp_time.from_erp(None) is None
    now = db.erp_time.now()
    assert now.tzinfo is None and now.microsecond == 0
