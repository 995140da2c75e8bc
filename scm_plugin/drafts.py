"""Drafts: files uploaded with a form that was refused, kept so the user need not choose
them again (orders, complaints, replies), and adopted by the form's next submission.
Those nobody came back for are removed by a
scheduled job after ``SCM_DRAFT_RETENTION_HOURS``: the row first, then the file, so a
form adopting the draft at that moment either gets it whole or not at all."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import Flask

from . import storage
from .erp_bridge import Database
from .erp_bridge.clock import utcnow
from .erp_bridge.repos import files as files_repo
from .errors import InvalidInput

log = logging.getLogger(__name__)

BATCH = 500


def adopt_drafts(tx, draft_ids: Iterable, *, user_id: int, owner_type: str, owner_id: int,
                 customer_code: str | None, field: str = "files") -> int:
    """Attach the files this user kept from an earlier, refused submission of the form.
    A draft that is gone (purged, adopted by another tab, not this user's) refuses the
    whole submission: placing it without the file the user saw listed would lose it.
    ``field`` names the form's file field, where the message is shown."""
    n = 0
    for draft_id in draft_ids or ():
        if not (str(draft_id).isdigit() and files_repo.adopt_draft(tx, int(draft_id), user_id, owner_type,
                                                                   owner_id, customer_code)):
            raise InvalidInput({field: "draft_gone"})
        n += 1
    return n


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

