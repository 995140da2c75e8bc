"""One contender in the two-process race of test_concurrency.py (run as a script).

    python racer.py <dsn> <mapping: "reference" or a TOML path> <source_order_no> <form_no> <hold_s>

Connects, prints "ready", waits for "go" on stdin, inserts a contract-review form for the
web order in its own transaction, keeps the transaction open ``hold_s`` seconds, commits,
and prints one JSON line: the outcome, the SQLSTATE, and when the insert returned and when
its commit began and when the transaction ended (wall-clock seconds, comparable across
processes).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

from scm_plugin.erp_bridge import BridgeError, Database, Mapping


def main() -> int:
    dsn, mapping_arg, source_order_no, form_no, hold_s = sys.argv[1:6]
    mapping = Mapping.default() if mapping_arg == "reference" else Mapping.load(mapping_arg)
    db = Database(dsn, mapping, statement_timeout=20)
    db.scalar_sql("SELECT COUNT(*) AS n FROM {customer}")  # connected and warm before the start
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 2
    result = {"outcome": "ok", "sqlstate": "", "error": ""}
    try:
        with db.transaction() as tx:
            try:
                tx.execute_sql(
                    "INSERT INTO {contract_review} ({contract_review.form_no}, {contract_review.customer_code}, "
                    "{contract_review.form_date}, {contract_review.delivery_date}, "
                    "{contract_review.source_order_no}, {contract_review.status}) VALUES (?, ?, ?, ?, ?, ?)",
                    form_no, "C001", dt.datetime(2026, 11, 5, 9, 0), dt.date(2026, 12, 1), source_order_no, "0")
            finally:
                result["inserted_at"] = time.time()
            time.sleep(float(hold_s))
            result["committing_at"] = time.time()
    except BridgeError as exc:
        result.update(outcome=type(exc).__name__, sqlstate=exc.sqlstate, error=str(exc))
    result["ended_at"] = time.time()
    db.dispose()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
