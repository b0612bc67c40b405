"""Polite, bounded HTTP fetching of policy pages.

httpx (async) with a global and a per-host concurrency limit, timeouts and an overall deadline, a size cap,
redirects followed by hand (at most MAX_REDIRECTS, each hop checked against the private-address guard),
conditional requests, retries with backoff for transient failures, robots.txt, and an honest User-Agent.
Each request connects to the address the guard resolved and approved (the Host header and TLS name stay the
host's), so a name that resolves elsewhere a moment later (DNS rebinding) is not followed.
A headless Chromium fetch is used when the watch entry asks for JavaScript or the plain fetch looks bot-blocked.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from typing import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import certifi
import httpcore
import httpx
from protego import Protego

from ..settings import Settings

MAX_REDIRECTS = 5
TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}
# Statuses and markers that mean "a bot wall answered", where a real browser may get through.
BOT_BLOCK_STATUSES = {403, 406, 429, 503}
BOT_BLOCK_MARKERS = (b"cf-chl", b"challenge-platform", b"Just a moment", b"captcha", b"Incapsula", b"_Incapsula_",
                     b"px-captcha", b"Attention Required")


class FetchError(Exception):
    """A fetch that produced no usable page; `cause` is a short label, `transient` says a retry may help."""

    def __init__(self, cause: str, detail: str = "", transient: bool = False, bot_block: bool = False):
        super().__init__(f"{cause}: {detail}" if detail else cause)
        self.cause = cause
        self.transient = transient
        self.bot_block = bot_block


@dataclass
class Page:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    via: str = "http"


@dataclass
class Validators:
    """What the last fetch of a URL told us, sent back as If-None-Match / If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Limits:
    concurrency: int = 8
    per_host: int = 2
    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry, doubled each time

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(
            concurrency=settings.fetch_concurrency,
            per_host=settings.fetch_per_host,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
        )


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~70 ms; do it once per process, not once per pass."""
    return ssl.create_default_context(cafile=certifi.where())


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    # IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64) are judged by that address.
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    elif ip.version == 6 and ip.sixtofour:
        ip = ip.sixtofour
    elif ip.version == 6 and ip in _NAT64:
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("DNS failure", f"{host}: {exc}", transient=True) from None
    return [info[4][0] for info in infos]


async def check_address(url: str, allow_private: bool, resolver=resolve) -> str:
    """The address to connect to for `url`; refuses a host that resolves to a loopback, private, link-local or
    reserved address (SSRF guard) unless `allow_private`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("unsupported URL", url)
    addresses = await resolver(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise FetchError("DNS failure", f"{parts.hostname}: no address", transient=True)
    for address in addresses if not allow_private else ():
        if not is_public_address(address):
            raise FetchError("private address", f"{parts.hostname} resolves to {address}")
    return addresses[0]


# Headers of a browser request or answer that describe one connection or encoding, which the client sets (and
# decodes) itself.
_SET_BY_THE_CLIENT = {"host", "connection", "content-length", "transfer-encoding", "content-encoding", "accept-encoding",
                      "keep-alive"}


class _ApprovedAddresses(httpcore.AsyncNetworkBackend):
    """Opens each connection to the address the guard approved for its host, never resolving the name again.
    URLs, Host headers, TLS names and pooling stay the host's, so certificates are checked as usual."""

    def __init__(self) -> None:
        self.addresses: dict[str, str] = {}
        self._network = httpcore.AnyIOBackend()

    def approve(self, url: str, address: str) -> None:
        self.addresses[httpx.URL(url).raw_host.decode("ascii")] = address

    async def connect_tcp(self, host: str, port: int, timeout=None, local_address=None, socket_options=None):
        if host not in self.addresses:
            raise httpcore.ConnectError(f"{host}: not approved by the private-address guard")
        return await self._network.connect_tcp(self.addresses[host], port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


def _transport(limits: Limits, network: _ApprovedAddresses) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(verify=_tls_context(), trust_env=False)
    # httpx takes no network backend; its pool is rebuilt with ours (same settings as httpx's own).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_tls_context(), max_connections=limits.concurrency * 2,
        max_keepalive_connections=limits.concurrency, keepalive_expiry=5.0, network_backend=network)
    return transport


@dataclass
class Fetcher:
    """One per run: shares the connection pool, the limits and the robots.txt cache across documents."""

    user_agent: str
    allow_private: bool = False
    limits: Limits = field(default_factory=Limits)
    chromium_path: str = "/usr/bin/chromium"
    browser_fallback: bool = True
    resolver: Callable[[str, int], Awaitable[list[str]]] = resolve

    def __post_init__(self) -> None:
        self._global = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._network = _ApprovedAddresses()
        self._client = httpx.AsyncClient(
            transport=_transport(self.limits, self._network),
            headers={"User-Agent": self.user_agent, "Accept-Language": "en-US,en;q=0.8",
                     "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(self.limits.timeout),
            follow_redirects=False,
        )
        self._browser = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "Fetcher":
        values = dict(user_agent=settings.user_agent, allow_private=settings.allows_private_addresses,
                      limits=Limits.from_settings(settings), chromium_path=settings.chromium_path)
        values.update(overrides)
        return cls(**values)

    async def close(self) -> None:
        await self._client.aclose()
        if self._browser is not None:
            await self._browser.close()
            await self._playwright.stop()

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc.lower()
        return self._hosts.setdefault(host, asyncio.Semaphore(self.limits.per_host))

    async def fetch(self, url: str, validators: Validators | None = None, javascript: bool = False) -> Page:
        """The page at `url`, following the rules above; raises FetchError."""
        if not await self.allowed_by_robots(url):
            raise FetchError("blocked by robots.txt", url)
        if javascript:
            return await self.fetch_with_browser(url)
        try:
            return await self._with_retries(url, validators)
        except FetchError as exc:
            if exc.bot_block and self.browser_fallback:
                return await self.fetch_with_browser(url)
            raise

    async def _with_retries(self, url: str, validators: Validators | None) -> Page:
        attempt = 0
        while True:
            try:
                async with self._global, self._host_limit(url):
                    return await asyncio.wait_for(self._get(url, validators), timeout=self.limits.timeout * 2)
            except asyncio.TimeoutError:
                error = FetchError("timeout", f"no complete answer within {self.limits.timeout * 2:g} s", transient=True)
            except FetchError as exc:
                error = exc
            if not error.transient or attempt >= self.limits.retries:
                raise error
            await asyncio.sleep(self.limits.backoff * 2**attempt)
            attempt += 1

    async def _get(self, url: str, validators: Validators | None) -> Page:
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            await self._approve(current)
            try:
                async with self._client.stream("GET", current, headers=headers) as response:
                    if response.status_code in (301, 302, 303, 307, 308):
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError("redirect without location", current)
                        current = urljoin(current, location)
                        continue
                    return await self._read(url, current, response)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", type(exc).__name__, transient=True) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise FetchError("connection broken", str(exc) or type(exc).__name__, transient=True) from None
            except httpx.ConnectError as exc:
                raise FetchError("connection failed", str(exc) or type(exc).__name__, transient=True) from None
            except httpx.HTTPError as exc:
                raise FetchError("HTTP failure", str(exc) or type(exc).__name__) from None
        raise FetchError("too many redirects", f"more than {MAX_REDIRECTS} from {url}")

    async def _approve(self, url: str) -> None:
        self._network.approve(url, await check_address(url, self.allow_private, self.resolver))

    async def _read(self, url: str, final_url: str, response: httpx.Response) -> Page:
        if response.status_code == 304:
            return Page(final_url, 304, "", b"", not_modified=True)
        body = await self._bounded_body(response)
        status = response.status_code
        if status >= 400:
            bot = status in BOT_BLOCK_STATUSES and (
                any(marker in body[:20000] for marker in BOT_BLOCK_MARKERS) or "cf-mitigated" in response.headers)
            raise FetchError(f"HTTP {status}", final_url, transient=status in TRANSIENT_STATUSES and not bot, bot_block=bot)
        return Page(final_url, status, response.headers.get("content-type", ""), body,
                    etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))

    async def _bounded_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refused past the size limit (declared or read)."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise FetchError("too large", f"{declared} bytes declared, the limit is {self.limits.max_bytes}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise FetchError("too large", f"more than {self.limits.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._load_robots(origin)
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, self.user_agent)

    async def _load_robots(self, origin: str) -> Protego | None:
        """Parsed robots.txt, or None (allow all) when there is none. An unreachable robots.txt allows too:
        the pages we watch are public legal texts, and a missing robots file must not silence the monitor."""
        try:
            async with self._global:
                await self._approve(origin)
                response = await self._client.get(origin + "/robots.txt")
        except (httpx.HTTPError, FetchError):
            return None
        if response.status_code != 200 or len(response.content) > 512 * 1024:
            return None
        return Protego.parse(response.text)

    async def fetch_with_browser(self, url: str) -> Page:
        """Render the page in headless Chromium; requests to private addresses are refused inside it too."""
        await check_address(url, self.allow_private, self.resolver)
        try:
            browser = await self._ensure_browser()
        except FetchError:
            raise
        except Exception as exc:  # no Chromium installed, or it failed to start
            raise FetchError("browser unavailable", str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        async with self._global, self._host_limit(url):
            context = await browser.new_context(user_agent=self.user_agent)
            try:
                page = await context.new_page()
                await page.route("**/*", self._guard_browser_request)
                try:
                    response = await page.goto(url, timeout=self.limits.timeout * 1000, wait_until="networkidle")
                except Exception as exc:
                    raise FetchError("browser navigation failed", str(exc).splitlines()[0], transient=True) from None
                if response is None:
                    raise FetchError("browser navigation failed", "no response")
                if response.status >= 400:
                    raise FetchError(f"HTTP {response.status}", url, transient=response.status in TRANSIENT_STATUSES)
                html = (await page.content()).encode()
                if len(html) > self.limits.max_bytes:
                    raise FetchError("too large", f"more than {self.limits.max_bytes} bytes")
                return Page(page.url, response.status, "text/html; charset=utf-8", html, via="browser")
            finally:
                await context.close()

    async def _guard_browser_request(self, route) -> None:
        """Every request the page makes is sent by the fetcher's own client and handed back to Chromium, so it too
        connects to the address the guard approved: Chromium resolving the name itself could be sent elsewhere by
        a name that changed its answer between the check and the connection."""
        request = route.request
        if urlsplit(request.url).scheme in ("data", "blob", "about"):
            await route.continue_()
            return
        sent = {name: value for name, value in (await request.all_headers()).items()
                if not name.startswith(":") and name.lower() not in _SET_BY_THE_CLIENT}
        try:
            await self._approve(request.url)
            async with self._client.stream(request.method, request.url, headers=sent,
                                           content=request.post_data_buffer) as response:
                body = await self._bounded_body(response)
        except (FetchError, httpx.HTTPError):
            await route.abort()
            return
        headers: dict[str, str] = {}
        for name, value in response.headers.multi_items():
            if name.lower() not in _SET_BY_THE_CLIENT:
                # Several Set-Cookie headers travel as one value with a line break between them.
                joint = "\n" if name.lower() == "set-cookie" else ", "
                headers[name] = headers[name] + joint + value if name in headers else value
        await route.fulfill(status=response.status_code, headers=headers, body=body)

    async def _ensure_browser(self):
        if self._browser is None:
            try:
                from playwright.async_api import async_playwright
            except ImportError:
                raise FetchError("browser unavailable", "pages with `javascript: true` need the browser extra: "
                                 "pip install 'doesittrain[browser]'") from None

            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.chromium_path,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"],
            )
        return self._browser
