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
        taken = tx.execute_sql("UPDATE scm_lease SET holder = ?, expires_at = ? "
                               "WHERE name = ? AND (holder = ? OR expires_at IS NULL OR expires_at < ?)",
                               holder, until, name, holder, now)
        if taken:
            return True
        if tx.scalar_sql("SELECT COUNT(*) AS n FROM scm_lease WHERE name = ?", name):
            return False
    try:
        with db.transaction(write=True) as tx:
            tx.execute_sql("INSERT INTO scm_lease (name, holder, expires_at) VALUES (?, ?, ?)", name, holder, until)
        return True
    except UniqueViolation:
        return False


def release(db: Database, name: str, holder: str) -> None:
    with db.transaction(write=True) as tx:
        tx.execute_sql("UPDATE scm_lease SET expires_at = NULL, holder = NULL WHERE name = ? AND holder = ?",
                       name, holder)


def holder_of(db: Database, name: str) -> dict | None:
    return db.one_sql("SELECT name, holder, expires_at FROM scm_lease WHERE name = ?", name)
