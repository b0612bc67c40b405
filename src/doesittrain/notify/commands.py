"""`doesittrain publish`, `doesittrain notify send` and `doesittrain subscribers export|delete`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..errors import UserError
from ..settings import Settings


@click.command()
@click.option("--dataset", "folder", type=click.Path(file_okay=False, path_type=Path), help="Folder of tool YAML files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date for changes without a history entry, and for the check.")
@click.pass_obj
def publish(settings: Settings, folder: Path | None, today: dt.datetime | None) -> None:
    """Record what changed since the last publish and queue one email per change for its subscribers.

    The first publish records the baseline and emails nobody. Refuses a dataset that `check` finds errors in.
    """
    from ..publish import publish as run_publish

    folder = folder or settings.dataset_dir
    if not folder.is_dir():
        raise UserError(f"{folder}: no such dataset folder")
    result = run_publish(settings, folder, today.date() if today else None)
    if result.baseline:
        click.echo(f"Baseline recorded: {result.values} published values. Nobody was notified.")
    elif not result.changes:
        click.echo("Nothing changed since the last publish.")
    else:
        for change in result.changes:
            click.echo(f"{change.tool} · {change.plan_name} · {change.field}: {change.before} → {change.after}")
        click.echo(f"{len(result.changes)} change(s) recorded; {result.emails_queued} email(s) queued.")


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

