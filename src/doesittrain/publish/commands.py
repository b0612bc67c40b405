"""`doesittrain publish`."""

from __future__ import annotations

import datetime as dt
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
    from . import publish as run_publish  # the dataset and database code load only when the command runs

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
