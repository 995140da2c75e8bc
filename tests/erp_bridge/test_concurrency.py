"""Two reps (threads or processes, each with its own connection and transaction) at once.

* Racing inserts of the same unique key: exactly one row; every loser waits until the
  winner commits and then gets ``UniqueViolation`` (PostgreSQL and MariaDB wait on the
  unique index entry, SQLite waits for the database's write lock).
* ``transaction(write=True)`` with ``{:for_update}`` / ``{:lock}`` makes read-check-write
  safe: row locks on PostgreSQL and MariaDB, the write lock taken first on SQLite.
"""
from __future__ import annotations

import datetime as dt
import json
import select
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

from scm_plugin.erp_bridge import UniqueViolation

NOW = dt.datetime(2026, 11, 5, 9, 0)
HOLD_S = 0.4  # how long the winner keeps its transaction open after inserting
RACER = Path(__file__).with_name("racer.py")


def _insert_form(tx, form_no: str, source_order_no: str) -> None:
    tx.execute_sql("INSERT INTO {contract_review} ({contract_review.form_no}, {contract_review.customer_code}, "
                   "{contract_review.form_date}, {contract_review.delivery_date}, {contract_review.source_order_no}, "
                   "{contract_review.status}) VALUES (?, ?, ?, ?, ?, ?)",
                   form_no, "C001", NOW, dt.date(2026, 12, 1), source_order_no, "0")


def _forms_for(db, source_order_no: str) -> int:
    return db.scalar_sql("SELECT COUNT(*) AS n FROM {contract_review} WHERE {contract_review.source_order_no} = ?",
                         source_order_no)


def _run_threads(target, n: int, timeout_s: float = 60) -> None:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout_s
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a contender never finished"


def test_threads_racing_for_the_same_web_order(erp_db):
    n = 6
    barrier = threading.Barrier(n, timeout=20)
    outcomes: dict[int, dict] = {}

    def contender(i: int) -> None:
        result: dict = {}
        try:
            with erp_db.transaction() as tx:
                barrier.wait()
                try:
                    _insert_form(tx, f"HT-RACE-{i}", "WEB-RACE-1")
                finally:
                    result["inserted_at"] = time.monotonic()
                time.sleep(HOLD_S)
                result["committing_at"] = time.monotonic()
            result["outcome"] = "ok"
        except UniqueViolation as exc:
            result.update(outcome="UniqueViolation", sqlstate=exc.sqlstate)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result.update(outcome=repr(exc))
        result["ended_at"] = time.monotonic()
        outcomes[i] = result

    _run_threads(contender, n)
    kinds = sorted(r["outcome"] for r in outcomes.values())
    assert kinds == ["UniqueViolation"] * (n - 1) + ["ok"], kinds
    assert all(r["sqlstate"] for r in outcomes.values() if r["outcome"] != "ok")
    winner = next(r for r in outcomes.values() if r["outcome"] == "ok")
    # Losers learn of the duplicate only once the winner commits: they waited. (Measured
    # against the start of the winner's commit: when it returns depends on the scheduler.)
    for r in outcomes.values():
        if r is not winner:
            assert r["inserted_at"] >= winner["committing_at"]
    assert _forms_for(erp_db, "WEB-RACE-1") == 1


