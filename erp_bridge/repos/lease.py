"""A lease in the database: at most one holder runs a scheduled job at a time, across
web workers, hosts and a separate scheduler process. An expired lease can be taken
over, so a crashed holder does not block the job forever."""
from __future__ import annotations

import datetime as dt

from ..clock import utcnow
from ..connection import Database
from ..errors import UniqueViolation


def acquire(db: Database, name: str, holder: str, seconds: int) -> bool:
    now = utcnow()
    until = now + dt.timedelta(seconds=seconds)
    with db.transaction(write=True) as tx:
        taken = tx.execute("lease.take", holder, until, name, holder, now)
        if taken:
            return True
        if tx.scalar("lease.count", name):
            return False
    try:
        with db.transaction(write=True) as tx:
            tx.execute("lease.insert", name, holder, until)
        return True
    except UniqueViolation:
        return False


def release(db: Database, name: str, holder: str) -> None:
    with db.transaction(write=True) as tx:
        tx.execute("lease.release", name, holder)


def holder_of(db: Database, name: str) -> dict | None:
    return db.one("lease.by_name", name)
