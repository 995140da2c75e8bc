"""What a module of the plugin declares, and nothing else.

Each function package (``scm_plugin.blueprints.<module>``) exposes one ``module``: its
blueprint, its API routes, its scheduled jobs, CLI commands, message codes, menu entries
and default settings. ``SCMPlugin.init_app`` reads the declarations of the enabled
modules and registers them on that one app (``app.extensions["scm"]``): importing a
package registers nothing anywhere, so two apps in one process with different
``SCM_ENABLED_MODULES`` never see each other's jobs, routes or commands.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # typing only: core never imports a blueprint
    import click
    from flask import Blueprint, Flask

    from .erp_bridge import Database


@dataclass(frozen=True)
class Job:
    """A scheduled job: a named function taking the app (never a lambda)."""
    name: str
    func: Callable[[Flask], object]
    interval_key: str                 # the SCM_* setting with its interval in seconds


@dataclass(frozen=True)
class Channel:
    """An outbox channel: ``send(app, row)`` hands one row to its server; ``deferred(app,
    row, exc)`` is told that a row was not tried because its server did not answer
    earlier in the pass."""
    name: str
    send: Callable[[Flask, dict], None]
    deferred: Callable[[Flask, dict, Exception], None] | None = None


@dataclass(frozen=True)
class MenuEntry:
    number: int
    endpoint: str      # relative to the parent blueprint, e.g. "order_review.queue_sales"
    label: str         # msgid
    roles: tuple[str, ...]


class RouteSet(Protocol):
    """A module's API routes (``scm_plugin.blueprints.api.spec.ApiRoutes``)."""

    def register(self, bp: Blueprint) -> None: ...


@dataclass(frozen=True)
class Module:
    name: str
    # A blueprint, or a function building one from all enabled modules (the API's).
    blueprint: Blueprint | Callable[[Sequence[Module]], Blueprint] | None = None
    api: RouteSet | None = None
    jobs: tuple[Job, ...] = ()
    channels: tuple[Channel, ...] = ()
    commands: tuple[click.Command, ...] = ()
    messages: Mapping[str, Any] = field(default_factory=dict)
    menu: tuple[MenuEntry, ...] = ()
    portal_menu: tuple[MenuEntry, ...] = ()   # what a customer's portal user sees
    defaults: Mapping[str, Any] = field(default_factory=dict)
    demo_data: Callable[[Database], None] | None = None    # what the demo adds for this module
