"""Values as the JSON API and the audit log write them."""
from __future__ import annotations

import datetime as dt


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """Stored naive UTC → ISO 8601 with Z; a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def text(value) -> str | None:
    """A number as text, so no digit is lost to a float (None stays None)."""
    return None if value is None else str(value)