def test_two_processes_racing_for_the_same_web_order(erp_db, mapping_arg):
    procs = [subprocess.Popen([sys.executable, str(RACER), erp_db.test_dsn, mapping_arg, "WEB-PROC-1",
                               f"HT-PROC-{i}", str(HOLD_S)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    try:
        for p in procs:
            ready, _, _ = select.select([p.stdout], [], [], 30)
            assert ready, "a racer did not start within 30 s"
            line = p.stdout.readline()
            assert line.strip() == "ready", (line, p.stderr.read() if p.poll() is not None else "")
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
    kinds = sorted(r["outcome"] for r in results)
    assert kinds == ["UniqueViolation", "ok"], results
    winner = next(r for r in results if r["outcome"] == "ok")
    loser = next(r for r in results if r["outcome"] != "ok")
    assert loser["sqlstate"] and loser["error"] == "duplicate key"
    assert loser["inserted_at"] >= winner["committing_at"], "the loser waited for the winner's commit"
    assert _forms_for(erp_db, "WEB-PROC-1") == 1


def test_locked_read_check_write_counts_every_increment(db):
    """20 threads each read a counter under {:for_update} and write it back plus one."""
    with db.transaction() as tx:
        doc = tx.insert_sql("INSERT INTO scm_document (subject, created_at) VALUES (?, ?)", "交货规范", NOW)
        target = tx.insert_sql("INSERT INTO scm_document_target (document_id, customer_code, download_count) "
                               "VALUES (?, ?, 0)", doc, "C001")
    errors: list[str] = []

    def increment(_: int) -> None:
        try:
            with db.transaction(write=True) as tx:
                n = tx.scalar_sql("SELECT download_count FROM scm_document_target{:lock} WHERE id = ?{:for_update}",
                                  target)
                time.sleep(0.005)  # widen the window a lost update would need
                tx.execute_sql("UPDATE scm_document_target SET download_count = ? WHERE id = ?", n + 1, target)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    _run_threads(increment, 20)
    assert errors == []
    assert db.scalar_sql("SELECT download_count FROM scm_document_target WHERE id = ?", target) == 20


def test_two_reps_approving_the_same_order_create_one_form(erp_db):
    """The approval flow: check the web order is still pending, insert the ERP form, mark it
    approved — under {:for_update}, the second rep finds it already approved."""
    with erp_db.transaction() as tx:
        order_id = tx.insert_sql("INSERT INTO scm_order (order_no, kind, customer_code, status, placed_at) "
                                 "VALUES (?, ?, ?, ?, ?)", "WEB-APPROVE-1", "sales", "C001", "pending", NOW)
    approved: list[int] = []
    errors: list[str] = []

    def approve(i: int) -> None:
        try:
            with erp_db.transaction(write=True) as tx:
                status = tx.scalar_sql("SELECT status FROM scm_order{:lock} WHERE id = ?{:for_update}", order_id)
                if status != "pending":
                    return
                time.sleep(0.01)
                _insert_form(tx, f"HT-APPROVE-{i}", "WEB-APPROVE-1")
                tx.execute_sql("UPDATE scm_order SET status = ?, erp_form_no = ? WHERE id = ?",
                               "approved", f"HT-APPROVE-{i}", order_id)
            approved.append(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    _run_threads(approve, 8)
    assert errors == [], "a second approval must see 'approved', not run into the unique key"
    assert len(approved) == 1
    assert _forms_for(erp_db, "WEB-APPROVE-1") == 1
    row = erp_db.one_sql("SELECT status, erp_form_no FROM scm_order WHERE id = ?", order_id)
    assert row == {"status": "approved", "erp_form_no": f"HT-APPROVE-{approved[0]}"}


def test_quantity_moves_from_many_threads_add_up(erp_db):
    """Stock updated with quantity = quantity + ? from 10 threads: no move is lost."""
    def move(i: int) -> None:
        with erp_db.transaction(write=True) as tx:
            tx.execute_sql("UPDATE {stock} SET {stock.quantity} = {stock.quantity} + ? "
                           "WHERE {stock.warehouse_code} = ? AND {stock.inventory_code} = ?",
                           Decimal("0.000001") * (i + 1), "02", "2001001")

    _run_threads(move, 10)
    got = erp_db.scalar_sql("SELECT {stock.quantity} AS q FROM {stock} WHERE {stock.warehouse_code} = ? "
                            "AND {stock.inventory_code} = ?", "02", "2001001")
    assert got == Decimal("3250.5") + Decimal("0.000055")
