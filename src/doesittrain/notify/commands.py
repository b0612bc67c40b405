"""`doesittrain notify send` and `doesittrain subscribers export|delete`."""

from __future__ import annotations

import json

import click

from ..errors import UserError
from ..settings import Settings


@click.group()
def notify() -> None:
    """Email delivery."""


@notify.command("send")
@click.pass_obj
def send(settings: Settings) -> None:
    """Deliver every email that is due, then exit (`serve` does this in the background)."""
    from .send import run_once

    report = run_once(settings)
    click.echo(str(report))
    if report.server_unreachable:
        raise SystemExit(1)


@click.group()
def subscribers() -> None:
    """Answer data requests about one email address."""


@subscribers.command("export")
@click.argument("email")
@click.pass_obj
def export(settings: Settings, email: str) -> None:
    """Print, as JSON, everything stored about EMAIL."""
    from .subscriptions import export_address

    data = export_address(settings, email)
    if data is None:
        raise UserError("No such address is stored.")
    click.echo(json.dumps(data, indent=2))


@subscribers.command("delete")
@click.argument("email")
@click.pass_obj
def delete(settings: Settings, email: str) -> None:
    """Delete EMAIL with all its subscriptions and unsent mail."""
    from .subscriptions import delete_address

    if not delete_address(settings, email):
        raise UserError("No such address is stored.")
    click.echo("Deleted the address, its subscriptions and its mail records.")

