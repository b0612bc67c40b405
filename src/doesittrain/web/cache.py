"""Rendered responses kept until the dataset (or the list of published changes) changes, and served from bytes.

Pages are pure functions of the dataset and the published changes, so the key is that pair's version plus the URL,
and a cached page is the same bytes for every reader: its forms carry no per-reader token (web/security.py checks
where a form came from instead), so answering it sets no cookie.

One path answers every cached page: `answer` sends its prepared status line, headers (security headers and ETag
included) and body, or a 304. `CachedPages` calls it before routing for a URL already in the cache; the page
functions call it through `CachedAnswer` on the first request, which renders the page into the cache.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

# Enough for every page of a site of a few thousand tools; past it the least recently used pages go.
MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Rendered:
    """A page as its function produced it: body, media type, extra headers, status."""

    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Prepared:
    """A rendered page split for serving: status, the raw ASGI headers of a full answer and of a 304, the body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    not_modified_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: str


def prepare(rendered: Rendered, security_headers: list[tuple[bytes, bytes]]) -> Prepared:
    """Done once per page and version: everything a reader's answer needs, as bytes."""
    etag = f'"{hashlib.blake2b(rendered.body, digest_size=12).hexdigest()}"'
    own = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in rendered.headers.items()]
    given = {name for name, _ in own}
    common = [*own, *(h for h in security_headers if h[0] not in given), (b"etag", etag.encode())]
    full = [(b"content-type", rendered.media_type.encode("latin-1")),
            (b"content-length", str(len(rendered.body)).encode()), *common]
    return Prepared(rendered.status, tuple(full), tuple(common), rendered.body, etag)


class RenderCache:
    """A bounded LRU of prepared pages for one content version; a new version empties it.

    Bounded by count and by bytes, so a large dataset cannot grow a server's memory without limit.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.version: str | None = None
        self._entries: OrderedDict[str, Prepared] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, version: str, key: str, make: Callable[[], Prepared]) -> Prepared:
        found = self.peek(version, key)
        if found is not None:
            return found
        made = make()  # outside the lock: two threads may render the same page once each, never wrongly
        with self._lock:
            self.misses += 1
            if version != self.version:
                self._clear(version)
            if version == self.version and key not in self._entries:
                self._entries[key] = made
                self._bytes += len(made.body)
                self._evict()
        return made

    def peek(self, version: str, key: str) -> Prepared | None:
        """The cached page for this version and URL, without rendering anything on a miss."""
        with self._lock:
            if version != self.version:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def _clear(self, version: str) -> None:
        self._entries.clear()
        self._bytes = 0
        self.version = version

    def _evict(self) -> None:
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(app) -> RenderCache:
    cache = getattr(app.state, "render_cache", None)
    if cache is None:
        cache = app.state.render_cache = RenderCache()
    return cache


def cache_key(scope) -> str:
    """The render cache's key for a request: its path and its query parameters in a stable order."""
    path = scope.get("root_path", "") + scope["path"]
    # Starlette's URL escapes these before splitting, so request.url.path keeps them escaped; so do we.
    path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query_string = scope.get("query_string", b"")
    if not query_string:
        return path
    query = sorted(QueryParams(query_string).multi_items())
    return path + ("?" + urlencode(query) if query else "")


def if_none_match(scope, etag: str) -> bool:
    for key, value in scope["headers"]:
        if key == b"if-none-match":
            tags = {t.strip().removeprefix("W/") for t in value.decode("latin-1").split(",")}
            return etag in tags or "*" in tags
    return False


async def answer(scope, send, prepared: Prepared) -> None:
    """The one way a cached page is sent: a 304 when the reader has this copy, else headers and body."""
    if prepared.status == 200 and if_none_match(scope, prepared.etag):
        await send({"type": "http.response.start", "status": 304, "headers": prepared.not_modified_headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": prepared.status, "headers": prepared.headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else prepared.body})


class CachedAnswer:
    """What a page function returns for a cached page (Starlette calls it like a Response)."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared

    async def __call__(self, scope, receive, send) -> None:
        await answer(scope, send, self.prepared)


class CachedPages:
    """ASGI middleware: GET and HEAD of a URL in the render cache are answered before routing.

    `version_of(app)` gives the current content version (the render cache's first key part). Anything not in the
    cache goes through the app, whose page functions render it into the cache.
    """

    def __init__(self, app, version_of: Callable):
        self.app = app
        self.version_of = version_of

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        try:
            prepared = cache_of(scope["app"]).peek(self.version_of(scope["app"]), cache_key(scope))
        except Exception:  # e.g. a dataset that no longer loads: the app's own error handling answers
            prepared = None
        if prepared is None:
            await self.app(scope, receive, send)
        else:
            await answer(scope, send, prepared)
