"""Load run: gunicorn serving the plugin on the benchmark database, ``wrk`` with 20
connections for a bounded time against

* a bare Flask page in the same app and gunicorn config (the framework floor),
* the review list page (logged-in rep, 100 granted customers, first 50 pending sales orders),
* the JSON order search API (by contract no of a granted customer),
* the inventory query page (an item held by a granted customer).

Prints requests/s, latency p50/p99 and each page's share of the floor as JSON.

    python bench/load.py --engine postgresql [--scale 1] [--seconds 15] [--workers 2]

Needs ``wrk`` (Debian package ``wrk``: ``apt-get install wrk``) and gunicorn
(``pip install gunicorn``, the ``serve`` extra of setup.py).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ENGINES, GRANTED, PASSWORD, REP, bench_dsn, database  # noqa: E402

APP_MODULE = '''
from scm_plugin import create_app
app = create_app({"SECRET_KEY": "bench-load", "SCM_ERP_DSN": %r, "SCM_STORAGE_DIR": "/tmp/scm-bench-files",
                  "SCM_DB_STATEMENT_TIMEOUT": 600, "WTF_CSRF_TIME_LIMIT": None, "SCM_LOGIN_SLOWDOWN_SECONDS": 0,
                  "SCM_LOG_LEVEL": "WARNING"})

@app.route("/bare")
def bare():
    return "ok"
bare.scm_roles = ("public",)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


# Flask-Login's strong session protection ties the session to the client's address and
# User-Agent: log in and load with the same one, or every loaded request is a 401 / 302.
USER_AGENT = "scm-bench/1"
# wrk counts 3xx as success; this counts every answer that is not 200 (a redirect to the
# login page would otherwise pass for a fast page).
STATUS_LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) not200 = 0 end
response = function(status, headers, body) if status ~= 200 then not200 = not200 + 1 end end
done = function(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("not200") end
  io.write("not-200: ", n, "\\n")
end
"""


def login_cookie(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/scm/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": REP, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(f"{base}/scm/login", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _ms(value: str, unit: str) -> float:
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)


def wrk(url: str, seconds: int, cookie: str | None = None) -> dict:
    script = Path(f"/tmp/scm-bench-status-{os.getpid()}.lua")
    script.write_text(STATUS_LUA)
    cmd = ["timeout", str(seconds + 30), "wrk", "-t2", "-c20", f"-d{seconds}s", "--timeout", "10s", "--latency",
           "-s", str(script), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m)\b", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    not200 = re.search(r"not-200: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"requests_per_s": rps, "p50_ms": _ms(*p50.groups()), "p99_ms": _ms(*p99.groups()),
            "non_200": int(not200.group(1)), "timeouts": int(timeouts.group(1)) if timeouts else 0}


def targets(engine: str, scale: float) -> dict[str, str]:
    """Paths with values that exist in the rep's scope."""
    db = database(engine, scale)
    granted = [r["customer_code"] for r in db.all_sql(
        "SELECT g.customer_code FROM scm_grant g JOIN scm_user u ON u.id = g.user_id WHERE u.username = ? "
        "ORDER BY g.customer_code", REP)]
    first = granted[0]
    contract = db.scalar_sql("SELECT MIN(contract_no) AS c FROM scm_order WHERE customer_code = ? "
                             "AND contract_no IS NOT NULL", first)
    item = db.scalar_sql("SELECT MIN(inventory_code) AS c FROM scm_customer_stock WHERE customer_code = ? "
                         "AND inventory_code <> '1000001'", first)
    db.dispose()
    assert len(granted) == min(GRANTED, len(granted)) and contract and item
    return {"review list page": "/scm/review/sales",
            "API order search": f"/scm/api/v1/orders?contract_no={contract}",
            "inventory query page": f"/scm/inventory/?by=inventory_code&q={item}"}


def run(engine: str, scale: float = 1.0, seconds: int = 15, workers: int = 2) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    module_dir = Path(f"/tmp/scm-bench-load-{os.getpid()}")
    module_dir.mkdir(exist_ok=True)
    (module_dir / "bench_load_app.py").write_text(APP_MODULE % bench_dsn(engine, scale))
    paths = targets(engine, scale)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(module_dir))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", str(workers),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench_load_app:app"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/bare")
        cookie = login_cookie(base)
        for path in paths.values():  # each answers 200 to the logged-in rep before it is loaded
            req = urllib.request.Request(base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=60) as resp:
                assert resp.status == 200 and "/login" not in resp.url, (path, resp.status, resp.url)
        results = {"bare Flask page": wrk(f"{base}/bare", seconds)}
        for name, path in paths.items():
            results[name] = wrk(base + path, seconds, cookie)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    floor = results["bare Flask page"]["requests_per_s"]
    for r in results.values():
        r["floor_over_page"] = round(floor / r["requests_per_s"], 2) if r["requests_per_s"] else None
    return {"workers": workers, "seconds": seconds, "connections": 20, "paths": paths, "results": results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.scale, args.seconds, args.workers), indent=1))
