"""`doesittrain serve` and `doesittrain build OUT/`."""

from __future__ import annotations

from pathlib import Path

import click

from .. import settings as settings_module
from ..errors import UserError


def serve_app():
    """The app uvicorn starts in each worker: settings from the environment, emails delivered in the background."""
    from .app import create_app

    return create_app(settings_module.load(), deliver_in_background=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Start the website (state lives in the home folder, created if missing)."""
    import uvicorn

    settings = settings_module.load()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    if not settings.dataset_dir.is_dir():
        raise click.ClickException(f"{settings.dataset_dir}: no such dataset folder (DOESITTRAIN_DATASET)")
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    click.echo(f"doesittrain is running: open http://{shown}:{port}/  (state in {settings.home_dir}; Ctrl+C stops)")
    uvicorn.run(
        "doesittrain.web.commands:serve_app", factory=True, host=host, port=port, workers=workers,
        log_level="warning", access_log=False, proxy_headers=True,
    )


@click.command("build")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def build_command(out: Path) -> None:
    """Write the whole public site as static files into OUT (pages, feeds, API JSON, downloads, sitemap)."""
    from .build import build

    settings = settings_module.load()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = build(settings, out, progress=lambda done, total: click.echo(f"{done}/{total} URLs", err=True))
    except UserError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Wrote {result.files} files to {result.out} in {result.seconds:.1f} s. Forms post to {settings.site_url}.")


commands: list[click.Command] = [serve, build_command]
