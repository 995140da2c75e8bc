"""The alert checker against one hand-written SQL query (not a test).

On the shared benchmark database of ``bench/generate.py`` (at scale 1: 80,000
checkpoints on 20,000 orders, all due; ~1,920,000 progress records), as of ``EVAL_AT``:

* **hand-written**: one SQL statement with the physical table and column names, run
  through plain pyodbc, that decides met / missed for every due, pending checkpoint
  (the same rule: the best single step at or after P, reports up to T);
* **checker evaluation**: what ``checker.check`` does before it writes: the bridge's
  ``alerts.evaluate`` (mapping tokens, dialect, row conversion) plus the classification
  in Python;
* **checker full pass**: ``checker.check`` itself once, from a reset state: the
  evaluation, the met checkpoints marked (one statement per 500), one transaction per
  alarm with its SMS batch, messages and outbox rows, audit.

Both evaluations must agree on every checkpoint; the ratio of their medians is reported.
Bounded: a fixed number of repeats, every statement under a 15-minute timeout.

    python bench/generate.py --engine postgresql --scale 1
    python bench/alerts/bench.py --engine postgresql [--scale 1] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import ENGINES, app_for, raw_connection  # noqa: E402
from generate import EVAL_AT  # noqa: E402

HAND_SQL = """
SELECT c.id, c.quantity, COALESCE(MAX(s.qty), 0) AS reached
FROM scm_checkpoint c
LEFT JOIN (
    SELECT c2.id AS cid, pr.{cProcessCode} AS step, SUM(pr.{iQuantity}) AS qty
    FROM scm_checkpoint c2
    JOIN scm_alert_policy p ON p.id = c2.policy_id
    JOIN scm_order o ON o.id = p.order_id
    JOIN {SC_Process} cs ON cs.{cProcessCode} = c2.process_code
    JOIN {SC_OrderProgress} pr ON pr.{cOrderNo} = o.erp_form_no AND pr.{dReportTime} <= c2.due_at_erp
    JOIN {SC_Process} ps ON ps.{cProcessCode} = pr.{cProcessCode} AND ps.{iSeq} >= cs.{iSeq}
    WHERE c2.state = 'pending' AND c2.retired_at IS NULL AND c2.due_at <= ?
    GROUP BY c2.id, pr.{cProcessCode}
) s ON s.cid = c.id
WHERE c.state = 'pending' AND c.retired_at IS NULL AND c.due_at <= ?
GROUP BY c.id, c.quantity
"""


def hand_sql(engine: str) -> str:
    """The query as someone would write it by hand for this engine's quoting."""
    open_q, close_q = {"mariadb": "``", "mssql": "[]"}.get(engine, '""')
    names = ("cProcessCode", "iQuantity", "SC_Process", "SC_OrderProgress", "cOrderNo", "dReportTime", "iSeq")
    return HAND_SQL.format(**{n: f"{open_q}{n}{close_q}" for n in names})


def hand_written(cnxn, engine: str) -> dict[int, bool]:
    at = EVAL_AT.isoformat(sep=" ", timespec="microseconds") if engine in ("sqlite", "mariadb") else EVAL_AT
    cur = cnxn.cursor()
    cur.execute(hand_sql(engine), at, at)
    out = {int(cid): Decimal(str(reached)) >= Decimal(str(qty)) for cid, qty, reached in cur.fetchall()}
    cnxn.rollback()
    return out


def checker_evaluation(app) -> dict[int, bool]:
    """What ``checker.check`` does before it writes: the due ids, then per chunk of
    ``SCM_ALERT_EVAL_CHUNK`` ids ``checker.evaluate_chunk`` (the bridge's
    ``alerts.evaluate``, the details of what is not met, the classification)."""
    from scm_plugin.blueprints.alert_policy import checker
    from scm_plugin.erp_bridge.repos import alerts as repo

    db = app.extensions["scm"].db
    chunk = int(app.config["SCM_ALERT_EVAL_CHUNK"])
    ids = db.read(lambda tx: repo.due_ids(tx, at=EVAL_AT, warn_at=EVAL_AT))
    out: dict[int, bool] = {}
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        met, missed, behind, _n, _w = checker.evaluate_chunk(db, part[0], part[-1], EVAL_AT, True)
        out.update({int(m): True for m in met})
        out.update({int(r["checkpoint_id"]): False for r in missed + behind})
    return out


