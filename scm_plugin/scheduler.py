"""Scheduled jobs: registered by the modules, run by APScheduler, each run guarded by
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
from dataclasses import dataclass
from typing import Callable

from flask import Flask

from .erp_bridge import BridgeError
from .erp_bridge.repos import lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[Flask], object]   # a named function taking the app (never a lambda)
    interval_key: str                 # the SCM_* setting with its interval in seconds


JOBS: dict[str, Job] = {}


def register_job(name: str, func: Callable[[Flask], object], interval_key: str) -> None:
    JOBS[name] = Job(name, func, interval_key)


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


def _scheduler(app: Flask, blocking: bool):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    sched = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=app.config["SCM_TIMEZONE"])
    for job in JOBS.values():
        seconds = int(app.config[job.interval_key])
        # coalesce + one instance: a missed run is not replayed, the next run catches up.
        sched.add_job(run_job, "interval", seconds=seconds, args=(app, job), id=job.name,
                      coalesce=True, max_instances=1, misfire_grace_time=seconds)
    return sched


def start_in_process(app: Flask):
    sched = _scheduler(app, blocking=False)
    sched.start()
    log.info("scheduler started in-process with jobs: %s", ", ".join(JOBS) or "none")
    return sched


def run_forever(app: Flask) -> None:
    sched = _scheduler(app, blocking=True)
    log.info("scheduler running with jobs: %s", ", ".join(JOBS) or "none")
    sched.start()
