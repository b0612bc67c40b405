"""Rendered responses kept until the dataset (or the list of published changes) changes, and served from bytes.

Pages are pure functions of the dataset and the published changes, so the key is that pair's version plus the URL.
The form token of the subscribe box differs per browser: pages are cached with a placeholder that each response
fills in, which keeps one cached copy per URL.

`CachedPages` answers a GET for a URL already in the cache before routing, templates or Starlette's Request: the
status line, headers and body are prepared once per cached page, and each request only fills in its browser's form
token, the CSRF cookie when the browser has none yet, and the ETag (a matching If-None-Match gets a 304). Anything
not in the cache goes through the app as before and lands in the cache on the way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from starlette.datastructures import QueryParams
from starlette.requests import cookie_parser

CSRF_PLACEHOLDER = "__doesittrain_csrf_token__"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


@dataclass
class Rendered:
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    prepared: "Prepared | None" = field(default=None, repr=False, compare=False)


class RenderCache:
    """A bounded LRU of rendered bodies for one content version; a new version empties it."""

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self.version: str | None = None
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, version: str, key: str, make: Callable[[], Rendered]) -> Rendered:
        with self._lock:
            if version != self.version:
                self._entries.clear()
                self.version = version
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        rendered = make()  # outside the lock: two threads may render the same page once each, never wrongly
        with self._lock:
            self.misses += 1
            if version == self.version:
                self._entries[key] = rendered
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return rendered

    def peek(self, version: str, key: str) -> Rendered | None:
        """The cached response for this version and URL, without rendering anything on a miss."""
        with self._lock:
            if version != self.version:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(app) -> RenderCache:
    cache = getattr(app.state, "render_cache", None)
    if cache is None:
        cache = app.state.render_cache = RenderCache()
    return cache


# ---------------------------------------------------------------- the fast path


@dataclass(frozen=True)
class Prepared:
    """A cached page split for serving: the body around each form-token placeholder, fixed headers, and its tag."""

    status: int
    parts: tuple[bytes, ...]
    headers: tuple[tuple[bytes, bytes], ...]
    tag: str

    @property
    def has_token(self) -> bool:
        return len(self.parts) > 1


def prepare(rendered: Rendered, extra_headers: list[tuple[bytes, bytes]]) -> Prepared:
    """Done once per cached page; `rendered.prepared` keeps it, so the cache's eviction frees both together."""
    if rendered.prepared is None:
        status = int(rendered.headers.get("x-status", 200))
        headers = [(b"content-type", rendered.media_type.encode("latin-1"))]
        headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in rendered.headers.items() if k != "x-status"]
        given = {name for name, _ in headers}
        headers += [h for h in extra_headers if h[0] not in given]
        tag = hashlib.blake2b(rendered.body, digest_size=12).hexdigest()
        rendered.prepared = Prepared(status, tuple(rendered.body.split(_PLACEHOLDER)), tuple(headers), tag)
    return rendered.prepared


def etag_for(prepared: Prepared, browser_value: str | None) -> str:
    """The page's tag, plus a short hash of the browser's CSRF value when the body carries that browser's token."""
    if not prepared.has_token or not browser_value:
        return f'"{prepared.tag}"'
    return f'"{prepared.tag}-{hashlib.blake2b(browser_value.encode(), digest_size=6).hexdigest()}"'


def cache_key_of(scope) -> str | None:
    """The render cache's key for this request: the same string `pages.cache_key` builds from a Request."""
    path = scope.get("root_path", "") + scope["path"]
    # Starlette's URL escapes these before splitting, so request.url.path keeps them escaped; so do we.
    path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query_string = scope.get("query_string", b"")
    if not query_string:
        return path
    from urllib.parse import urlencode

    query = sorted(QueryParams(query_string).multi_items())
    return path + ("?" + urlencode(query) if query else "")


