"""Functions 3 and 4: order alert policy (订单策略管理) and sample-order alert policy
(样板单策略管理) — one implementation with a ``kind``: checkpoints on approved orders, a
scheduled checker against the ERP's production-progress records (订单打更记录), alarms
with SMS, the policy locked while an alarm is open."""
from scm_plugin.modules import Job, MenuEntry, Module
from scm_plugin.roles import STAFF

from . import api, cli, demo, jobs, messages, views

DEFAULTS = {
    "SCM_ALERT_INTERVAL_SECONDS": 300,   # how often the checker runs
    # Early warnings (no lock): a checkpoint whose progress rate so far cannot reach its
    # quantity by its due time. Judged once this share of the checkpoint's window (from
    # the previous checkpoint's due time, or the order's approval, to its own) has passed.
    "SCM_ALERT_EARLY_WARNING": True,
    "SCM_ALERT_WARNING_AFTER": 0.5,
    "SCM_ALERT_WARNING_SMS": False,      # also send early warnings by SMS
    # Every checker run stops raising alarms after this many seconds (the rest waits for
    # the next run); keep it below SCM_SCHEDULER_LEASE_SECONDS.
    "SCM_ALERT_RUN_SECONDS": 90,
    # Checkpoints evaluated per statement, so a backlog (a first run, a long outage) never
    # makes one statement outlast SCM_DB_STATEMENT_TIMEOUT.
    "SCM_ALERT_EVAL_CHUNK": 5000,
    # Checkpoint templates: the time of day (SCM_TIMEZONE) of a due date "N days before".
    "SCM_ALERT_DUE_TIME": "18:00",
    "SCM_ALERT_MAX_CHECKPOINTS": 20,
}

module = Module(
    name="alert_policy",
    blueprint=views.bp,
    api=api.routes,
    jobs=(Job(jobs.JOB_NAME, jobs.alerts_job, "SCM_ALERT_INTERVAL_SECONDS"),),
    commands=(cli.run_alerts,),
    messages=messages.MESSAGES,
    menu=(MenuEntry(3, "alert_policy.search_sales", "Order alert policy", STAFF),
          MenuEntry(4, "alert_policy.search_sample", "Sample-order alert policy", STAFF)),
    defaults=DEFAULTS,
    demo_data=demo.ensure_checkpoint_template,
)
