"""Load run: gunicorn (2 workers, as on the project's 2-core machines) serving the plugin
on the generated database, wrk with 20 connections against

* a bare Flask page in the same app (the framework floor),
* the plugin's review list (logged-in rep, 100 granted customers, the first 50 of the
  pending sales orders of 200k),
* the plugin's JSON order search (by contract no),

each for a bounded time. Prints requests/s and latency, writes bench/results/load-<engine>.json.

    python bench/load.py --engine postgresql [--seconds 10]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from common import bench_dsn

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

APP_MODULE = '''
from scm_plugin import create_app
app = create_app({"SECRET_KEY": "bench-load", "SCM_ERP_DSN": %r, "SCM_STORAGE_DIR": "/tmp/scm-bench-files",
                  "SCM_DB_STATEMENT_TIMEOUT": 600, "WTF_CSRF_TIME_LIMIT": None})

@app.route("/bare")
def bare():
    return "ok"
bare.scm_roles = ("public",)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def login_cookie(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/scm/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "bench_rep", "password": "bench-password-1", "csrf_token": token}).encode()
    opener.open(f"{base}/scm/login", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, seconds: int, cookie: str | None = None) -> dict:
    cmd = ["timeout", str(seconds + 15), "wrk", "-t2", "-c20", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": rps, "p50": "".join(p50.groups()), "p99": "".join(p99.groups()),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def run(engine: str, seconds: int) -> dict:
    module_dir = Path("/tmp/scm-bench-load")
    module_dir.mkdir(exist_ok=True)
    (module_dir / "bench_load_app.py").write_text(APP_MODULE % bench_dsn(engine))
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(module_dir))
    server = subprocess.Popen(["gunicorn", "--no-control-socket", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "bench_load_app:app"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/bare")
        cookie = login_cookie(base)
        api_cookie = cookie
        results = {
            "bare Flask page": wrk(f"{base}/bare", seconds),
            "review list page": wrk(f"{base}/scm/review/sales", seconds, cookie),
            "API order search": wrk(f"{base}/scm/api/v1/orders?contract_no=C-0000001", seconds, api_cookie),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    floor = results["bare Flask page"]["requests_per_s"]
    for name, r in results.items():
        r["share_of_floor"] = round(r["requests_per_s"] / floor, 3)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    out = run(args.engine, args.seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"load-{args.engine}.json").write_text(json.dumps(out, indent=1))
    for name, value in out.items():
        print(f"{name:20} {value}")
    sys.exit(0)
