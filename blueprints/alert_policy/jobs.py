"""Scheduled: the alert checker, every ``SCM_ALERT_INTERVAL_SECONDS``.

The scheduler runs it under the database lease ``job:alerts`` (``scheduler.run_job``);
``flask scm run-alerts`` takes the same lease through ``run_once``, so a manual pass and
a scheduler never evaluate at the same time. Each run has a deadline
(``SCM_ALERT_RUN_SECONDS``): what it has not raised by then waits for the next run. A
missed run is not replayed: the next one evaluates what is overdue now.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

from flask import Flask
from scm_plugin.erp_bridge.repos import lease

from scm_plugin.scheduler import holder_id

from . import checker

log = logging.getLogger(__name__)

JOB_NAME = "alerts"


def _deadline(app: Flask) -> float:
    return time.monotonic() + float(app.config.get("SCM_ALERT_RUN_SECONDS", 90))


def alerts_job(app: Flask) -> None:
    result = checker.check(app.extensions["scm"].db, deadline=_deadline(app))
    if result.alarms or result.warnings or result.met or result.unfinished:
        log.info("alert checker: %s evaluated, %s met, %s alarms, %s warnings, %s skipped, %s left for the "
                 "next run (%.2f s)", result.evaluated, result.met, len(result.alarms), len(result.warnings),
                 result.skipped, result.unfinished, result.seconds)


def run_once(app: Flask, at: dt.datetime | None = None) -> checker.RunResult | None:
    """One pass under the job's lease; None when another holder runs it right now.
    Database errors propagate (the caller reports them); the lease is released."""
    db = app.extensions["scm"].db
    holder = holder_id()
    if not lease.acquire(db, f"job:{JOB_NAME}", holder, int(app.config["SCM_SCHEDULER_LEASE_SECONDS"])):
        return None
    try:
        return checker.check(db, at, deadline=_deadline(app))
    finally:
        try:
            lease.release(db, f"job:{JOB_NAME}", holder)
        except Exception:  # noqa: BLE001 - the lease expires on its own
            log.warning("alert checker: could not release the lease; it expires by itself")

