"""Open redirects, path traversal in static files, and the monitor's guard against private addresses.

Paths go over a raw socket to a real server, so no client library tidies `..` or encodings before they arrive.
"""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from tests.hardening.support import live_site

EVIL = "https://evil.example/phish"


def raw_get(base: str, target: str) -> tuple[int, dict[str, str], bytes]:
    """Send `target` byte for byte as the request line's path; returns status, headers and body."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from doesittrain import settings as settings_module
    from tests.conftest import EXAMPLE_DATASET

    settings = settings_module.load(environ={}, home=str(tmp_path_factory.mktemp("home")), dataset=str(EXAMPLE_DATASET),
                                    secret_key="t", admin_password="pw")
    with live_site(create_app(settings)) as url:
        yield url


def stays_on_site(location: str | None, base: str = "") -> bool:
    """No redirect, a path on this site, or an absolute URL of this site (Starlette's slash redirects)."""
    if location is None:
        return True
    if base and location.startswith(base + "/"):
        location = location[len(base):]
    parts = urlsplit(location)
    return not parts.netloc and not location.startswith(("//", "\\", "/\\")) and parts.scheme == ""


# ---------------------------------------------------------------- open redirects

REDIRECT_PARAMETERS = ["next", "redirect", "redirect_uri", "url", "return", "return_to", "continue", "to", "goto", "dest"]
TARGETS = [EVIL, "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example", "%2F%2Fevil.example",
           "javascript:alert(1)"]
PAGES = ["/", "/compare", "/check", "/subscribe", "/changes", "/admin", "/admin/login", "/tools/exampleai/",
         "/confirm/x", "/unsubscribe/x"]


@pytest.mark.parametrize("target", TARGETS)
def test_no_page_redirects_off_site_whatever_its_parameters(base, target):
    for page in PAGES:
        query = "&".join(f"{name}={target}" for name in REDIRECT_PARAMETERS)
        status, headers, _ = raw_get(base, f"{page}?{query}")
        assert status < 500 and stays_on_site(headers.get("location"), base), (page, headers.get("location"))


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example/%2e%2e", "/tools//evil.example/", "/tools/%2F%2Fevil.example/",
                                  "/tools/\\evil.example/", "/tools/%5C%5Cevil.example/", "/changes/", "/\\evil.example/changes/",
                                  "/%2F%2Fevil.example/", "/tools/..%2F..%2F%2F%2Fevil.example/"])
def test_slash_redirects_stay_on_the_site(base, path):
    status, headers, _ = raw_get(base, path)
    assert status < 500
    assert stays_on_site(headers.get("location"), base), (path, headers.get("location"))


def test_posts_redirect_only_to_fixed_addresses(tmp_path, make_settings):
    from tests.hardening.support import form_token

    client = TestClient(create_app(make_settings(admin_password="pw")))
    token = form_token(client, "/admin/login")
    for name in REDIRECT_PARAMETERS:
        response = client.post(f"/admin/login?{name}={EVIL}", data={"password": "pw", "csrf_token": token, name: EVIL},
                               follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/admin"


# ---------------------------------------------------------------- static files

TRAVERSALS = [
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%252e%252e/%252e%252e/etc/passwd", "/static/..\\..\\..\\etc\\passwd", "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/....//....//etc/passwd", "/static/..;/..;/etc/passwd",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/static/site.css%00.html", "/static/../web/app.py",
    "/static/..%2fweb%2fapp.py", "/static/%2e%2e%2fsettings.py", "/static/../../../pyproject.toml",
    "/static/..", "/static/.", "/static/", "/static/" + "a/" * 500,
]
SECRETS = (b"root:", b"from __future__", b"[project]", b"import ")


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_files_never_leave_the_static_folder(base, path):
    status, _, body = raw_get(base, path)
    assert status in (400, 404, 405), (path, status)
    assert not any(secret in body for secret in SECRETS), path


def test_static_files_are_served(base):
    status, headers, body = raw_get(base, "/static/site.css")
    assert status == 200 and headers["x-content-type-options"] == "nosniff" and len(body) > 100


# ---------------------------------------------------------------- the monitor's private-address guard

PRIVATE = ["127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1",
           "fc00::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
           # IPv6 forms that embed an IPv4 address: NAT64 and 6to4 reach 127.0.0.1 on hosts that route them.
           "64:ff9b::7f00:1", "2002:7f00:1::"]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]


def fetch_module():
    try:
        from doesittrain.monitor import fetch
    except ModuleNotFoundError:
        pytest.skip("doesittrain.monitor.fetch does not exist yet")
    return fetch


@pytest.mark.parametrize("address", PRIVATE)
def test_private_loopback_and_link_local_addresses_are_not_public(address):
    assert not fetch_module().is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address):
    assert fetch_module().is_public_address(address)


@pytest.mark.parametrize("url", ["http://localhost/", "http://127.1/", "http://2130706433/", "http://0x7f000001/",
                                 "http://017700000001/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0/",
                                 "http://169.254.169.254/latest/meta-data/", "http://LOCALHOST./"])
def test_every_spelling_of_a_private_host_is_refused(url):
    fetch = fetch_module()
    with pytest.raises(fetch.FetchError) as refused:
        asyncio.run(fetch.check_address(url, allow_private=False))
    assert refused.value.cause in ("private address", "DNS failure")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1/", "http:///x"])
def test_only_http_urls_are_fetched(url):
    fetch = fetch_module()
    with pytest.raises(fetch.FetchError):
        asyncio.run(fetch.check_address(url, allow_private=True))


def test_each_redirect_hop_is_checked_against_the_guard(tmp_path):
    """A real server redirects; the fetcher, allowed to reach loopback for the first hop only by the setting,
    checks every hop. With the setting off, the same chain is refused before any request is made."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    fetch = fetch_module()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/" if self.path == "/start" else "/start")
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    start = f"http://127.0.0.1:{httpd.server_address[1]}/start"
    checked: list[str] = []
    real_check = fetch.check_address

    async def run(allow_private: bool):
        # Every hop goes through the module's guard; count the hops while the real guard decides.
        async def counting(url, allow, *lookup):
            checked.append(url)
            return await real_check(url, allow, *lookup)

        fetch.check_address = counting
        try:
            async with fetch.Fetcher(user_agent="test", allow_private=allow_private,
                                     limits=fetch.Limits(timeout=1, retries=0)) as fetcher:
                return await fetcher._get(start, None)
        finally:
            fetch.check_address = real_check

    with pytest.raises(fetch.FetchError) as refused:
        asyncio.run(run(False))
    assert refused.value.cause == "private address" and hits == []
    checked.clear()
    with pytest.raises(fetch.FetchError):
        asyncio.run(run(True))  # allowed: follows to the link-local address, which does not answer here
    httpd.shutdown()
    assert checked[:2] == [start, "http://169.254.169.254/latest/meta-data/"] and hits == ["/start"]
