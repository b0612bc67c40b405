"""`doesittrain draft NAME SOURCE…`: a first tool file for an editor, from the vendor's pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import UserError
from ..settings import Settings
from .candidates import rank
from .document import draft, slugify
from .sources import read_all


@click.command("draft")
@click.argument("name")
@click.argument("sources", nargs=-1, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the draft; default: <slug>.yaml in the current folder.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def draft_command(settings: Settings, name: str, sources: tuple[str, ...], out: Path | None, force: bool) -> None:
    """Draft a tool file from vendor pages or local copies: sources, candidate quotes per field, every verdict unknown.

    SOURCES are policy page URLs (fetched politely: robots.txt, no private addresses), local files (HTML, Markdown,
    PDF, text) or FILE=URL (a local copy cited as the page at URL). Each field gets its top candidate quotes as
    evidence, with comments saying what the editor must decide; `doesittrain check` flags every candidate not yet
    decided."""
    target = out or Path(f"{slugify(name)}.yaml")
    if target.exists() and not force:
        raise UserError(f"{target} exists; choose another --out or add --force")
    pages = read_all(list(sources), settings)
    ranked = rank(pages, [name])
    target.write_text(draft(name, pages, ranked, dt.date.today()), encoding="utf-8")
    click.echo(f"Wrote {target}: {len(pages)} source(s); candidates: "
               + ", ".join(f"{field} {len(found)}" for field, found in ranked.items()))
    click.echo("Decide each field as the comments at the top of the file say, then run `doesittrain check`.")
