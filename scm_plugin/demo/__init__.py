"""The demo: one command from nothing to a running plugin on SQLite through ODBC.

In ``DATA_DIR`` it creates, when absent: ``scm.cfg`` (settings, so ``SCM_SETTINGS=DIR/scm.cfg
flask --app scm_plugin.app scm …`` works on the same demo), ``erp.db`` with the reference
ERP schema and seed data, the plugin's tables, a ``files/`` folder and demo users whose
passwords are kept in ``demo-users.txt`` and printed at start.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from werkzeug.serving import run_simple

from .. import accounts
from ..app import create_app
from ..erp_bridge import erp_schema, migrations
from ..scheduler import start_in_process
from . import erp_standin

DEMO_USERS = (
    # username, role, customer, display name, grants
    ("admin", "admin", None, "系统管理员", ("*",)),
    ("zhangmin", "rep", None, "张敏（客户代表）", ("C001", "C002", "C005")),
    ("liwei", "rep", None, "李伟（客户代表）", ("C003", "C004")),
    ("huayin", "customer", "C001", "华音文化 采购部", ()),
    ("xingguang", "customer", "C002", "星光唱片 采购部", ()),
)
# The reps' operator names in the ERP (the maker of the forms they approve).
DEMO_ERP_NAMES = {"zhangmin": "张敏", "liwei": "李伟"}


def _write_settings(path: Path, data_dir: Path) -> None:
    db_path = data_dir / "erp.db"
    storage = data_dir / "files"
    text = f'''# scm_plugin demo settings (Python syntax). Written once by `scm-plugin demo`.
SECRET_KEY = {secrets.token_hex(32)!r}
SCM_ERP_DSN = {f"DRIVER={{SQLite3}};Database={db_path};FKSupport=1"!r}
SCM_STORAGE_DIR = {str(storage)!r}
SCM_SMS_BACKEND = "log"
SCM_URL_PREFIX = "/scm"
# Mail goes to a local SMTP server if one listens here; otherwise it waits in the outbox.
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = 8025
MAIL_DEFAULT_SENDER = "scm-demo@example.invalid"
'''
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def prepare(data_dir: str | Path):
    """Create whatever of the demo is missing; returns (app, users with passwords)."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "files").mkdir(exist_ok=True)
    cfg = data_dir / "scm.cfg"
    if not cfg.exists():
        _write_settings(cfg, data_dir)
    os.environ["SCM_SETTINGS"] = str(cfg)
    app = create_app()
    db = app.extensions["scm"].db
    with app.app_context():
        if not erp_schema.has_erp_data(db):
            if erp_schema.check_erp(db).missing_tables:
                erp_schema.create_reference_schema(db)
            erp_schema.load_seed(db, erp_schema.reference_seed())
        migrations.upgrade(db)
        users = _ensure_users(db, data_dir / "demo-users.txt")
        for module in app.extensions["scm"].declarations:
            if module.demo_data is not None:
                module.demo_data(db)
    return app, users


def _ensure_users(db, secrets_file: Path) -> list[tuple[str, str, str]]:
    known: dict[str, str] = {}
    if secrets_file.exists():
        for line in secrets_file.read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                name, password = line.split("\t", 1)
                known[name] = password
    rows = []
    for username, role, customer, display, grants in DEMO_USERS:
        password = known.get(username)
        if password is None:
            password = secrets.token_urlsafe(9)
            try:
                accounts.create_user(db, username=username, role=role, password=password,
                                     customer_code=customer, display_name=display,
                                     erp_name=DEMO_ERP_NAMES.get(username), actor="demo")
            except Exception:
                accounts.set_password(db, username, password, actor="demo")
            if grants:
                accounts.grant(db, username, list(grants), actor="demo")
            known[username] = password
        rows.append((username, role, password))
    secrets_file.write_text("".join(f"{n}\t{p}\n" for n, p in known.items()), encoding="utf-8")
    secrets_file.chmod(0o600)
    return rows


def run_demo(data_dir: str, host: str, port: int) -> None:
    app, users = prepare(data_dir)
    url = f"http://{host}:{port}{app.config['SCM_URL_PREFIX']}/"
    click.echo(f"\nscm_plugin demo — 客户业务管理\n  {url}\n  data: {Path(data_dir).resolve()}\n")
    click.echo("  demo users (username / password / role):")
    for username, role, password in users:
        click.echo(f"    {username:<10} {password:<14} {role}")
    click.echo("")
    start_in_process(app, extra=erp_standin.jobs(app))
    # Not app.run(): inside the flask CLI that call is ignored on purpose.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
