"""Times as the plugin stores them (naive UTC, converted for display in the UI), and as
the ERP writes them: naive local times in its own zone (``ErpTime``)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# Where an ERP writes local times when neither the mapping ([erp] timezone) nor the
# plugin's settings (SCM_TIMEZONE, whose default this is) say otherwise.
DEFAULT_ERP_TIMEZONE = "Asia/Shanghai"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ErpTime:
    """The one place where the plugin's times (naive UTC) and the ERP's (naive, its zone) meet."""

    def __init__(self, zone: str):
        self.zone = ZoneInfo(zone)

    def now(self) -> dt.datetime:
        """Now as the ERP writes it (whole seconds)."""
        return dt.datetime.now(self.zone).replace(tzinfo=None, microsecond=0)

    def to_erp(self, utc: dt.datetime) -> dt.datetime:
        """Naive UTC → naive time in the ERP's zone (how the ERP writes its report times)."""
        return utc.replace(tzinfo=dt.timezone.utc).astimezone(self.zone).replace(tzinfo=None)

    def from_erp(self, local: dt.datetime | None) -> dt.datetime | None:
        """A time the ERP wrote (naive, its zone) → naive UTC."""
        if local is None:
            return None
        return local.replace(tzinfo=self.zone).astimezone(dt.timezone.utc).replace(tzinfo=None)
