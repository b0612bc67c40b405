"""`doesittrain monitor run|watch` and `doesittrain review list|show|resolve|apply`."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..dataset.load import load_dataset
from ..errors import UserError
from ..settings import Settings
from ..store.db import engine_for
from .diff import word_diff
from .review import apply_proposal, get_item, list_items, resolve
from .run import run_pass
from .watch import watched


@click.group()
def monitor() -> None:
    """Watch the policy pages the dataset cites and record what changes."""


_watch_option = click.option("--watch", "watch_file", type=click.Path(dir_okay=False, path_type=Path),
                             help="Watch file (YAML) with extra documents; default: the bundled data/watch.yaml.")
_only_option = click.option("--only", metavar="SLUG", help="Only the sources of this tool.")
_json_option = click.option("--json", "as_json", is_flag=True, help="One JSON object per document, one per line.")
_worker_option = click.option("--worker", is_flag=True,
                              help="Share the pass with other workers: skip documents another process holds or just checked.")


@monitor.command("run")
@_watch_option
@_only_option
@_json_option
@_worker_option
@click.pass_obj
def run_command(settings: Settings, watch_file: Path | None, only: str | None, as_json: bool, worker: bool) -> None:
    """Check every watched document once and exit (status 1 when any check failed)."""
    results = _one_pass(settings, watch_file, only, as_json, worker)
    if not as_json:
        _print_summary(results)
    sys.exit(1 if any(r.outcome == "error" for r in results) else 0)


@monitor.command("watch")
@_watch_option
@_only_option
@_json_option
@_worker_option
@click.option("--every", default="12h", show_default=True, help="Time between passes: 90s, 30m, 12h, 1d.")
@click.pass_obj
def watch_command(settings: Settings, watch_file: Path | None, only: str | None, as_json: bool, worker: bool, every: str) -> None:
    """Run a pass, then again every --every (with up to 10 % jitter, so many installs do not hit sites at once)."""
    interval = parse_interval(every)
    while True:
        results = _one_pass(settings, watch_file, only, as_json, worker)
        if not as_json:
            _print_summary(results)
        time.sleep(interval * (1 + random.uniform(0, 0.1)))


def parse_interval(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise UserError(f"--every {text!r}: write a number and a unit, e.g. 90s, 30m, 12h or 1d")
    seconds = float(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    if seconds < 60:
        raise UserError(f"--every {text!r}: at least one minute between passes, to stay polite to the sites")
    return seconds


def _one_pass(settings: Settings, watch_file: Path | None, only: str | None, as_json: bool, worker: bool):
    dataset = load_dataset(settings.dataset_dir)
    documents = watched(dataset, watch_file, only)
    show_progress = not as_json and sys.stderr.isatty() and not os.environ.get("CI")
    progress = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), disable=not show_progress)

    with progress:
        task = progress.add_task("pass", total=len(documents))

        def on_result(result) -> None:
            progress.advance(task)
            if as_json:
                click.echo(result.to_json())

        return asyncio.run(run_pass(settings, documents, dataset, worker=worker, on_result=on_result))


def _print_summary(results) -> None:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    console = Console()
    for result in results:
        if result.outcome in ("changed", "error") or result.broken_evidence:
            style = "red" if result.outcome == "error" else ("yellow" if result.material else "white")
            detail = result.error or ", ".join(result.topics)
            if result.broken_evidence:
                detail += f" · broken evidence: {', '.join(result.broken_evidence)}"
            console.print(f"[{style}]{result.outcome:9}[/] {result.name} — {detail}", highlight=False)
    console.print(" · ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing to check")


@click.group()
def review() -> None:
    """The queue of changes, broken quotes and unreachable sources editors work through."""


@review.command("list")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved items.")
@click.pass_obj
def review_list(settings: Settings, include_resolved: bool) -> None:
    """Open items, most urgent first."""
    items = list_items(engine_for(settings), include_resolved)
    if not items:
        click.echo("The review queue is empty.")
        return
    table = Table(show_edge=False)
    for column in ("id", "kind", "status", "title", "since"):
        table.add_column(column)
    for item in items:
        table.add_row(str(item.id), item.kind, item.status, item.title, f"{item.created_at:%Y-%m-%d %H:%M}")
    Console().print(table)


@review.command("show")
@click.argument("item_id", type=int)
@click.pass_obj
def review_show(settings: Settings, item_id: int) -> None:
    """One item: what happened, the changed passages as a coloured diff with their topics, the claims it breaks."""
    view = get_item(engine_for(settings), item_id)
    console = Console()
    item = view.item
    console.print(f"[bold]#{item.id} {item.title}[/] ({item.kind}, {item.status})")
    if view.document is not None:
        console.print(f"Document: {view.document.name}")
    if item.detail:
        console.print(item.detail, highlight=False)
    if view.change is not None:
        console.print(f"Topics: {', '.join(view.topics)} · material: {'yes' if view.change.material else 'no'}")
        for passage in view.passages:
            console.print(Text(f"\n[{', '.join(passage['topics'])}] {passage['kind']}", style="bold cyan"))
            line = Text()
            for op, piece in word_diff(passage["old"], passage["new"]):
                line.append(piece, style={"same": "", "removed": "red strike", "added": "green underline"}[op])
            console.print(line)
    for broken in view.breaks:
        console.print(f"[red]Breaks claim {broken.claim} of {broken.tool}[/] (item #{broken.id})")
    if item.note:
        console.print(f"Note: {item.note}")


@review.command("resolve")
@click.argument("item_id", type=int)
@click.option("--note", required=True, help="What you did, or why nothing needs doing.")
@click.pass_obj
def review_resolve(settings: Settings, item_id: int, note: str) -> None:
    """Close an item with a note."""
    resolve(engine_for(settings), item_id, note)
    click.echo(f"Resolved #{item_id}.")



@review.command("apply")
@click.argument("item_id", type=int)
@click.option("--dataset", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of tool YAML files; default: the configured dataset.")
@click.pass_obj
def review_apply(settings: Settings, item_id: int, folder: Path | None) -> None:
    """Write an item's proposed replacement quote into the tool file (comments and layout kept), date its source as
    read today, run check, and resolve the item if check passes (on errors the file is left as it was)."""
    applied = apply_proposal(engine_for(settings), item_id, folder or settings.dataset_dir, dt.date.today())
    click.echo(f"{applied.path}: evidence {applied.claim} now quotes “{applied.replacement}”")
    for warning in applied.warnings:
        click.echo(str(warning))
    click.echo(f"check: 0 errors, {len(applied.warnings)} warnings in this file. Resolved #{item_id}.")
