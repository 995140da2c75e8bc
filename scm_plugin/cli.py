"""Command line: ``flask --app scm_plugin.app scm …`` and the console script ``scm-plugin …``.

Every command reports bad input with a clear message and exit status 2 (usage) or 1
(the check failed), and changes nothing in that case.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup

from . import accounts
from .erp_bridge import BridgeError, erp_schema, migrations
from .errors import ConfigError, InvalidInput, NotFound
from .messages import field_messages
from .state import get_db

scm_cli = AppGroup("scm", help="Customer Business Management (客户业务管理) plugin commands.")


def _fail(text: str, code: int = 1):
    click.echo(click.style(text, fg="red"), err=True)
    sys.exit(code)


def _invalid(exc: InvalidInput):
    lines = [f"{name}: {text}" for name, text in field_messages(exc.fields).items()]
    if exc.detail:
        lines.append(exc.detail)
    _fail("\n".join(lines), 2)


def _db_error(exc: BridgeError):
    _fail(f"database error ({type(exc).__name__}, SQLSTATE {exc.sqlstate or '-'}): {exc.detail or exc}")


@scm_cli.command("init-db")
def init_db():
    """Create or upgrade the plugin's own tables (safe to run again)."""
    try:
        applied = migrations.upgrade(get_db())
    except BridgeError as exc:
        _db_error(exc)
    if not applied:
        click.echo(f"plugin tables are up to date (version {migrations.current_version(get_db())})")
    for step in applied:
        click.echo(f"applied {step.version:04d}: {step.description}")


@scm_cli.command("check-erp")
def check_erp():
    """Check every mapped ERP table and column; exit 1 listing what is missing."""
    db = get_db()
    try:
        result = erp_schema.check_erp(db)
    except BridgeError as exc:
        _db_error(exc)
    click.echo(f"mapping: {db.mapping.source}")
    if result.ok:
        click.echo("every mapped table and column exists")
        return
    for table in result.missing_tables:
        click.echo(f"missing table: {table}")
    for column in result.missing_columns:
        click.echo(f"missing column: {column}")
    sys.exit(1)


@scm_cli.command("demo-data")
@click.option("--force", is_flag=True, help="Load even if the database already holds ERP data.")
def demo_data(force: bool):
    """Load the reference ERP schema and seed data into the configured database."""
    db = get_db()
    try:
        present = erp_schema.has_erp_data(db)
        if present and not force:
            _fail("this database already holds ERP data (customers found); "
                  "refusing to load demo data. Use --force to load anyway.")
        if erp_schema.check_erp(db).missing_tables:
            erp_schema.create_reference_schema(db)
        counts = erp_schema.load_seed(db, erp_schema.reference_seed())
    except BridgeError as exc:
        _db_error(exc)
    click.echo("loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@scm_cli.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--customer", "customer_code", help="The customer company of a customer user.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--display-name")
