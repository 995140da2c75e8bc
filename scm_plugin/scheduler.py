"""Scheduled jobs: declared by the modules (``Module.jobs``), run by APScheduler, each run guarded by
a lease in the database so that several web workers, hosts or a second
``flask scm scheduler`` never run the same job at once.

Production runs ``flask scm scheduler`` as its own process; the demo starts it
in-process. ``init_app`` never starts it.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable

from flask import Flask

from .erp_bridge import BridgeError
from .erp_bridge.repos import lease
from .modules import Job
from .state import get_state

log = logging.getLogger(__name__)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def run_job(app: Flask, job: Job) -> bool:
    """One guarded run. Returns False when another holder has the lease."""
    db = app.extensions["scm"].db
    holder = holder_id()
    seconds = int(app.config["SCM_SCHEDULER_LEASE_SECONDS"])
    try:
        if not lease.acquire(db, f"job:{job.name}", holder, seconds):
            log.debug("job %s: lease held elsewhere; skipping", job.name)
            return False
    except BridgeError as exc:
        log.warning("job %s: database unavailable (%s); will retry next interval", job.name, exc.sqlstate)
        return False
    try:
        with app.app_context():
            job.func(app)
    except BridgeError as exc:
        log.warning("job %s failed on the database (%s): %s", job.name, exc.sqlstate, exc.detail)
    except Exception:
        log.exception("job %s failed", job.name)
    finally:
        try:
            lease.release(db, f"job:{job.name}", holder)
        except BridgeError:
            pass  # the lease expires on its own
    return True


def jobs_of(app: Flask) -> dict[str, Job]:
    """The jobs of the modules enabled on this app, by name."""
    return get_state(app).jobs


def _scheduler(app: Flask, blocking: bool, extra: Iterable[Job] = ()):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    sched = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=app.config["SCM_TIMEZONE"])
    for job in (*jobs_of(app).values(), *extra):
        seconds = int(app.config[job.interval_key])
        # coalesce + one instance: a missed run is not replayed, the next run catches up.
        sched.add_job(run_job, "interval", seconds=seconds, args=(app, job), id=job.name,
                      coalesce=True, max_instances=1, misfire_grace_time=seconds)
    return sched


def start_in_process(app: Flask, extra: Iterable[Job] = ()):
    """``extra``: jobs of this process only (the demo's ERP stand-in)."""
    sched = _scheduler(app, blocking=False, extra=extra)
    sched.start()
    log.info("scheduler started in-process with jobs: %s",
             ", ".join(job.id for job in sched.get_jobs()) or "none")
    return sched


def run_forever(app: Flask) -> None:
    sched = _scheduler(app, blocking=True)
    log.info("scheduler running with jobs: %s", ", ".join(jobs_of(app)) or "none")
    sched.start()
