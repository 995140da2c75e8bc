"""Every benchmark, one command: generate (or reuse) the data at two scales per engine,
count statements per request at both, time the plugin against hand-written pyodbc at the
full scale, run the load test, and write the results table.

    python bench/run.py --scale 1 --engines sqlite,postgresql,mariadb
    python bench/run.py --scale 0.05 --engines sqlite --seconds 5 --results /tmp/bench-quick   # a quick look

Writes ``bench/results/<engine>.json`` per engine and ``bench/results/results.md`` (the
table for bench/README.md, from every engine's latest JSON). ``--small`` is the second
scale for the statement counts (default: a tenth of ``--scale``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_orders  # noqa: E402
import load  # noqa: E402
from common import ENGINES, PASSWORD, REP, RESULTS, app_for, database  # noqa: E402
from generate import ensure  # noqa: E402


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


inventory_bench = _module("inventory_bench", HERE / "inventory" / "bench.py")
alerts_bench = _module("alerts_bench", HERE / "alerts" / "bench.py")


def log(*args) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}]", *args, flush=True)


def page_statements(engine: str, scale: float) -> dict:
    """Statements a whole HTTP request sends (session, user, scope, the work, the page),
    through Flask's test client as the logged-in rep."""
    paths = load.targets(engine, scale)
    app = app_for(engine, scale, WTF_CSRF_ENABLED=False)
    db = app.extensions["scm"].db
    client = app.test_client()
    resp = client.post("/scm/login", data={"username": REP, "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code
    out = {}
    for name, path in paths.items():
        client.get(path)                          # warm: whatever is cached per process
        before = db.statement_count
        resp = client.get(path)
        out[name] = db.statement_count - before if resp.status_code == 200 else f"HTTP {resp.status_code}"
    db.dispose()
    return out


def statement_counts(engine: str, scale: float) -> dict:
    orders = bench_orders.run(engine, scale, timing=False)
    inventory = inventory_bench.run(engine, scale, timing=False)
    alerts = alerts_bench.main(engine, scale, repeat=1, full_pass=False)
    return {
        "review list (10 / 50 / 200 rows)": " / ".join(str(v) for v in orders["statements: review list"].values()),
        "order search by contract no": orders["statements: order search"]["by contract no"],
        "order search by inventory code": orders["statements: order search"]["by inventory code"],
        "approve": orders["statements: approve"],
        "inventory query (item at 1 / at every granted customer)": " / ".join(
            str(v) for k, v in inventory["statements per query"].items() if k != "no such item"),
        "customer stock list": inventory["customer stock list statements"],
        "record a customer figure": inventory["record statements"],
        **{f"page: {k}": v for k, v in page_statements(engine, scale).items()},
        f"alert checker evaluation, chunks of {alerts['chunk']} (due checkpoints)":
            f"{alerts['evaluation_statements']} ({alerts['due']} due)",
    }


PARTS = ("statements", "orders", "inventory", "alerts", "load")


def run_engine(engine: str, scale: float, small: float, repeat: int, seconds: int, workers: int,
               parts=PARTS, previous: dict | None = None, log=log) -> dict:
    """``parts`` not run are kept from ``previous`` (the engine's last JSON at this scale)."""
    out: dict = {k: v for k, v in (previous or {}).items() if k in PARTS}
    out.update({"engine": engine, "scale": scale, "small": small,
                "started": dt.datetime.now().isoformat(timespec="seconds")})
    for s in (small, scale):
        t = time.perf_counter()
        out.setdefault("data", {})[f"{s:g}"] = ensure(engine, s, log=log)
        log(f"{engine}: data at scale {s:g} ready ({time.perf_counter() - t:.0f} s)")
    out["versions"] = engine_version(engine, scale)
    if "statements" in parts:
        out["statements"] = {}
        for s in (small, scale):
            out["statements"][f"{s:g}"] = statement_counts(engine, s)
            log(f"{engine}: statements at scale {s:g}: {out['statements'][f'{s:g}']}")
    if "orders" in parts:
        t = time.perf_counter()
        out["orders"] = bench_orders.run(engine, scale, repeat)
        log(f"{engine}: orders ({time.perf_counter() - t:.0f} s): {out['orders']}")
    if "inventory" in parts:
        t = time.perf_counter()
        out["inventory"] = inventory_bench.run(engine, scale, repeat)
        log(f"{engine}: inventory ({time.perf_counter() - t:.0f} s): {out['inventory']}")
    if "alerts" in parts:
        t = time.perf_counter()
        out["alerts"] = alerts_bench.main(engine, scale, repeat=3, full_pass=True)
        log(f"{engine}: alerts ({time.perf_counter() - t:.0f} s): {out['alerts']}")
    if "load" in parts:
        t = time.perf_counter()
        out["load"] = load.run(engine, scale, seconds, workers)
        log(f"{engine}: load ({time.perf_counter() - t:.0f} s): {out['load']['results']}")
    out["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    return out


def engine_version(engine: str, scale: float) -> str:
    """e.g. "PostgreSQL 15.20", "MariaDB 10.11.14", "Babelfish 4.2.0 / PostgreSQL 16.3"."""
    db = database(engine, scale)
    sql = {"sqlite": "SELECT 'SQLite ' || sqlite_version() AS v", "postgresql": "SELECT version() AS v",
           "mariadb": "SELECT CONCAT('MariaDB ', SUBSTRING_INDEX(VERSION(), '-', 1)) AS v",
           "mssql": "SELECT @@VERSION AS v"}[engine]
    value = db.scalar_sql(sql)
    db.dispose()
    if engine == "mssql":   # Babelfish names itself and its PostgreSQL; SQL Server its release
        babelfish = re.search(r"PostgreSQL ([\d.]+) .*\(Babelfish ([\d.]+)\)", value)
        return f"Babelfish {babelfish[2]} / PostgreSQL {babelfish[1]}" if babelfish else value.split(" - ")[0].strip()
    return " ".join(value.split()[:2])


def machine() -> dict:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except OSError:
        wrk = "missing"
    from importlib.metadata import PackageNotFoundError, version

    try:
        gunicorn = version("gunicorn")
    except PackageNotFoundError:   # only the load part needs it
        gunicorn = "missing"
    return {"nproc": os.cpu_count(), "memory_gib": round(int(mem) / 1024 / 1024, 1),
            "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()), "python": platform.python_version(),
            "flask": version("flask"), "pyodbc": version("pyodbc"),
            "gunicorn": gunicorn, "wrk": wrk.strip(), "kernel": platform.release()}


# --- the results table ----------------------------------------------------------------------

def _cell(r: dict | None) -> str:
    if not r or "ratio" not in r:
        return "–"
    flag = " ⚠" if r["ratio"] > 3 else ""
    return f"{r['plugin_ms']} / {r['raw_ms']} (**{r['ratio']}**){flag}"


def table(results: dict[str, dict]) -> str:
    engines = [e for e in ENGINES if e in results]
    head = "| case | " + " | ".join(f"{results[e]['versions']}" for e in engines) + " |"
    sep = "|---|" + "---|" * len(engines)
    lines = ["### Plugin against hand-written SQL (ms: plugin / raw, **ratio**; medians)", "",
             "Scale " + ", ".join(f"{e}: {results[e]['scale']:g}" for e in engines) + ".", "", head, sep]
    cases = [("orders", "review list (50 rows)", "review list, first 50 of the pending sales orders"),
             ("orders", "search by contract no", "order search by contract no"),
             ("orders", "search by inventory code", "order search by inventory code"),
             ("orders", "approve", "approve (form, lines, order, audit; one transaction)"),
             ("inventory", "query by inventory code", "inventory query by inventory code"),
             ("inventory", "query by item name (2 items)", "inventory query by item name (2 items)"),
             ("inventory", "query, item held by every customer", "inventory query, item at every granted customer"),
             ("inventory", "customer stock list (100 items, rate and cover)", "customer stock list (100 items)"),
             ("inventory", "record a figure (update + history + audit)", "record a customer figure"),
             ("inventory", "query page over HTTP (test client)", "inventory page over HTTP (test client) vs raw query")]
    for group, key, label in cases:
        lines.append(f"| {label} | " + " | ".join(_cell(results[e].get(group, {}).get(key)) for e in engines) + " |")
    row = []
    for e in engines:
        a = results[e].get("alerts")
        row.append(f"{a['checker_evaluation_s']} s / {a['hand_written_s']} s (**{a['ratio']}**)" if a else "–")
    lines.append("| alert checker evaluation, all due checkpoints | " + " | ".join(row) + " |")
    row = []
    for e in engines:
        a = results[e].get("alerts")
        row.append(f"{a['full_pass_s']} s, {a['full_pass_alarms']} alarms; again {a['second_pass_s']} s"
                   if a and "full_pass_s" in a else "–")
    lines.append("| alert checker full pass (no floor) | " + " | ".join(row) + " |")

    lines += ["", "### Statements per request (`Database.statement_count`), small → full scale", "",
              "Scales " + ", ".join(f"{e}: {results[e]['small']:g} → {results[e]['scale']:g}" for e in engines) + ".",
              "", head, sep]
    keys = []
    for e in engines:
        for s in results[e]["statements"].values():
            keys += [k for k in s if k not in keys]
    for key in keys:
        cells = []
        for e in engines:
            small, full = (results[e]["statements"].get(f"{results[e][k]:g}", {}).get(key) for k in ("small", "scale"))
            grew = " ⚠ grows" if small != full and "alert" not in key else ""
            cells.append(f"{small} → {full}{grew}")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")

    loaded = [e for e in engines if "load" in results[e]]
    if loaded:
        lines += ["", "### Load: gunicorn, wrk -c 20 (requests/s, latency p50 / p99 ms, bare page rps ÷ page rps)", ""]
        lines.append("| page | " + " | ".join(f"{results[e]['versions']} ({results[e]['load']['workers']} workers, "
                                                f"{results[e]['load']['seconds']} s)" for e in loaded) + " |")
        lines.append("|---|" + "---|" * len(loaded))
        for page in results[loaded[0]]["load"]["results"]:
            cells = []
            for e in loaded:
                r = results[e]["load"]["results"].get(page)
                errors = f", ⚠ {r['non_200']} not 200" if r and r.get("non_200") else ""
                cells.append(f"{r['requests_per_s']:.0f} rps, {r['p50_ms']} / {r['p99_ms']} ms (**{r['floor_over_page']}×**)"
                             f"{errors}" if r else "–")
            lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql,mariadb")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--small", type=float, default=None, help="second scale for statement counts (scale / 10)")
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds per comparison")
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the JSON and results.md go (default bench/results)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="which parts to run; the others are kept from the engine's last results at this scale")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(set(parts) - set(PARTS))}; choose from {', '.join(PARTS)}")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    small = args.small if args.small is not None else args.scale / 10
    out_dir = args.results
    out_dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"machine: {info}")
    for engine in engines:
        started = time.perf_counter()
        path = out_dir / f"{engine}.json"
        previous = json.loads(path.read_text()) if path.exists() else None
        if previous and (previous.get("scale"), previous.get("small")) != (args.scale, small):
            previous = None
        result = run_engine(engine, args.scale, small, max(3, args.repeat), max(3, args.seconds), args.workers,
                            parts, previous)
        result["machine"] = info
        result["seconds"] = round(time.perf_counter() - started)
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        log(f"{engine}: done in {result['seconds']} s")
    everything = {e: json.loads((out_dir / f"{e}.json").read_text()) for e in ENGINES if (out_dir / f"{e}.json").exists()}
    md = table(everything)
    (out_dir / "results.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