@click.option("--email")
@click.option("--mobile")
def create_user(name, role, customer_code, password_stdin, display_name, email, mobile):
    """Add a user (rep, admin or customer)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user_id = accounts.create_user(get_db(), username=name, role=role, password=password,
                                       customer_code=customer_code, display_name=display_name,
                                       email=email, mobile=mobile)
    except InvalidInput as exc:
        _invalid(exc)
    except BridgeError as exc:
        _db_error(exc)
    click.echo(f"created user {name} (id {user_id}, role {role})")


@scm_cli.command("grant")
@click.argument("name")
@click.argument("codes", nargs=-1, required=True)
@click.option("--until", help="Last day of the grant (YYYY-MM-DD), e.g. for vacation cover.")
def grant(name, codes, until):
    """Grant customers (or * for all) to a rep or admin."""
    try:
        results = accounts.grant(get_db(), name, list(codes), until=until)
    except InvalidInput as exc:
        _invalid(exc)
    except NotFound:
        _fail(f"no user named {name}", 2)
    except BridgeError as exc:
        _db_error(exc)
    for code, outcome in results:
        click.echo(f"{code}: {outcome}" + (f" (until {until})" if until else ""))


@scm_cli.command("revoke")
@click.argument("name")
@click.argument("codes", nargs=-1, required=True)
def revoke(name, codes):
    """Remove customer grants from a user."""
    try:
        results = accounts.revoke(get_db(), name, list(codes))
    except NotFound:
        _fail(f"no user named {name}", 2)
    except BridgeError as exc:
        _db_error(exc)
    for code, removed in results:
        click.echo(f"{code}: {'revoked' if removed else 'was not granted'}")


@scm_cli.command("create-token")
@click.argument("name")
@click.option("--label", default="api", help="A name for the token (shown in the audit log).")
def create_token(name, label):
    """Print a new API token for the user, once."""
    try:
        token = accounts.create_token(get_db(), name, label)
    except NotFound:
        _fail(f"no user named {name}", 2)
    except BridgeError as exc:
        _db_error(exc)
    click.echo(token)


@scm_cli.command("send-outbox")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_outbox(limit):
    """One delivery pass over pending mail and SMS."""
    from .outbox import relay
    try:
        counts = relay(current_app._get_current_object(), limit=limit)
    except BridgeError as exc:
        _db_error(exc)
    click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")


@scm_cli.command("run-alerts")
@click.option("--at", "at_text", metavar="ISO_DATETIME",
              help="Evaluate as of this time (without an offset: SCM_TIMEZONE). Default: now.")
def run_alerts(at_text):
    """One pass of the alert checker: checkpoints due and not met raise an alarm and its SMS."""
    import datetime as dt

    from .blueprints.alert_policy import jobs as alert_jobs
    from .blueprints.alert_policy.services import plain, to_utc
    from .i18n import format_datetime
    at = None
    if at_text:
        try:
            at = to_utc(dt.datetime.fromisoformat(at_text.strip().replace("Z", "+00:00")))
        except ValueError:
            _fail(f"--at: {at_text!r} is not an ISO date and time such as 2026-12-01T18:00", 2)
    try:
        result = alert_jobs.run_once(current_app._get_current_object(), at)
    except BridgeError as exc:
        _db_error(exc)
    if result is None:
        _fail("another alert run holds the lease right now; nothing was done")
    click.echo(f"as of {format_datetime(result.at, 'yyyy-MM-dd HH:mm:ss')} ({current_app.config['SCM_TIMEZONE']}): "
               f"{result.evaluated} evaluated, {result.met} met, {len(result.alarms)} alarms, "
               f"{len(result.warnings)} warnings ({result.seconds:.2f} s)")
    for level, raised in (("alarm", result.alarms), ("warning", result.warnings)):
        for a in raised:
            click.echo(f"  {level} #{a['id']}: order {a['order_no']}, {a['process_code']} due "
                       f"{format_datetime(a['due_at'])}, {plain(a['reached'])} of {plain(a['quantity'])}; "
                       f"SMS to {', '.join(a['numbers']) or 'nobody'}")
    if result.skipped:
        click.echo(f"  {result.skipped} already raised by another run or changed meanwhile")
    if result.unfinished:
        click.echo(f"  {result.unfinished} left for the next run (deadline reached)")


@scm_cli.command("scheduler")
def scheduler():
    """Run the scheduled jobs in the foreground (the production shape)."""
    from .scheduler import run_forever
    run_forever(current_app._get_current_object())


@scm_cli.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default="./scm-demo", show_default=True,
              type=click.Path(file_okay=False))
def demo(host, port, data_dir):
    """Set up (if absent) and serve the demo: SQLite through ODBC, reference ERP data,
    demo users, the scheduler in-process."""
    from .demo import run_demo
    try:
        run_demo(data_dir, host, port)
    except ConfigError as exc:
        _fail(str(exc), 2)
    except BridgeError as exc:
        _db_error(exc)


def _create_app_for_cli(*_args):
    from .app import create_app
    try:
        return create_app()
    except ConfigError as exc:
        _fail(str(exc), 2)


def main() -> None:
    """The ``scm-plugin`` console script: the ``scm`` commands at top level."""
    cli = FlaskGroup(create_app=_create_app_for_cli, add_default_commands=False,
                     load_dotenv=False, set_debug_flag=False,
                     help="Customer Business Management (客户业务管理) plugin.")
    for name, command in scm_cli.commands.items():
        cli.add_command(command, name)
    cli.main(prog_name="scm-plugin")


if __name__ == "__main__":
    main()
