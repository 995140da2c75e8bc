"""The README's demo: from nothing to a running server with demo users, and the demo's
ERP stand-in assigning contract numbers and reporting progress."""
from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from scm_plugin.demo import erp_standin, prepare


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.delenv("SCM_SETTINGS", raising=False)
    app, users = prepare(tmp_path / "demo")
    yield app, dict((u, p) for u, _r, p in users), tmp_path / "demo"
    app.extensions["scm"].db.dispose()
    os.environ.pop("SCM_SETTINGS", None)


def test_prepare_is_repeatable_and_keeps_passwords(demo, tmp_path):
    app, passwords, folder = demo
    assert set(passwords) == {"admin", "zhangmin", "liwei", "huayin", "xingguang"}
    assert (folder / "scm.cfg").stat().st_mode & 0o077 == 0
    app2, users2 = prepare(folder)
    assert dict((u, p) for u, _r, p in users2) == passwords
    # one checkpoint template to apply from the first minute, not doubled by the rerun
    from scm_plugin.blueprints.alert_policy import checkpoint_templates
    with app2.app_context():
        names = [t["name"] for t in checkpoint_templates.templates(app2.extensions["scm"].db)]
    assert names == ["光盘标准流程"]
    app2.extensions["scm"].db.dispose()


def test_standin_assigns_contracts_and_reports_progress(demo, monkeypatch):
    app, passwords, _folder = demo
    client = app.test_client()
    page = client.get("/scm/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/scm/login", data={"username": "zhangmin", "password": passwords["zhangmin"], "csrf_token": token})
    csrf = re.search(r'data-csrf-token="([^"]+)"', client.get("/scm/").get_data(as_text=True)).group(1)
    order = client.post("/scm/api/v1/orders", headers={"X-CSRFToken": csrf}, json={
        "kind": "sales", "customer_code": "C001",
        "requested_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "lines": [{"inventory_code": "1001001", "quantity": "1000"}]}).json
    approved = client.post(f"/scm/api/v1/orders/{order['order_no']}/approve", headers={"X-CSRFToken": csrf}).json
    assert approved["contract_no"] is None
    monkeypatch.setattr(erp_standin, "CONTRACT_AFTER", dt.timedelta(0))
    assert erp_standin.assign_contracts(app) == 1
    from scm_plugin.blueprints.order_review.services import sync_contract_numbers
    sync_contract_numbers(app)
    found = client.get(f"/scm/api/v1/orders/{order['order_no']}").json
    assert found["contract_no"] == f"HT-{dt.date.today():%Y}-{found['erp_form_no'][-4:]}" or found["contract_no"].startswith("HT-")
    for _ in range(12):
        erp_standin.report_progress(app)
    db = app.extensions["scm"].db
    rows = db.all_sql("SELECT {progress.process_code} AS step, SUM({progress.quantity}) AS q FROM {progress} "
                      "WHERE {progress.order_ref} = ? GROUP BY {progress.process_code}", approved["erp_form_no"])
    by_step = {r["step"]: r["q"] for r in rows}
    assert by_step.get("MST") == 1 and by_step.get("REP") == 1000


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_command_serves(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "SCM_SETTINGS"}
    proc = subprocess.Popen([sys.executable, "-m", "scm_plugin.cli", "demo", "--port", str(port),
                             "--data-dir", str(tmp_path / "d")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/scm/login", timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert "客户业务管理" in body, proc.stdout.read() if proc.poll() is not None else "no answer"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "zhangmin" in out and "http://127.0.0.1:" in out
