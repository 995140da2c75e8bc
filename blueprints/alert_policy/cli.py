"""The alert checker from the command line: ``flask scm run-alerts [--at …]``."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext
from scm_plugin.erp_bridge import BridgeError

from scm_plugin.commands import db_error, fail
from scm_plugin.i18n import format_datetime, from_local
from scm_plugin.quantities import plain

from . import jobs


@click.command("run-alerts")
@with_appcontext
@click.option("--at", "at_text", metavar="ISO_DATETIME",
              help="Evaluate as of this time (without an offset: SCM_TIMEZONE). Default: now.")
def run_alerts(at_text):
    """One pass of the alert checker: checkpoints due and not met raise an alarm and its SMS."""
    at = None
    if at_text:
        try:
            at = from_local(dt.datetime.fromisoformat(at_text.strip().replace("Z", "+00:00")))
        except ValueError:
            fail(f"--at: {at_text!r} is not an ISO date and time such as 2026-12-01T18:00", 2)
    try:
        result = jobs.run_once(current_app._get_current_object(), at)
    except BridgeError as exc:
        db_error(exc)
    if result is None:
        fail("another alert run holds the lease right now; nothing was done")
    click.echo(f"as of {format_datetime(result.at, 'yyyy-MM-dd HH:mm:ss')} ({current_app.config['SCM_TIMEZONE']}): "
               f"{result.evaluated} evaluated, {result.met} met, {len(result.alarms)} alarms, "
               f"{len(result.warnings)} warnings ({result.seconds:.2f} s)")
    for level, raised in (("alarm", result.alarms), ("warning", result.warnings)):
        for a in raised:
            click.echo(f"  {level} #{a['id']}: order {a['order_no']}, {a['process_code']} due "
                       f"{format_datetime(a['due_at'])}, {plain(a['reached'])} of {plain(a['quantity'])}; "
                       f"SMS to {', '.join(a['numbers']) or 'nobody'}")
    if result.waiting:
        click.echo(f"  {result.waiting} due but waiting for the ERP to give the form a contract number")
    if result.skipped:
        click.echo(f"  {result.skipped} already raised by another run or changed meanwhile")
    if result.unfinished:
        click.echo(f"  {result.unfinished} left for the next run (deadline reached)")
