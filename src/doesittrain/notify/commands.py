"""`doesittrain publish`, `doesittrain notify send` and `doesittrain subscribers export|delete`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from .. import settings as settings_module
from ..errors import UserError


def _user_errors_as_click(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except UserError as exc:
        raise click.ClickException(exc.message) from None


@click.command()
@click.option("--dataset", "folder", type=click.Path(file_okay=False, path_type=Path), help="Folder of tool YAML files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date for changes without a history entry, and for the check.")
def publish(folder: Path | None, today: dt.datetime | None) -> None:
    """Record what changed since the last publish and queue one email per change for its subscribers.

    The first publish records the baseline and emails nobody. Refuses a dataset that `check` finds errors in.
    """
    from ..publish import publish as run_publish

    settings = settings_module.load()
    folder = folder or settings.dataset_dir
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no such dataset folder")
    result = _user_errors_as_click(run_publish, settings, folder, today.date() if today else None)
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
def send() -> None:
    """Deliver every email that is due, then exit (`serve` does this in the background)."""
    from .send import run_once

    report = _user_errors_as_click(run_once, settings_module.load())
    click.echo(str(report))
    if report.server_unreachable:
        raise SystemExit(1)


@click.group()
def subscribers() -> None:
    """Answer data requests about one email address."""


@subscribers.command("export")
@click.argument("email")
def export(email: str) -> None:
    """Print, as JSON, everything stored about EMAIL."""
    from .subscriptions import export_address

    data = _user_errors_as_click(export_address, settings_module.load(), email)
    if data is None:
        raise click.ClickException("No such address is stored.")
    click.echo(json.dumps(data, indent=2))


@subscribers.command("delete")
@click.argument("email")
def delete(email: str) -> None:
    """Delete EMAIL with all its subscriptions and unsent mail."""
    from .subscriptions import delete_address

    if not _user_errors_as_click(delete_address, settings_module.load(), email):
        raise click.ClickException("No such address is stored.")
    click.echo("Deleted the address, its subscriptions and its mail records.")


commands: list[click.Command] = [publish, notify, subscribers]
