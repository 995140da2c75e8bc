"""The checker: the met rule against the ERP's progress records, exactly one alarm and
one SMS per missed checkpoint (reruns, concurrent processes, a database lost mid-run),
catching up without replaying, early warnings."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from alert_policy.helpers import erp_local, utcnow


def _state(kit, order_no):
    resp = kit.api("GET", f"/orders/{order_no}/alert-policy")
    assert resp.status_code == 200
    return resp.json


# --- the met rule ---------------------------------------------------------------------------
def test_met_checkpoint_raises_no_alarm(mapped_kit):
    kit = mapped_kit
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=2)
    assert kit.set_policy(order["order_no"], [(t, "REP", 20000)]).status_code == 200
    kit.report(order["erp_form_no"], "REP", 12000, t - dt.timedelta(hours=1))
    kit.report(order["erp_form_no"], "REP", 8000, t - dt.timedelta(minutes=10))
    result = kit.check(t + dt.timedelta(minutes=5))
    assert (result.met, result.alarms) == (1, [])
    policy = _state(kit, order["order_no"])
    assert [c["state"] for c in policy["checkpoints"]] == ["met"]
    assert policy["checkpoints"][0]["reached"] == "20000"
    assert kit.alarms(order["order_no"]) == [] and kit.sms_count() == 0


def test_missed_checkpoint_gives_one_alarm_and_one_sms_across_runs(mapped_kit):
    kit = mapped_kit
    order = kit.approved_order()
    t = utcnow() + dt.timedelta(hours=1)
    assert kit.set_policy(order["order_no"], [(t, "REP", 20000), (t + dt.timedelta(days=1), "PCK", 30000)],
                          sms_to=["13800138000"]).status_code == 200
    kit.report(order["erp_form_no"], "REP", 19999, t - dt.timedelta(minutes=1))
    runs = [kit.check(t + dt.timedelta(minutes=m)) for m in (1, 2, 30)]
    assert [len(r.alarms) for r in runs] == [1, 0, 0]
    alarms = kit.alarms(order["order_no"])
    assert len(alarms) == 1 and alarms[0]["level"] == "alarm" and alarms[0]["status"] == "open"
    assert Decimal(alarms[0]["reached_qty"]) == 19999
    sms = kit.sms_of_alarm(alarms[0]["id"])
    assert [s["recipient"] for s in sms] == ["13800138000"] and kit.sms_count() == 1
    assert order["order_no"] in sms[0]["body"] or (order["contract_no"] or "") in sms[0]["body"]
    policy = _state(kit, order["order_no"])
    assert policy["locked"] is True and [c["state"] for c in policy["checkpoints"]] == ["missed", "pending"]
    assert [a["id"] for a in policy["open_alarms"]] == [alarms[0]["id"]]


def test_a_later_step_counts_a_report_after_the_due_time_does_not(mapped_kit):
    kit = mapped_kit
    t = utcnow() + dt.timedelta(hours=3)
    later_step = kit.approved_order()
    after_t = kit.approved_order()
    exactly_t = kit.approved_order()
    kit.set_policy(later_step["order_no"], [(t, "REP", 10000)])
    kit.set_policy(after_t["order_no"], [(t, "REP", 10000)])
    kit.set_policy(exactly_t["order_no"], [(t, "REP", 10000)])
    # printing (a later step than replication) reported 10000 before T: replication is met
    kit.report(later_step["erp_form_no"], "PRT", 10000, t - dt.timedelta(hours=1))
    # the quantity was reached, but one minute after T
    kit.report(after_t["erp_form_no"], "REP", 9000, t - dt.timedelta(hours=1))
    kit.report(after_t["erp_form_no"], "REP", 1000, t + dt.timedelta(minutes=1))
    # a report at T itself (in the ERP's own time zone) counts
    kit.report(exactly_t["erp_form_no"], "REP", 10000, t)
    result = kit.check(t + dt.timedelta(hours=1))
    assert result.met == 2
    assert [a["order_no"] for a in result.alarms] == [after_t["order_no"]]
    assert result.alarms[0]["reached"] == 9000


def test_quantities_of_different_steps_are_not_added(mapped_kit):
    """The met rule as documented: the best single step at or after P counts."""
    kit = mapped_kit
    t = utcnow() + dt.timedelta(hours=1)
    order = kit.approved_order()
    kit.set_policy(order["order_no"], [(t, "REP", 10000)])
    kit.report(order["erp_form_no"], "REP", 6000, t - dt.timedelta(minutes=30))
    kit.report(order["erp_form_no"], "PRT", 6000, t - dt.timedelta(minutes=20))
    kit.report(order["erp_form_no"], "ELF", 50000, t - dt.timedelta(minutes=20))  # an earlier step: never counts
    result = kit.check(t + dt.timedelta(minutes=1))
    assert len(result.alarms) == 1 and result.alarms[0]["reached"] == 6000


def test_reports_of_other_orders_do_not_count(kit):
    t = utcnow() + dt.timedelta(hours=1)
    a, b = kit.approved_order(), kit.approved_order()
    kit.set_policy(a["order_no"], [(t, "REP", 100)])
    kit.report(b["erp_form_no"], "REP", 1000, t - dt.timedelta(minutes=5))
    result = kit.check(t + dt.timedelta(minutes=1))
    assert [x["order_no"] for x in result.alarms] == [a["order_no"]]


def test_sample_orders_are_checked_the_same_way(kit):
    t = utcnow() + dt.timedelta(hours=1)
    order = kit.approved_order(kind="sample", lines=[{"inventory_code": "1001003", "quantity": "50"}])
    assert order["erp_form_no"].startswith("YP")
    kit.set_policy(order["order_no"], [(t, "MST", 1), (t + dt.timedelta(hours=1), "REP", 50)])
    kit.report(order["erp_form_no"], "MST", 1, t - dt.timedelta(minutes=5))
    result = kit.check(t + dt.timedelta(hours=2))
    assert result.met == 1 and [a["process_code"] for a in result.alarms] == ["REP"]


# --- a missed run catches up; nothing is replayed --------------------------------------------------
def test_a_missed_run_evaluates_what_is_overdue_now_each_at_its_own_time(kit):
    t0 = utcnow() + dt.timedelta(hours=1)
    order = kit.approved_order()
    kit.set_policy(order["order_no"], [(t0, "MST", 1), (t0 + dt.timedelta(hours=1), "REP", 100),
                                       (t0 + dt.timedelta(hours=2), "PRT", 100),
                                       (t0 + dt.timedelta(days=2), "PCK", 100)])
    kit.report(order["erp_form_no"], "MST", 1, t0 - dt.timedelta(minutes=1))           # in time
    kit.report(order["erp_form_no"], "REP", 100, t0 + dt.timedelta(hours=1, minutes=5))  # five minutes late
    kit.report(order["erp_form_no"], "PRT", 100, t0 + dt.timedelta(hours=1, minutes=50))  # in time
    # the scheduler was down the whole time: one run, long after all three were due
    result = kit.check(t0 + dt.timedelta(hours=5))
    assert result.met == 2
    assert [a["process_code"] for a in result.alarms] == ["REP"]
    # later runs add nothing; the checkpoint not yet due stays pending
    assert [len(kit.check(t0 + dt.timedelta(hours=h)).alarms) for h in (6, 7)] == [0, 0]
    states = [c["state"] for c in _state(kit, order["order_no"])["checkpoints"]]
    assert states == ["met", "missed", "met", "pending"]


# --- early warning --------------------------------------------------------------------------------
def test_early_warning_when_the_pace_cannot_reach_the_quantity(kit):
    now = utcnow()
    slow, fast = kit.approved_order(), kit.approved_order()
    t = now + dt.timedelta(hours=10)
    kit.set_policy(slow["order_no"], [(t, "REP", 30000)])
    kit.set_policy(fast["order_no"], [(t, "REP", 30000)])
    at = now + dt.timedelta(hours=6)          # more than half of the window is gone
    kit.report(slow["erp_form_no"], "REP", 5000, now + dt.timedelta(hours=5))
    kit.report(fast["erp_form_no"], "REP", 25000, now + dt.timedelta(hours=5))
    early = kit.check(now + dt.timedelta(hours=2))  # too early to judge the pace
    assert early.warnings == []
    result = kit.check(at)
    assert [w["order_no"] for w in result.warnings] == [slow["order_no"]] and result.alarms == []
    assert kit.check(at + dt.timedelta(minutes=30)).warnings == []          # once
    policy = _state(kit, slow["order_no"])
    assert policy["locked"] is False and [a["level"] for a in policy["open_alarms"]] == ["warning"]
    assert kit.sms_count() == 0                                              # no SMS unless configured
    # a warning does not lock: the rep can still move the checkpoint
    resp = kit.set_policy(slow["order_no"], [(t + dt.timedelta(days=1), "REP", 30000)])
    assert resp.status_code == 200, resp.json


# --- exactly once with concurrent checkers -----------------------------------------------------------
RUNNER = r"""
import datetime as dt, json, sys
from scm_plugin import create_app
from scm_plugin.blueprints.alert_policy import checker, jobs

