"""Static export: every public URL of the site rendered by its page function and written as files.

Pages become `path/index.html`, so `/tools/claude` is served by any web server that tries `$uri/index.html`;
feeds, JSON and downloads keep their names. Forms that need the server (search, check, compare, subscribe) post to
the configured site URL. The JSON API's extensionless paths are written as `api/tools/index.json` and
`api/tools/<slug>.json` (a server maps them with `try_files $uri $uri.json $uri/index.json`).

A build renders each URL straight through its route's page function (no HTTP, no middleware), in one process per
CPU forked after the dataset is loaded. It is incremental: `.doesittrain-build.json` in the output folder keeps a
key per tool (its file, the tools its page links to, its changes and the site's code and settings); a tool whose
key is unchanged is not rendered again, and a file whose bytes are unchanged is not rewritten.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from starlette.requests import Request
from starlette.routing import Match, Route

from ..dataset.load import Dataset, load_for_build
from ..errors import UserError
from ..settings import Settings
from . import api, pages
from .app import SiteState, create_app, error_response
from .cache import CachedAnswer
from .render import environment

SITE_PAGES = ["/", "/compare", "/check", "/changes", "/methodology"]
SITE_FILES = ["/changes.atom", "/openapi.json", "/data/tools.json", "/data/tools.csv", "/sitemap.xml", "/robots.txt"]
MANIFEST = ".doesittrain-build.json"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
NOT_FOUND_URL = "/__not_a_page__"
DATA_JSON = "/data/tools.json"
CHUNK = 100  # bodies per task handed to a worker
PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class BuildResult:
    files: int
    seconds: float
    out: Path
    rendered: int = 0
    written: int = 0
    html_pages: int = 0
    load_seconds: float = 0.0  # of `seconds`, reading and validating the dataset


@dataclass(frozen=True)
class Job:
    """One body to render, and every file it is written to (a tool's JSON also serves as its API document)."""

    url: str
    files: tuple[str, ...]


def tool_urls(slug: str) -> list[str]:
    return [f"/tools/{slug}", f"/tools/{slug}.json", f"/tools/{slug}.atom", f"/tools/{slug}/badge.svg", f"/api/tools/{slug}"]


def public_urls(slugs: Iterable[str]) -> list[str]:
    urls = [*SITE_PAGES, *SITE_FILES, "/api/tools"]
    for slug in slugs:
        urls += tool_urls(slug)
    return urls


def tool_jobs(slug: str) -> list[Job]:
    page, document, feed, badge, api = tool_urls(slug)
    return [Job(page, (file_for(page),)), Job(document, (file_for(document), file_for(api))),
            Job(feed, (file_for(feed),)), Job(badge, (file_for(badge),))]


def site_jobs() -> list[Job]:
    return [Job(url, (file_for(url),)) for url in [*SITE_PAGES, *SITE_FILES, "/api/tools"]]


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


# ---------------------------------------------------------------- rendering without HTTP


class PageRenderer:
    """Renders a URL of the site by calling its route's page function with a request made for it."""

    def __init__(self, app):
        self.app = app
        self.routes = [r for r in app.router.routes if isinstance(r, Route)]

    def scope(self, path: str) -> dict:
        return {"type": "http", "method": "GET", "path": path, "root_path": "", "query_string": b"", "headers": [],
                "scheme": "https", "server": ("export", 443), "app": self.app, "state": {}}

    def body(self, url: str) -> bytes:
        scope = self.scope(url)
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                answer = run_to_end(route.endpoint(Request(scope)))
                return self._checked_body(url, answer)
        raise UserError(f"{url} is not a page of the site; the export stopped there.")

    def not_found_page(self) -> bytes:
        return error_response(Request(self.scope(NOT_FOUND_URL)), 404, "There is no page at this address.").body

    @staticmethod
    def _checked_body(url: str, answer) -> bytes:
        status, body = (answer.prepared.status, answer.prepared.body) if isinstance(answer, CachedAnswer) \
            else (answer.status_code, answer.body)
        if status != 200:
            raise UserError(f"{url} answered {status} during the export; the export stopped there.")
        return body


def run_to_end(coroutine):
    """The result of a page function. Public pages never wait on I/O, so no event loop is needed (nor one shared
    by forked workers); one that does wait is a page the export cannot write."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise UserError("A public page waited on I/O during the export; the export stopped there.")


def write_if_changed(path: Path, body: bytes) -> bool:
    """Write a file unless it already holds these bytes (so a web server's and a CDN's copies stay valid)."""
    try:
        if path.stat().st_size == len(body) and path.read_bytes() == body:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return True


# ---------------------------------------------------------------- what changed since the last build


def site_version(settings: Settings) -> str:
    """Everything besides a tool's own data that its pages depend on: the code, templates, static files and the
    settings that reach a page. Any change to them rebuilds every page."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{settings.base_url}\n{bool(settings.smtp_url)}\n".encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        name = path.relative_to(PACKAGE_DIR)
        if path.is_file() and name.parts[0] != "data" and path.suffix != ".pyc":  # data/: the bundled dataset
            digest.update(str(name).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def tool_keys(content: pages.Content, site: str) -> dict[str, str]:
    """Per tool, a hash of everything its five files are made of."""
    file_hashes = {f.tool.slug: f.key for f in content.dataset.files if f.tool is not None}
    keys = {}
    for slug, tool in content.tools.items():
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{site}\n{file_hashes[slug]}\n".encode())
        for other in pages.other_tools(content, tool):  # linked by name from the page
            digest.update(f"{other.slug}\t{other.name}\n".encode())
        for change in content.changes(slug):
            digest.update(repr(change).encode())
        digest.update(json.dumps(api.recheck_data(tool, content.recheck), sort_keys=True).encode())
        keys[slug] = digest.hexdigest()
    return keys


def read_manifest(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def jobs_to_render(out: Path, keys: dict[str, str], previous: dict) -> list[Job]:
    """Site-wide pages always (they list every tool); a tool's files when its key changed or one is missing."""
    old_keys = previous.get("tools", {})
    jobs = [job for job in site_jobs() if job.url != DATA_JSON]
    for slug in sorted(keys):
        mine = tool_jobs(slug)
        if old_keys.get(slug) != keys[slug] or not all((out / f).is_file() for job in mine for f in job.files):
            jobs += mine
    return jobs


def data_json(out: Path, content: pages.Content) -> bytes:
    """/data/tools.json from the tool documents just written, instead of rendering every tool a second time."""
    documents = ((out / file_for(f"/tools/{tool.slug}.json")).read_bytes() for tool in api.sorted_tools(content))
    return api.data_json_body(documents, content.dataset.version)


def remove_dropped_tools(out: Path, keys: dict[str, str], previous: dict) -> None:
    for slug in set(previous.get("tools", {})) - set(keys):
        for job in tool_jobs(slug):
            for name in job.files:
                (out / name).unlink(missing_ok=True)


# ---------------------------------------------------------------- one process per CPU

_worker: dict = {}


def _render_chunk(jobs: list[Job]) -> tuple[int, int]:
    """In a worker: render and write a share of the jobs; returns (bodies rendered, files written)."""
    renderer, out = _worker["renderer"], _worker["out"]
    written = 0
    for job in jobs:
        body = renderer.body(job.url)
        written += sum(write_if_changed(out / name, body) for name in job.files)
    return len(jobs), written


def _render_all(renderer: PageRenderer, out: Path, jobs: list[Job], processes: int,
                progress: Callable[[int, int], None] | None) -> tuple[int, int]:
    _worker.update(renderer=renderer, out=out)
    chunks = tasks(jobs)
    if processes <= 1 or len(chunks) <= 1:
        return _tally(map(_render_chunk, chunks), len(jobs), progress)
    # Forked after the dataset is loaded: every worker shares it instead of loading it again.
    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        return _tally(pool.imap_unordered(_render_chunk, chunks), len(jobs), progress)
    finally:
        pool.close()
        pool.join()


def tasks(jobs: list[Job]) -> list[list[Job]]:
    """Each site-wide body a task of its own (they list every tool, so they are the slowest and go first), tool
    bodies CHUNK to a task."""
    site = {job.url for job in site_jobs()}
    alone = [[job] for job in jobs if job.url in site]
    rest = [job for job in jobs if job.url not in site]
    return alone + [rest[i:i + CHUNK] for i in range(0, len(rest), CHUNK)]


def _tally(results, total: int, progress) -> tuple[int, int]:
    rendered = written = reported = 0
    for done, wrote in results:
        rendered, written = rendered + done, written + wrote
        if progress and rendered - reported >= PROGRESS_EVERY:
            progress(rendered, total)
            reported = rendered
    return rendered, written


def warm_up(renderer: PageRenderer) -> None:
    """Build once, before the workers fork, what each would otherwise build for itself: the compiled templates and
    the search index the home page embeds."""
    env = environment()
    for name in env.list_templates(extensions=["html", "xml"]):
        env.get_template(name)
    pages.search_index(Request(renderer.scope("/")), pages.content_of(renderer.app))


def export_app(settings: Settings, dataset: Dataset):
    """The site for a build: its content (dataset, published changes, re-check) read once and pinned, so forked
    workers never open the database and every page is rendered from the same content."""
    app = create_app(settings)
    app.state.site = SiteState(settings, dataset)
    app.state.static_export = True
    app.state.content = pages.content_of(app)
    return app


def build(settings: Settings, out: Path, progress: Callable[[int, int], None] | None = None,
          processes: int | None = None) -> BuildResult:
    started = time.perf_counter()
    dataset = load_for_build(settings)
    if dataset.problems:
        first = dataset.problems[0]
        raise UserError(f"The dataset has {len(dataset.problems)} problem(s); first: {first}. Run `doesittrain check`.")
    loaded = time.perf_counter() - started
    # While the site is written the dataset stays as it is: out of the collector's sight, collections do not walk
    # it again (a tool page renders in 1.5 ms instead of 2.2) and forked workers do not touch its memory pages.
    gc.freeze()
    try:
        return _write_site(settings, Path(out), dataset, started, loaded, processes, progress)
    finally:
        gc.unfreeze()


def _write_site(settings: Settings, out: Path, dataset: Dataset, started: float, loaded: float,
                processes: int | None, progress: Callable[[int, int], None] | None) -> BuildResult:
    out.mkdir(parents=True, exist_ok=True)
    app = export_app(settings, dataset)
    content = pages.content_of(app)
    site = site_version(settings)
    keys = tool_keys(content, site)
    old = read_manifest(out)
    jobs = jobs_to_render(out, keys, old if old.get("site") == site else {})
    renderer = PageRenderer(app)
    warm_up(renderer)
    rendered, written = _render_all(renderer, out, jobs, processes or os.cpu_count() or 1, progress)
    written += write_if_changed(out / file_for(DATA_JSON), data_json(out, content))
    written += write_if_changed(out / "404.html", renderer.not_found_page())
    static_files = static_files_of(pages.STATIC_DIR)
    written += sum(write_if_changed(out / "static" / name, path.read_bytes()) for name, path in static_files)
    remove_dropped_tools(out, keys, old)
    (out / MANIFEST).write_text(json.dumps({"site": site, "tools": keys}, indent=0, sort_keys=True), encoding="utf-8")
    files = len(site_jobs()) + sum(len(j.files) for slug in keys for j in tool_jobs(slug)) + 1 + len(static_files)
    html_pages = sum(1 for job in jobs if file_for(job.url).endswith(".html")) + 1
    return BuildResult(files, time.perf_counter() - started, out, rendered + 2, written, html_pages, loaded)


def static_files_of(folder: Path) -> list[tuple[Path, Path]]:
    return [(path.relative_to(folder), path) for path in sorted(folder.rglob("*")) if path.is_file()]
