"""`doesittrain serve` and `doesittrain build OUT/`."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import click

from .. import settings as settings_module
from .. import wording
from ..errors import UserError


SITE_URL_ENV = "DOESITTRAIN_SITE_URL"


def serve_app():
    """The app each server worker starts: settings from the environment, emails delivered in the background."""
    from .app import create_app  # imported here: the serve command itself never needs the site, only its workers

    return create_app(settings_module.load(), deliver_in_background=True)


def default_workers(settings: settings_module.Settings) -> int:
    """One process on SQLite (a laptop, one writer); on PostgreSQL one per CPU, up to 8."""
    if settings.database_url.startswith("sqlite"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes [default: 1 on SQLite, one per CPU (up to 8) on PostgreSQL].")
@click.pass_obj
def serve(settings: settings_module.Settings, host: str, port: int, workers: int | None) -> None:
    """Start the website (state lives in the home folder, created if missing)."""
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    listening = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    # Without a configured public address, absolute links (canonical, feeds, API, badge code) name the address this
    # server listens on; the workers read it from the environment like every other setting.
    if not os.environ.get(SITE_URL_ENV):
        os.environ[SITE_URL_ENV] = listening
        settings = settings.replace(site_url=listening)
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    if not settings.dataset_dir.is_dir():
        raise UserError(f"{settings.dataset_dir}: no such dataset folder (DOESITTRAIN_DATASET)")
    workers = workers or default_workers(settings)
    plural = "es" if workers > 1 else ""
    click.echo(f"doesittrain is running: open {listening}/  (state in {settings.home_dir}; "
               f"{workers} process{plural}; Ctrl+C stops)")
    if not settings.smtp_url:
        click.echo(wording.SMTP_MISSING_WARNING, err=True)
    # granian: its HTTP handling runs in Rust threads, which answered cached pages faster than uvicorn on the same
    # app (bench/README.md). This process becomes granian's supervisor: started afresh, it holds none of the modules
    # this command loaded (each worker loads the site), which keeps ~40 MiB off a server's memory.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", host, "--port", str(port),
        "--workers", str(workers), "--no-ws", "--log-level", "warning", "doesittrain.web.commands:serve_app",
    ])


@click.command("build")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def build_command(settings: settings_module.Settings, out: Path) -> None:
    """Write the whole public site as static files into OUT (pages, feeds, API JSON, downloads, sitemap)."""
    from .build import build  # imported here, like the app in serve_app

    settings.home_dir.mkdir(parents=True, exist_ok=True)
    result = build(settings, out, progress=lambda done, total: click.echo(f"{done}/{total} URLs", err=True))
    gc.freeze()  # the command ends here: the collection at exit need not walk the dataset again (0.6 s at 2,000 tools)
    click.echo(f"Built {result.files} files in {result.out} in {result.seconds:.1f} s ({result.load_seconds:.1f} s loading "
               f"the dataset): {result.rendered} rendered, {result.written} written, the rest unchanged. "
               f"Forms post to {settings.site_url}.")

