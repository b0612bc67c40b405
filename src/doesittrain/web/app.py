"""The ASGI app: routes from each page module, security headers, and one error handler for every failure."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from contextlib import asynccontextmanager

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import settings as settings_module
from .. import wording
from ..dataset.load import Dataset, dataset_version, load_dataset
from ..errors import UserError
from ..notify.send import deliver_forever
from . import admin, api, pages, subscribe
from .cache import CachedPages
from .render import render
from .security import security_headers

log = logging.getLogger(__name__)

PROXY_HOSTS = "127.0.0.1"  # the address of a reverse proxy whose X-Forwarded-* headers are believed


class SiteState:
    """The dataset the site serves, reloaded when any file of it changes.

    Hashing every file on every request would cost more than rendering a cached page, so the files are
    re-hashed at most every CHECK_SECONDS; an edit shows up within that time.
    """

    CHECK_SECONDS = 2.0

    def __init__(self, settings: settings_module.Settings, dataset: Dataset | None = None):
        self.settings = settings
        self._dataset: Dataset | None = dataset
        self._checked_at = time.monotonic() if dataset is not None else float("-inf")
        self._lock = threading.Lock()

    @property
    def dataset(self) -> Dataset:
        if self._dataset is not None and time.monotonic() - self._checked_at < self.CHECK_SECONDS:
            return self._dataset
        with self._lock:
            current = dataset_version(self.settings.dataset_dir)
            if self._dataset is None or self._dataset.version != current:
                self._dataset = load_dataset(self.settings.dataset_dir, keep_lines=False)
                # The dataset is kept until the next edit: out of the cyclic collector's sight, rendering a page
                # no longer pays for walking it (a third of a tool page's time). Collected first, so no garbage
                # of the previous dataset is frozen with it.
                gc.collect()
                gc.freeze()
            self._checked_at = time.monotonic()
            return self._dataset


class SecurityHeaders:
    """Adds the security headers to every answer that does not already carry them (cached pages do)."""

    def __init__(self, app, headers: list[tuple[bytes, bytes]]):
        self.app = app
        self.headers = headers

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [h for h in self.headers if h[0] not in existing]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path.endswith(".json")
        or "application/json" in request.headers.get("accept", "")
    )


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape: JSON {"error": {"status", "message"}} for API clients, a helpful page for people."""
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)
    try:
        response = render(request, "error.html", {"status": status, "message": message}, status=status)
    except Exception:  # the error page itself failed: fall back to plain text, never a traceback
        log.exception("error page failed")
        response = Response(f"{status}: {message}", status_code=status, media_type="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


async def _user_error(request: Request, exc: UserError) -> Response:
    headers = {"retry-after": str(exc.retry_after)} if getattr(exc, "retry_after", None) else None
    return error_response(request, exc.status, exc.message, headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    message = wording.HTTP_ERRORS.get(exc.status_code, exc.detail)
    return error_response(request, exc.status_code, message)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DBAPIError):  # OperationalError included
        log.warning("database unavailable: %s", type(exc).__name__)
        return error_response(request, 503, wording.HTTP_ERRORS[503], {"retry-after": "5"})
    log.exception("unexpected error on %s", request.url.path)
    return error_response(request, 500, wording.HTTP_ERRORS[500])


def collect_routes() -> list:
    return [*api.routes, *subscribe.routes, *admin.routes, *pages.routes]


def create_app(settings: settings_module.Settings | None = None, deliver_in_background: bool = False) -> Starlette:
    settings = settings or settings_module.load()
    headers = security_headers(settings.base_url)
    app = Starlette(
        routes=collect_routes(),
        middleware=[
            Middleware(CachedPages, version_of=pages.content_version),
            # After the cached pages, which are the same for every client: only the rest reads the client's
            # address and scheme, taken from X-Forwarded-For/-Proto when a proxy on this machine sends them.
            Middleware(wrap_asgi_with_proxy_headers, trusted_hosts=PROXY_HOSTS),
            Middleware(SecurityHeaders, headers=headers),
        ],
        exception_handlers={UserError: _user_error, HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=_lifespan,
    )
    # A request must not hold a worker while SQLite is locked: it waits briefly, then answers 503 with Retry-After.
    app.state.settings = settings.replace(db_wait_seconds=settings.web_db_wait_seconds)
    app.state.worker_settings = settings
    app.state.site = SiteState(settings)
    app.state.security_headers = headers
    app.state.deliver_in_background = deliver_in_background
    return app


@asynccontextmanager
async def _lifespan(app: Starlette):
    """Deliver owed emails in the background while the site runs, when a mail server is configured."""
    settings = app.state.worker_settings
    stop = asyncio.Event()
    tasks = []
    if app.state.deliver_in_background and settings.smtp_url:
        tasks.append(asyncio.create_task(deliver_forever(settings, stop)))
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
