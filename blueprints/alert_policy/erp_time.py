"""Times: the plugin keeps naive UTC; the ERP writes production progress in its own zone
(the mapping's ``[erp] timezone``, else SCM_TIMEZONE). These two are the one place where
they meet."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from scm_plugin.erp_bridge import Database


def _erp_zone(db: Database) -> ZoneInfo:
    return ZoneInfo(db.mapping.timezone or current_app.config["SCM_TIMEZONE"])


def to_erp(db: Database, utc: dt.datetime) -> dt.datetime:
    """Naive UTC → naive time in the ERP's zone (how the ERP writes its report times)."""
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(_erp_zone(db)).replace(tzinfo=None)


def from_erp(db: Database, local: dt.datetime | None) -> dt.datetime | None:
    """A time the ERP wrote (naive, its zone) → naive UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=_erp_zone(db)).astimezone(dt.timezone.utc).replace(tzinfo=None)