def reset(db, engine: str, scale: float) -> None:
    """Every checkpoint pending again, no alarms; then fresh statistics (the mass update
    would otherwise leave PostgreSQL planning on a bloated table)."""
    with db.transaction() as tx:
        for table in ("scm_outbox", "scm_sms_message", "scm_sms_batch", "scm_alarm", "scm_audit"):
            tx.execute_sql(f"DELETE FROM {table}")
        tx.execute_sql("UPDATE scm_checkpoint SET state = 'pending', evaluated_at = NULL")
    cnxn = raw_connection(engine, scale)
    cnxn.autocommit = True
    statement = {"postgresql": "VACUUM ANALYZE scm_checkpoint", "mariadb": "ANALYZE TABLE scm_checkpoint",
                 "sqlite": "ANALYZE", "mssql": "EXEC sp_updatestats"}[engine]  # Babelfish: no UPDATE STATISTICS
    cur = cnxn.cursor()
    cur.execute(statement)
    if engine == "mariadb":
        cur.fetchall()  # ANALYZE TABLE answers with a result set
    cnxn.close()


def timed(fn, repeat: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def main(engine: str, scale: float = 1.0, repeat: int = 3, chunk: int = 5000, full_pass: bool = True) -> dict:
    from scm_plugin.blueprints.alert_policy import checker

    app = app_for(engine, scale, SCM_ALERT_EVAL_CHUNK=chunk, SCM_ALERT_RUN_SECONDS=3600)
    db = app.extensions["scm"].db
    reset(db, engine, scale)
    counts = {"checkpoints": db.scalar_sql("SELECT COUNT(*) AS n FROM scm_checkpoint"),
              "progress": db.scalar_sql("SELECT COUNT(*) AS n FROM {progress}")}
    cnxn = raw_connection(engine, scale)
    hand_written(cnxn, engine)                   # warm-up: caches and plans, both sides
    with app.app_context():
        before = db.statement_count
        checker_evaluation(app)
        eval_statements = db.statement_count - before
        hand_s, eval_s = [], []
        for _ in range(repeat):                  # alternately, so load from elsewhere hits both alike
            (h_s,), hand = timed(lambda: hand_written(cnxn, engine), 1)
            (e_s,), ours = timed(lambda: checker_evaluation(app), 1)
            hand_s.append(h_s)
            eval_s.append(e_s)
        assert ours == hand, "the checker and the hand-written query disagree"
        missed = sum(1 for v in hand.values() if not v)
        out = {"engine": engine, "scale": scale, **counts, "due": len(hand), "met": len(hand) - missed,
               "missed": missed, "chunk": chunk, "repeat": repeat, "evaluation_statements": eval_statements}
        if full_pass:
            reset(db, engine, scale)
            start = time.perf_counter()
            result = checker.check(db, EVAL_AT)
            full_s = time.perf_counter() - start
            again = checker.check(db, EVAL_AT)
            sms = db.scalar_sql("SELECT COUNT(*) AS n FROM scm_outbox WHERE channel = 'sms'")
            assert len(result.alarms) == missed == sms and again.alarms == [], "one alarm and one SMS per missed checkpoint"
            out.update({"full_pass_s": round(full_s, 2), "full_pass_alarms": len(result.alarms),
                        "second_pass_s": round(again.seconds, 2)})
    cnxn.close()
    reset(db, engine, scale)
    db.dispose()
    hand_med, eval_med = statistics.median(hand_s), statistics.median(eval_s)
    out.update({"hand_written_s": round(hand_med, 3), "checker_evaluation_s": round(eval_med, 3),
                "ratio": round(eval_med / hand_med, 2)})
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=5000, help="SCM_ALERT_EVAL_CHUNK")
    args = parser.parse_args()
    print(json.dumps(main(args.engine, args.scale, max(1, min(args.repeat, 20)), max(100, args.chunk))))
