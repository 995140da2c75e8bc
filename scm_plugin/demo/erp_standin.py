"""Demo only — a stand-in for the customer's ERP, kept apart from the plugin.

In a real installation the ERP's own approval flow assigns contract numbers to the
review forms the plugin inserts, and the workshops report production progress
(订单打更记录). So that every function can be seen working in the demo, this module
does both as time passes, as scheduled jobs of the demo's in-process scheduler:

* a form waiting in the initial status for more than ``CONTRACT_AFTER`` gets a contract
  number and the flow's "approved" status;
* forms with a contract advance through the process route: each run reports about a
  fifth of the order quantity at the step in progress, so reps see checkpoints being
  met (and, for the last-approved forms, sometimes missed).

Its SQL lives in ``sql/erp_standin.sql`` beside it, rendered through the same mapping.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal
from importlib.resources import files

from ..erp_bridge import dynamic
from ..erp_bridge.queries import parse_sql_file
from ..modules import Job

log = logging.getLogger(__name__)

CONTRACT_AFTER = dt.timedelta(minutes=1)
APPROVED_STATUS = "2"
_SQL = parse_sql_file(files("scm_plugin.demo").joinpath("sql/erp_standin.sql").read_text(encoding="utf-8"),
                      "erp_standin")


def _q(name: str) -> str:
    return _SQL[f"erp_standin.{name}"]


def assign_contracts(app) -> int:
    db = app.extensions["scm"].db
    now = app.extensions["scm"].db.erp_time.now()
    initial = db.mapping.value("contract_review", "initial_status")
    done = 0
    with db.transaction() as tx:
        for query, update, prefix in (("forms_awaiting_contract", "assign_contract", "HT"),
                                      ("sample_forms_awaiting_contract", "assign_sample_contract", "YP")):
            for form in tx.all_sql(_q(query), initial):
                if form["form_date"] and now - form["form_date"] < CONTRACT_AFTER:
                    continue
                contract_no = f"{prefix}-{now:%Y}-{form['id']:04d}"
                done += tx.execute_sql(_q(update), contract_no, APPROVED_STATUS, form["id"])
    return done


def report_progress(app) -> int:
    db = app.extensions["scm"].db
    now = app.extensions["scm"].db.erp_time.now()
    steps = [s["code"] for s in db.all("erp.process_steps")]
    by_contract = db.mapping.entities["progress"].order_ref_is == "contract_no"
    written = 0

    def report(tx, ref, step, quantity):
        # the workshop files its report under the form number or the contract number
        sql, params = dynamic.insert_mapped(db.mapping, tx.dialect, "progress", {
            "order_ref": ref, "process_code": step, "quantity": quantity, "reported_at": now,
            "reporter": "演示车间"})
        tx.execute_sql(sql, *params)

    with db.transaction() as tx:
        for form in tx.all_sql(_q("running_forms")):
            ref = form["contract_no"] if by_contract else form["form_no"]
            total = Decimal(form["quantity"] or 0)
            if total <= 0:
                continue
            reported = {r["process_code"]: Decimal(r["quantity"] or 0) for r in tx.all_sql(_q("reported"), ref)}
            for step in steps:
                done = reported.get(step, Decimal(0))
                if done >= total:
                    continue
                if step in ("MST", "ELF"):
                    chunk = Decimal(1) if done == 0 else Decimal(0)   # one master, a few stampers
                    if step == "ELF" and done == 0:
                        chunk = Decimal(4)
                    if chunk == 0:
                        continue
                    report(tx, ref, step, chunk)
                else:
                    chunk = min(total - done, (total / 5).quantize(Decimal(1)) + random.randint(0, 50))
                    report(tx, ref, step, chunk)
                written += 1
                break  # one step per form and run: the route advances over time
    return written


def contracts_job(app) -> None:
    n = assign_contracts(app)
    if n:
        log.info("demo ERP: %s forms got a contract number", n)


def progress_job(app) -> None:
    n = report_progress(app)
    if n:
        log.info("demo ERP: %s progress reports written", n)


def jobs(app) -> tuple[Job, ...]:
    """The ERP's side of the demo, as jobs of the demo's own scheduler."""
    app.config.setdefault("SCM_DEMO_ERP_SECONDS", 60)
    return (Job("demo_erp_contracts", contracts_job, "SCM_DEMO_ERP_SECONDS"),
            Job("demo_erp_progress", progress_job, "SCM_DEMO_ERP_SECONDS"))
