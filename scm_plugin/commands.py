"""The core's commands (the ``scm`` group is assembled in ``cli.py``) and how every
command reports: bad input with a clear message and exit status 2 (usage) or 1 (the
check failed), and nothing changed in that case."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from . import accounts
from .erp_bridge import BridgeError, erp_schema, migrations
from .errors import InvalidInput, NotFound
from .messages import field_messages
from .outbox import relay
from .scheduler import run_forever
from .state import get_db


def fail(text: str, code: int = 1):
    click.echo(click.style(text, fg="red"), err=True)
    sys.exit(code)


def invalid(exc: InvalidInput):
    lines = [f"{name}: {text}" for name, text in field_messages(exc.fields).items()]
    if exc.detail:
        lines.append(exc.detail)
    fail("\n".join(lines), 2)


def db_error(exc: BridgeError):
    fail(f"database error ({type(exc).__name__}, SQLSTATE {exc.sqlstate or '-'}): {exc.detail or exc}")


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the plugin's own tables (safe to run again)."""
    try:
        applied = migrations.upgrade(get_db())
    except BridgeError as exc:
        db_error(exc)
    if not applied:
        click.echo(f"plugin tables are up to date (version {migrations.current_version(get_db())})")
    for step in applied:
        click.echo(f"applied {step.version:04d}: {step.description}")


@click.command("check-erp")
@with_appcontext
@click.option("--json", "as_json", is_flag=True,
              help="Print the problems as a JSON list of objects (table, column, problem, fix, check).")
def check_erp(as_json: bool):
    """Check every mapped ERP table and column, and that approving an order can write
    the review forms; exit 1 listing every problem."""
    db = get_db()
    try:
        result = erp_schema.check_erp(db)
    except BridgeError as exc:
        db_error(exc)
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in result.problems], ensure_ascii=False, indent=2))
        if not result.ok:
            sys.exit(1)
        return
    click.echo(f"mapping: {db.mapping.source}")
    if result.ok:
        click.echo("every mapped table and column exists, and approve can write the review forms")
        return
    for table in result.missing_tables:
        click.echo(f"missing table: {table}")
    for column in result.missing_columns:
        click.echo(f"missing column: {column}")
    for problem in result.problems:
        if problem.check not in ("missing_table", "missing_column"):
            click.echo(problem.line)
    sys.exit(1)


@click.command("demo-data")
@with_appcontext
@click.option("--force", is_flag=True, help="Load even if the database already holds ERP data.")
def demo_data(force: bool):
    """Load the reference ERP schema and seed data into the configured database."""
    db = get_db()
    try:
        present = erp_schema.has_erp_data(db)
        if present and not force:
            fail("this database already holds ERP data (customers found); "
                  "refusing to load demo data. Use --force to load anyway.")
        if erp_schema.check_erp(db).missing_tables:
            erp_schema.create_reference_schema(db)
        counts = erp_schema.load_seed(db, erp_schema.reference_seed())
    except BridgeError as exc:
        db_error(exc)
    click.echo("loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--customer", "customer_code", help="The customer company of a customer user.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--display-name")
@click.option("--email")
@click.option("--mobile")
@click.option("--erp-name", help="The user's operator name in the ERP (at most 40 characters), "
                                 "written as the maker of the review forms the user approves.")
def create_user(name, role, customer_code, password_stdin, display_name, email, mobile, erp_name):
    """Add a user (rep, admin or customer)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user_id = accounts.create_user(get_db(), username=name, role=role, password=password,
                                       customer_code=customer_code, display_name=display_name,
                                       email=email, mobile=mobile, erp_name=erp_name)
    except InvalidInput as exc:
        invalid(exc)
    except BridgeError as exc:
        db_error(exc)
    click.echo(f"created user {name} (id {user_id}, role {role})")


@click.command("grant")
@with_appcontext
@click.argument("name")
@click.argument("codes", nargs=-1, required=True)
@click.option("--until", help="Last day of the grant (YYYY-MM-DD), e.g. for vacation cover.")
def grant(name, codes, until):
    """Grant customers (or * for all) to a rep or admin."""
    try:
        results = accounts.grant(get_db(), name, list(codes), until=until)
    except InvalidInput as exc:
        invalid(exc)
    except NotFound:
        fail(f"no user named {name}", 2)
    except BridgeError as exc:
        db_error(exc)
    for code, outcome in results:
        click.echo(f"{code}: {outcome}" + (f" (until {until})" if until else ""))


@click.command("revoke")
@with_appcontext
@click.argument("name")
@click.argument("codes", nargs=-1, required=True)
def revoke(name, codes):
    """Remove customer grants from a user."""
    try:
        results = accounts.revoke(get_db(), name, list(codes))
    except NotFound:
        fail(f"no user named {name}", 2)
    except BridgeError as exc:
        db_error(exc)
    for code, removed in results:
        click.echo(f"{code}: {'revoked' if removed else 'was not granted'}")


@click.command("create-token")
@with_appcontext
@click.argument("name")
@click.option("--label", default="api", help="A name for the token (shown in the audit log).")
def create_token(name, label):
    """Print a new API token for the user, once."""
    try:
        token = accounts.create_token(get_db(), name, label)
    except NotFound:
        fail(f"no user named {name}", 2)
    except BridgeError as exc:
        db_error(exc)
    click.echo(token)


@click.command("send-outbox")
@with_appcontext
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_outbox(limit):
    """One delivery pass over pending mail and SMS."""
    try:
        counts = relay(current_app._get_current_object(), limit=limit)
    except BridgeError as exc:
        db_error(exc)
    click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the scheduled jobs in the foreground (the production shape)."""
    run_forever(current_app._get_current_object())


COMMANDS = (init_db, check_erp, demo_data, create_user, grant, revoke, create_token, send_outbox, scheduler)
