"""`doesittrain db`: migrate, back up and restore the state database."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import Settings
from . import backup as backups
from .db import upgrade


@click.group("db")
def db_group() -> None:
    """The state database (SQLite by default, PostgreSQL via DOESITTRAIN_DATABASE_URL)."""


@db_group.command("upgrade")
@click.pass_obj
def upgrade_command(settings: Settings) -> None:
    """Apply every pending migration."""
    if settings.database_url.startswith("sqlite"):
        settings.home_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo("Database is up to date.")


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_command(settings: Settings, file: Path) -> None:
    """Write an online, consistent copy of the database to FILE."""
    written = backups.backup(settings.database_url, file)
    click.echo(f"Backup written to {written}")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current database.")
@click.pass_obj
def restore_command(settings: Settings, file: Path, yes: bool) -> None:
    """Replace the database with the contents of a backup FILE."""
    if not yes:
        click.confirm("This replaces the current database. Continue?", abort=True)
    backups.restore(settings.database_url, file)
    click.echo(f"Restored from {file}")
