"""The ASGI app: routes from each page module, security headers, and one error handler for every failure."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import settings as settings_module
from .. import wording
from ..dataset.load import Dataset, dataset_version, load_dataset
from ..errors import UserError
from .cache import BrowserTokens, CachedPages

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self' {site}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "interest-cohort=()",
}


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
            self._checked_at = time.monotonic()
            return self._dataset


class SecurityHeaders:
    def __init__(self, app, base_url: str):
        self.app = app
        self.headers = security_headers(base_url)

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
    from .render import render

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
    from sqlalchemy.exc import OperationalError, DBAPIError

    if isinstance(exc, (OperationalError, DBAPIError)):
        log.warning("database unavailable: %s", type(exc).__name__)
        return error_response(request, 503, wording.HTTP_ERRORS[503], {"retry-after": "5"})
    log.exception("unexpected error on %s", request.url.path)
    return error_response(request, 500, wording.HTTP_ERRORS[500])


def collect_routes() -> list:
    from . import admin, api, pages, subscribe

    return [*api.routes, *subscribe.routes, *admin.routes, *pages.routes]


def _csrf_middleware() -> list[Middleware]:
    """Sets the form-token cookie on pages that rendered a form (the subscribe box on tool pages and /changes)."""
    try:
        from .security import CSRFCookieMiddleware
    except ImportError:  # the security module is optional while the site is assembled
        return []
    return [Middleware(CSRFCookieMiddleware)]


def content_version(app) -> str:
    """The render cache's version for this app: built by pages.content_of itself, so both paths agree on it."""
    from types import SimpleNamespace

    from .pages import content_of

    return content_of(SimpleNamespace(app=app)).version


def browser_tokens(app) -> BrowserTokens:
    tokens = getattr(app.state, "browser_tokens", None)
    if tokens is None:
        from .security import secret_key

        settings = app.state.settings
        tokens = app.state.browser_tokens = BrowserTokens(secret_key(settings), settings.site_url.startswith("https://"))
    return tokens


def security_headers(base_url: str) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.format(site=base_url).encode()) for name, value in SECURITY_HEADERS.items()]


def create_app(settings: settings_module.Settings | None = None, deliver_in_background: bool = False) -> Starlette:
    settings = settings or settings_module.load()
    fast_path = Middleware(
        CachedPages, version_of=content_version, extra_headers=security_headers(settings.base_url), tokens=browser_tokens,
    )
    app = Starlette(
        routes=collect_routes(),
        middleware=[fast_path, Middleware(SecurityHeaders, base_url=settings.base_url), *_csrf_middleware()],
        exception_handlers={UserError: _user_error, HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=_lifespan,
    )
    # A request must not hold a worker while SQLite is locked: it waits briefly, then answers 503 with Retry-After.
    app.state.settings = settings.replace(db_wait_seconds=settings.web_db_wait_seconds)
    app.state.worker_settings = settings
    app.state.site = SiteState(settings)
    app.state.deliver_in_background = deliver_in_background
    return app


@asynccontextmanager
async def _lifespan(app: Starlette):
    """Deliver owed emails in the background while the site runs, when a mail server is configured."""
    settings = app.state.worker_settings
    stop = asyncio.Event()
    tasks = []
    if app.state.deliver_in_background and settings.smtp_url:
        from ..notify.send import deliver_forever

        tasks.append(asyncio.create_task(deliver_forever(settings, stop)))
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
