"""Static export: every public URL of the site rendered through the app itself and written as files.

Pages become `path/index.html`, so `/tools/claude` is served by any web server that tries `$uri/index.html`;
feeds, JSON and downloads keep their names. Forms that need the server (search, check, compare, subscribe) post to
the configured site URL. The JSON API's extensionless paths are written as `api/tools/index.json` and
`api/tools/<slug>.json` (a server maps them with `try_files $uri $uri.json $uri/index.json`).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import asyncio

import httpx

from ..dataset.load import load_dataset
from ..errors import UserError
from ..settings import Settings
from .pages import STATIC_DIR

SITE_PAGES = ["/", "/compare", "/check", "/changes", "/methodology"]
SITE_FILES = ["/changes.atom", "/openapi.json", "/data/tools.json", "/data/tools.csv", "/sitemap.xml", "/robots.txt"]


@dataclass(frozen=True)
class BuildResult:
    files: int
    seconds: float
    out: Path


def public_urls(slugs: Iterable[str]) -> list[str]:
    urls = [*SITE_PAGES, *SITE_FILES, "/api/tools"]
    for slug in slugs:
        urls += [f"/tools/{slug}", f"/tools/{slug}.json", f"/tools/{slug}.atom", f"/tools/{slug}/badge.svg", f"/api/tools/{slug}"]
    return urls


def file_for(url: str) -> str:
    """Where a URL's body is written, relative to the export folder."""
    if url == "/api/tools":
        return "api/tools/index.json"
    if url.startswith("/api/tools/"):
        return url.lstrip("/") + ".json"
    last = url.rsplit("/", 1)[-1]
    if url.endswith("/") or "." not in last:
        return (url.strip("/") + "/index.html").lstrip("/")
    return url.lstrip("/")


def build(settings: Settings, out: Path, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    from .app import SiteState, create_app

    started = time.perf_counter()
    dataset = load_dataset(settings.dataset_dir, keep_lines=False)
    if dataset.problems:
        first = dataset.problems[0]
        raise UserError(f"The dataset has {len(dataset.problems)} problem(s); first: {first}. Run `doesittrain check`.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    app.state.site = SiteState(settings, dataset)
    app.state.static_export = True
    urls = public_urls(sorted(dataset.tools))
    written = asyncio.run(_export(app, urls, out, progress))
    written += _copy_static(out / "static")
    return BuildResult(written, time.perf_counter() - started, out)


async def _export(app, urls: list[str], out: Path, progress) -> int:
    """Request each URL from the app in process (no sockets) and write its body."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://export") as client:
        for index, url in enumerate(urls, start=1):
            response = await client.get(url)
            if response.status_code != 200:
                raise UserError(f"{url} answered {response.status_code} during the export; the export stopped there.")
            _write(out / file_for(url), response.content)
            if progress and index % 500 == 0:
                progress(index, len(urls))
        missing = await client.get("/__not_a_page__")
        _write(out / "404.html", missing.content)
    return len(urls) + 1


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def _copy_static(target: Path) -> int:
    shutil.copytree(STATIC_DIR, target, dirs_exist_ok=True)
    return sum(1 for p in target.rglob("*") if p.is_file())
