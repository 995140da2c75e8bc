"""Drafts: files uploaded with a form that was refused, kept so the user need not choose
them again (orders, complaints, replies). Those nobody came back for are removed by a
scheduled job after ``SCM_DRAFT_RETENTION_HOURS``: the row first, then the file, so a
form adopting the draft at that moment either gets it whole or not at all."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Flask

from . import storage
from .erp_bridge import Database
from .erp_bridge.clock import utcnow
from .erp_bridge.repos import files as files_repo
from .scheduler import register_job

log = logging.getLogger(__name__)

BATCH = 500


def purge_stale_drafts(db: Database, older_than: dt.timedelta, *, now: dt.datetime | None = None) -> int:
    """Remove drafts uploaded before ``now - older_than``; returns how many went."""
    before = (now or utcnow()) - older_than
    removed = 0
    while True:
        stale = db.read(lambda tx: files_repo.stale_drafts(tx, before, BATCH))
        for row in stale:
            with db.transaction() as tx:
                gone = files_repo.delete_draft(tx, row["id"])
            if gone:
                try:
                    storage.path_of(row["storage_name"]).unlink(missing_ok=True)
                except FileNotFoundError:  # a malformed stored name: nothing on disk to remove
                    pass
                removed += 1
        if len(stale) < BATCH:
            return removed


def purge_job(app: Flask) -> None:
    hours = float(app.config["SCM_DRAFT_RETENTION_HOURS"])
    n = purge_stale_drafts(app.extensions["scm"].db, dt.timedelta(hours=hours))
    if n:
        log.info("removed %s draft files older than %s hours", n, hours)


register_job("drafts", purge_job, "SCM_DRAFT_PURGE_SECONDS")