dsn, storage, at, mode = sys.argv[1:5]
app = create_app({"SECRET_KEY": "x", "SCM_ERP_DSN": dsn, "SCM_STORAGE_DIR": storage, "SCM_SMS_BACKEND": "log",
                  "SCM_DB_STATEMENT_TIMEOUT": 20})
at = dt.datetime.fromisoformat(at)
out = {"alarms": 0, "skipped": 0, "no_lease": 0}
with app.app_context():
    for _ in range(3):
        if mode == "lease":
            result = jobs.run_once(app, at)
        else:
            result = checker.check(app.extensions["scm"].db, at)
        if result is None:
            out["no_lease"] += 1
            continue
        out["alarms"] += len(result.alarms)
        out["skipped"] += result.skipped
print(json.dumps(out))
"""


@pytest.mark.parametrize("mode", ["lease", "no-lease"])
def test_two_checker_processes_at_once_raise_each_alarm_once(kit, engine_db, tmp_path, mode):
    """Real processes on the same database: with the lease (the scheduler and
    run-alerts), and without it (the row lock, the conditional claim and the unique key)."""
    t = utcnow() + dt.timedelta(hours=1)
    orders = [kit.approved_order() for _ in range(6)]
    for o in orders:
        assert kit.set_policy(o["order_no"], [(t, "MST", 1), (t + dt.timedelta(minutes=1), "REP", 100)]).status_code == 200
    kit.report(orders[0]["erp_form_no"], "MST", 1, t - dt.timedelta(minutes=1))
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    at = (t + dt.timedelta(minutes=10)).isoformat()
    procs = [subprocess.Popen([sys.executable, str(script), engine_db.dsn, str(tmp_path / "f"), at, mode],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
        outs.append(json.loads(out.strip().splitlines()[-1]))
    expected = 2 * len(orders) - 1
    assert sum(o["alarms"] for o in outs) == expected, outs
    alarms = kit.alarms()
    assert len(alarms) == expected
    assert len({a["checkpoint_id"] for a in alarms}) == expected
    assert kit.sms_count() == expected
    assert all(len(kit.sms_of_alarm(a["id"])) == 1 for a in alarms)


# --- the database goes away in the middle of a run ----------------------------------------------------
def test_database_lost_mid_run_fails_cleanly_and_the_next_run_catches_up(kit, engine, engine_db, tmp_path,
                                                                         monkeypatch, caplog):
    from scm_plugin.blueprints.alert_policy import checker, jobs
    from scm_plugin.scheduler import jobs_of, run_job

    t = utcnow() + dt.timedelta(hours=1)
    orders = [kit.approved_order() for _ in range(4)]
    for o in orders:
        kit.set_policy(o["order_no"], [(t, "REP", 100)])
    at = t + dt.timedelta(minutes=5)

    if engine == "sqlite":
        from alert_policy.proxy import outage_on_sqlite as outage
    else:
        from alert_policy.proxy import outage_through_proxy as outage
    with outage(kit, engine_db, tmp_path, monkeypatch) as app:
        real_raise = checker._raise
        raised = []

        def raise_then_fail(db, row, level, names):
            result = real_raise(db, row, level, names)
            raised.append(result)
            if len(raised) == 2:
                app.scm_outage_start()  # the database goes away after the second alarm
            return result
        monkeypatch.setattr(checker, "_raise", raise_then_fail)
        monkeypatch.setattr(checker, "utcnow", lambda: at)  # the job runs "now" = at
        with caplog.at_level("WARNING"):
            assert run_job(app, jobs_of(app)[jobs.JOB_NAME]) is True       # ran, failed, raised nothing out
        assert "failed on the database" in caplog.text
        app.scm_outage_end()
        assert len(raised) == 2
        assert len(kit.alarms()) == 2                             # the first two committed, with their SMS
        assert kit.sms_count() == 2
        monkeypatch.setattr(checker, "_raise", real_raise)
        assert run_job(app, jobs_of(app)[jobs.JOB_NAME]) is True          # the next run catches up
    alarms = kit.alarms()
    assert sorted(a["order_no"] for a in alarms) == sorted(o["order_no"] for o in orders)
    assert kit.sms_count() == len(orders)
    assert all(len(kit.sms_of_alarm(a["id"])) == 1 for a in alarms)
    assert kit.check(at + dt.timedelta(minutes=5)).alarms == []


# --- the alarm SMS ---------------------------------------------------------------------------------
@pytest.mark.parametrize("signature", ["", "华光光盘", "【深圳华光光盘复制有限公司】"])
def test_alarm_sms_fits_in_70_characters_with_the_signature(kit, signature):
    from scm_plugin.blueprints.alert_policy import checker

    kit.app.config["SCM_SMS_SIGNATURE"] = signature
    name = "DVD《中国地理》纪录片 特别收藏版（全十二集）附赠高清蓝光花絮 【限量】" * 2
    order = kit.approved_order(lines=[{"inventory_code": "1002003", "item_name": name[:100], "quantity": "30000"}])
    t = utcnow() + dt.timedelta(hours=1)
    kit.set_policy(order["order_no"], [(t, "REP", 30000)])
    result = kit.check(t + dt.timedelta(minutes=1))
    text = result.alarms[0]["text"]
    with kit.app.app_context():
        block = len(signature.strip("【】")) + 2 if signature else 0
        assert len(text) + block <= 70, text
        assert checker.sms_budget() == 70 - block
    assert "【" not in text and "】" not in text
    assert "DVD" not in text or "…" in text            # the item name was shortened, not the facts
    assert "30000" in text and (order["order_no"] in text or (order["contract_no"] or "-") in text)
    sms = kit.sms_of_alarm(result.alarms[0]["id"])
    assert len(sms) == 1 and sms[0]["body"].endswith(text)


def test_erp_times_are_compared_in_the_erp_time_zone(kit):
    """The ERP writes local times (Asia/Shanghai, UTC+8): a report at 17:59 local counts for
    a checkpoint due 18:00 local (10:00 UTC), one at 18:01 local does not."""
    day = (utcnow() + dt.timedelta(days=2)).date()
    t = dt.datetime.combine(day, dt.time(10, 0))           # 18:00 in Shanghai
    ok, late = kit.approved_order(), kit.approved_order()
    kit.set_policy(ok["order_no"], [(t, "REP", 10)])
    kit.set_policy(late["order_no"], [(t, "REP", 10)])
    assert erp_local(t).hour == 18
    kit.report(ok["erp_form_no"], "REP", 10, t - dt.timedelta(minutes=1))
    kit.report(late["erp_form_no"], "REP", 10, t + dt.timedelta(minutes=1))
    result = kit.check(t + dt.timedelta(hours=1))
    assert [a["order_no"] for a in result.alarms] == [late["order_no"]] and result.met == 1


def test_a_backlog_is_evaluated_in_bounded_chunks_and_a_deadline_leaves_the_rest(kit):
    import time

    from scm_plugin.blueprints.alert_policy import checker

    kit.app.config["SCM_ALERT_EVAL_CHUNK"] = 2          # three statements for five checkpoints
    t = utcnow() + dt.timedelta(hours=1)
    orders = [kit.approved_order() for _ in range(5)]
    for o in orders:
        kit.set_policy(o["order_no"], [(t, "REP", 10)])
    kit.report(orders[2]["erp_form_no"], "REP", 10, t - dt.timedelta(minutes=1))
    with kit.app.app_context():
        late = checker.check(kit.db, t + dt.timedelta(minutes=5), deadline=time.monotonic() - 1)
    assert (late.alarms, late.met, late.unfinished) == ([], 0, 5)   # out of time: nothing half-done
    result = kit.check(t + dt.timedelta(minutes=5))
    assert result.evaluated == 5 and result.met == 1
    assert sorted(a["order_no"] for a in result.alarms) == sorted(o["order_no"] for i, o in enumerate(orders) if i != 2)
