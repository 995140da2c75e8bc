"""Command line: ``flask --app scm_plugin.app scm …`` and the console script ``scm-plugin …``.

The ``scm`` group holds the core's commands and those every module declares
(``Module.commands``). It reaches Flask through the ``flask.commands`` entry point, so
``flask scm --help`` (and each command's ``--help``) work before any configuration
exists. A command needs the app only when it runs: a configuration error then prints
one line and exits 2, and a command of a module the app has not enabled says so.
"""
from __future__ import annotations

import functools

import click
from flask import current_app
from flask.cli import ScriptInfo

from . import commands
from .app import create_app
from .blueprints import declared_modules
from .demo import run_demo
from .erp_bridge import BridgeError
from .errors import ConfigError
from .state import get_state


class SCMGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            commands.fail(str(exc), 2)


def _only_if_enabled(module: str, command: click.Command) -> click.Command:
    """The module's command, refusing to run on an app without that module."""
    run = command.callback

    @functools.wraps(run)
    def callback(*args, **kwargs):
        app = current_app or click.get_current_context().ensure_object(ScriptInfo).load_app()
        if module not in get_state(app).modules:
            commands.fail(f"{command.name}: module {module} is not enabled on this app "
                          "(SCM_ENABLED_MODULES)", 2)
        return run(*args, **kwargs)

    return click.Command(command.name, params=command.params, callback=callback, help=command.help,
                         short_help=command.short_help, epilog=command.epilog,
                         context_settings=command.context_settings)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--data-dir", default="./scm-demo", show_default=True,
              type=click.Path(file_okay=False))
def demo(host, port, data_dir):
    """Set up (if absent) and serve the demo: SQLite through ODBC, reference ERP data,
    demo users, the scheduler in-process."""
    try:
        run_demo(data_dir, host, port)
    except BridgeError as exc:
        commands.db_error(exc)


def build_group() -> SCMGroup:
    group = SCMGroup("scm", help="Customer Business Management (客户业务管理) plugin commands.")
    for command in (*commands.COMMANDS, demo):
        group.add_command(command)
    for module in declared_modules():
        for command in module.commands:
            group.add_command(_only_if_enabled(module.name, command))
    return group


scm_cli = build_group()


def _create_app_for_cli(*_args):
    return create_app()


def main() -> None:
    """The ``scm-plugin`` console script: the ``scm`` commands at top level."""
    scm_cli.main(prog_name="scm-plugin", obj=ScriptInfo(create_app=_create_app_for_cli, set_debug_flag=False,
                                                         load_dotenv_defaults=False))


if __name__ == "__main__":
    main()
