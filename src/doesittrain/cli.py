"""The `doesittrain` command. Thin: each command parses its options and calls one function of the package."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from . import settings as settings_module
from .dataset.check import check_folder


@click.group()
@click.version_option(package_name="doesittrain")
def cli() -> None:
    """Does this AI tool train on my data? Cited, per-tier answers, a policy monitor and change alerts.

    Every setting can be given as an environment variable: see `doesittrain settings`.
    """


@cli.command()
@click.option("--dataset", "folder", type=click.Path(file_okay=False, path_type=Path), help="Folder of tool YAML files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge staleness as of this date.")
def check(folder: Path | None, today: dt.datetime | None) -> None:
    """Validate every tool file; exit 1 on any error (warnings keep exit 0)."""
    folder = folder or settings_module.load().dataset_dir
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no such dataset folder")
    problems = check_folder(folder, today.date() if today else None)
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len(list(folder.glob("*.yaml")))
    click.echo(f"{files} files checked: {errors} errors, {warnings} warnings", err=bool(errors))
    sys.exit(1 if errors else 0)


@cli.command("settings")
def show_settings() -> None:
    """List every setting, its environment variable and its current value."""
    current = settings_module.load()
    for setting in settings_module.SETTINGS:
        value = current.values[setting.name]
        if "password" in setting.name or "secret" in setting.name:
            value = "(set)" if value else "(not set)"
        click.echo(f"{setting.env}={value}\n    {setting.help}")


def _register_concern_commands() -> None:
    from .monitor.commands import commands as monitor_commands
    from .notify.commands import commands as notify_commands
    from .store.commands import commands as store_commands
    from .web.commands import commands as web_commands

    for command in (*web_commands, *notify_commands, *monitor_commands, *store_commands):
        cli.add_command(command)


_register_concern_commands()