def header(scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def if_none_match(scope, etag: str) -> bool:
    wanted = header(scope, b"if-none-match")
    if not wanted:
        return False
    tags = {t.strip().removeprefix("W/") for t in wanted.decode("latin-1").split(",")}
    return etag in tags or "*" in tags


class Signer:
    """Writes exactly what `itsdangerous.URLSafeSerializer(key, salt).dumps(text)` writes, for short text values.

    itsdangerous rebuilds its signer, re-derives the key and tries zlib on every call, which cost more than the
    rest of a cached page's answer; the derived key's HMAC is prepared here once and copied per signature.
    A random value never compresses, so skipping the zlib attempt changes nothing in the output.
    """

    def __init__(self, key: str, salt: str):
        derived = hashlib.sha1(salt.encode() + b"signer" + key.encode()).digest()  # itsdangerous' "django-concat"
        self._mac = hmac.new(derived, digestmod=hashlib.sha1)

    def dumps(self, value: str) -> str:
        payload = base64_encode(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        mac = self._mac.copy()
        mac.update(payload)
        return (payload + b"." + base64_encode(mac.digest())).decode()


class BrowserTokens:
    """Form tokens for browsers' CSRF cookies, signed exactly as web/security.py signs and checks them.

    A returning browser's token is a pure function of its cookie, so tokens of recently seen cookies are kept and
    a cached page costs that browser a dictionary look-up; a new browser costs one random value and two signatures.
    """

    MAX_REMEMBERED = 20_000

    def __init__(self, key: str, secure: bool):
        from .security import CSRF_COOKIE

        self.cookie_name = CSRF_COOKIE
        self._cookie_reader = URLSafeSerializer(key, salt="csrf-cookie")
        self._cookie_signer = Signer(key, salt="csrf-cookie")
        self._form_signer = Signer(key, salt="csrf-form")
        self._cookie_suffix = "; HttpOnly; Max-Age=2592000; Path=/; SameSite=lax" + ("; Secure" if secure else "")
        self._known: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def for_request(self, scope) -> tuple[str, str, bytes | None]:
        """(CSRF value, form token, Set-Cookie header or None) for this request's browser."""
        raw = header(scope, b"cookie")
        cookie = cookie_parser(raw.decode("latin-1")).get(self.cookie_name) if raw else None
        if cookie:
            with self._lock:
                known = self._known.get(cookie)
            if known is not None:
                return known[0], known[1], None
            value = self._verified(cookie)
            if value is not None:
                token = self._form_signer.dumps(value)
                with self._lock:
                    self._known[cookie] = (value, token)
                    if len(self._known) > self.MAX_REMEMBERED:
                        self._known.popitem(last=False)
                return value, token, None
        value = secrets.token_urlsafe(32)
        set_cookie = f"{self.cookie_name}={self._cookie_signer.dumps(value)}{self._cookie_suffix}"
        return value, self._form_signer.dumps(value), set_cookie.encode("latin-1")

    def _verified(self, cookie: str) -> str | None:
        try:
            value = self._cookie_reader.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


class CachedPages:
    """ASGI middleware: GET and HEAD of a URL in the render cache are answered from prepared bytes.

    `version_of(app)` gives the current content version (the render cache's first key part), `extra_headers` are
    the security headers every response carries. On a miss the request goes on to the app; a page it renders
    from the cache gets its ETag on the way out, so the first answer and later ones carry the same headers.
    """

    def __init__(self, app, version_of: Callable, extra_headers: list[tuple[bytes, bytes]], tokens: Callable[[object], BrowserTokens]):
        self.app = app
        self.version_of = version_of
        self.extra_headers = extra_headers
        self.tokens = tokens

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        if getattr(app.state, "static_export", False):
            await self.app(scope, receive, send)
            return
        try:
            version, key = self.version_of(app), cache_key_of(scope)
            rendered = cache_of(app).peek(version, key)
        except Exception:  # e.g. a dataset that no longer loads: the app's own error handling answers
            rendered = None
        if rendered is None:
            await self.app(scope, receive, self._tagging_send(scope, send))
            return
        await self._answer(scope, send, prepare(rendered, self.extra_headers))

    async def _answer(self, scope, send, prepared: Prepared) -> None:
        headers = list(prepared.headers)
        browser_value, token = None, b""
        if prepared.has_token:
            browser_value, text_token, set_cookie = self.tokens(scope["app"]).for_request(scope)
            token = text_token.encode()
            if set_cookie is not None:
                headers.append((b"set-cookie", set_cookie))
        etag = etag_for(prepared, browser_value)
        headers.append((b"etag", etag.encode()))
        if prepared.status == 200 and if_none_match(scope, etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [h for h in headers if h[0] != b"content-type"]})
            await send({"type": "http.response.body", "body": b""})
            return
        body = token.join(prepared.parts)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": prepared.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _tagging_send(self, scope, send):
        """Adds the ETag to a response the app served from the render cache (the first request for a page)."""

        async def tagged(message):
            if message["type"] == "http.response.start":
                found = self._rendered_for(scope)
                if found is not None:
                    prepared = prepare(found, self.extra_headers)
                    if prepared.status == message["status"]:
                        etag = etag_for(prepared, (scope.get("state") or {}).get("csrf_value"))
                        message["headers"] = [*message.get("headers", []), (b"etag", etag.encode())]
            await send(message)

        return tagged

    def _rendered_for(self, scope) -> Rendered | None:
        try:
            return cache_of(scope["app"]).peek(self.version_of(scope["app"]), cache_key_of(scope))
        except Exception:
            return None
