"""`doesittrain check`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import UserError
from ..settings import Settings
from .check import check_folder


@click.command()
@click.option("--dataset", "folder", type=click.Path(file_okay=False, path_type=Path), help="Folder of tool YAML files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge staleness as of this date.")
@click.pass_obj
def check(settings: Settings, folder: Path | None, today: dt.datetime | None) -> None:
    """Validate every tool file; exit 1 on any error (warnings keep exit 0)."""
    folder = folder or settings.dataset_dir
    if not folder.is_dir():
        raise UserError(f"{folder}: no such dataset folder")
    problems = check_folder(folder, today.date() if today else None, cache=settings.cache_dir / "check.json")
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len(list(folder.glob("*.yaml")))
    click.echo(f"{files} files checked: {errors} errors, {warnings} warnings", err=bool(errors))
    sys.exit(1 if errors else 0)
