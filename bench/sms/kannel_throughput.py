"""How fast the SMS layer hands a batch to a real Kannel, against the floor of calling
Kannel's sendsms directly with the same parameters, and how long the delivery reports
take to come back. Everything on 127.0.0.1; a temporary SQLite database.

    python bench/sms/kannel_throughput.py [--messages 500] [--no-reports]

Prints: queue_sms for the whole batch; the outbox relay (passes of 100) until every
message is with Kannel; the same number of bare sendsms GETs; the time until every
message is "delivered" through Kannel's reports to the plugin's route.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures.kannel import Kannel  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from scm_plugin import create_app, sms  # noqa: E402
from scm_plugin.erp_bridge import Database, Mapping, erp_schema, migrations  # noqa: E402
from scm_plugin.outbox import relay  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--no-reports", action="store_true", help="no dlr-url: the relay alone")
    args = parser.parse_args()
    n = args.messages
    work = Path(tempfile.mkdtemp(prefix="scm-sms-bench-"))
    dsn = f"DRIVER={{SQLite3}};Database={work / 'erp.db'};FKSupport=1"
    db = Database(dsn, Mapping.default())
    erp_schema.create_reference_schema(db)
    erp_schema.load_seed(db, erp_schema.reference_seed())
    migrations.upgrade(db)
    db.dispose()

    kannel = Kannel(work / "kannel")
    kannel.start()
    app = create_app({"SECRET_KEY": "bench", "SCM_ERP_DSN": dsn, "SCM_STORAGE_DIR": str(work / "files"),
                      "SCM_SMS_MAX_RECIPIENTS": max(500, n), **kannel.app_config()})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if "--no-reports" not in sys.argv:
        app.config["SCM_SMS_DLR_URL_BASE"] = f"http://127.0.0.1:{server.server_port}/scm"
    state = app.extensions["scm"]
    try:
        numbers = [f"1380000{i:04d}" for i in range(n)]
        t0 = time.perf_counter()
        with app.app_context(), state.db.transaction() as tx:
            batch = sms.queue_sms(tx, recipients=numbers, text="性能测试：订单已发货，请查收。", created_by=None)
        t_queue = time.perf_counter() - t0

        t0 = time.perf_counter()
        sent = passes = 0
        while sent < n and passes < n // 100 + 5:
            with app.app_context():
                sent += relay(app)["sent"]
            passes += 1
        t_relay = time.perf_counter() - t0
        got = kannel.smsc.wait_for(lambda m: "性能测试" in m.text, count=n, timeout=120)

        t0 = time.perf_counter()
        deadline = time.monotonic() + (0 if args.no_reports else 300)
        delivered = 0
        while time.monotonic() < deadline:
            delivered = state.db.scalar_sql("SELECT COUNT(*) AS n FROM scm_sms_message WHERE batch_id = ? "
                                            "AND status = 'delivered'", batch["batch_id"])
            if delivered >= n:
                break
            time.sleep(0.1)
        t_reports = time.perf_counter() - t0

        # The floor: the same sendsms GETs straight at Kannel, one after the other.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        t0 = time.perf_counter()
        for number in numbers:
            query = urllib.parse.urlencode({"username": kannel.username, "password": kannel.password,
                                            "from": kannel.sender, "to": number, "text": "基线：订单已发货，请查收。",
                                            "charset": "UTF-8", "coding": "2"})
            with opener.open(f"{kannel.url}?{query}", timeout=10) as resp:
                resp.read()
        t_floor = time.perf_counter() - t0
        floor_got = kannel.smsc.wait_for(lambda m: "基线" in m.text, count=n, timeout=120)

        print(f"messages                      {n}")
        print(f"queue_sms (one transaction)   {t_queue:8.3f} s   {n / t_queue:8.0f} msg/s")
        print(f"relay to Kannel ({passes} passes)    {t_relay:8.3f} s   {n / t_relay:8.0f} msg/s   "
              f"(SMSC got {len(got)})")
        print(f"bare sendsms GETs (floor)     {t_floor:8.3f} s   {n / t_floor:8.0f} msg/s   "
              f"(SMSC got {len(floor_got)})")
        print(f"relay / floor                 {t_relay / t_floor:8.2f}")
        if not args.no_reports:
            print(f"all delivered after relay     {t_reports:8.3f} s   ({delivered} of {n} delivered)")
    finally:
        server.shutdown()
        kannel.stop()
        state.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
