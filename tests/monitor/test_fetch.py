"""The fetcher connects where its private-address guard looked, and says what to install for browser pages."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from doesittrain.monitor.fetch import Fetcher, FetchError, Limits

from pageserver import PageServer, Reply

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def two_servers_on_one_port():
    """The same port on 127.0.0.2 (the address the guard approves) and 127.0.0.1 (where `localhost` resolves)."""
    for _attempt in range(20):
        approved = PageServer(host="127.0.0.2")
        port = approved.httpd.server_address[1]
        try:
            elsewhere = PageServer(host="127.0.0.1", port=port)
        except OSError:  # that port is taken on 127.0.0.1: try another
            approved.httpd.server_close()
            continue
        break
    else:
        pytest.fail("no port free on both loopback addresses")
    for server, body in ((approved, b"approved"), (elsewhere, b"elsewhere")):
        server.routes["/policy"] = Reply(body=body)
        # A page that needs JavaScript: its text arrives by a request the page itself makes.
        server.routes["/app"] = Reply(body=b"<html><body><p id='t'>loading</p><script>fetch('/text').then(r => r.text())"
                                           b".then(t => { document.getElementById('t').textContent = t; });</script>"
                                           b"</body></html>")
        server.routes["/text"] = Reply(body=b"text from " + body, content_type="text/plain")
        server.start()
    yield port, approved, elsewhere
    for server in (approved, elsewhere):
        server.stop()


def test_a_name_that_resolves_elsewhere_at_connect_time_is_not_followed(two_servers_on_one_port):
    """The guard's lookup answers 127.0.0.2; any later lookup of `localhost` (the system's) answers 127.0.0.1, as
    a rebound name would. The page and robots.txt must both come from the approved address."""
    port, approved, elsewhere = two_servers_on_one_port

    async def guard_lookup(host: str, port: int) -> list[str]:
        return ["127.0.0.2"]

    async def fetch():
        async with Fetcher(user_agent="test", allow_private=True, resolver=guard_lookup,
                           limits=Limits(timeout=2, retries=0)) as fetcher:
            return await fetcher.fetch(f"http://localhost:{port}/policy")

    page = asyncio.run(fetch())
    assert page.body == b"approved"
    assert elsewhere.requests == []
    assert [path for path, _ in approved.requests] == ["/robots.txt", "/policy"]
    assert approved.requests[-1][1]["Host"] == f"localhost:{port}"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_a_browser_page_and_every_request_it_makes_connect_to_the_approved_address(two_servers_on_one_port):
    """As above, for a page rendered in Chromium: Chromium's own lookup of `localhost` would answer 127.0.0.1."""
    port, approved, elsewhere = two_servers_on_one_port

    async def guard_lookup(host: str, port: int) -> list[str]:
        return ["127.0.0.2"]

    async def fetch():
        async with Fetcher(user_agent="test", allow_private=True, resolver=guard_lookup, chromium_path=CHROMIUM,
                           limits=Limits(timeout=10, retries=0)) as fetcher:
            return await fetcher.fetch(f"http://localhost:{port}/app", javascript=True)

    page = asyncio.run(fetch())
    assert page.via == "browser"
    assert b"text from approved" in page.body
    assert elsewhere.requests == []
    assert {"/app", "/text"} <= {path for path, _ in approved.requests}


def test_a_private_answer_of_the_guards_lookup_is_refused_before_connecting(page_server):
    page_server.routes["/policy"] = Reply(body=b"private")

    async def guard_lookup(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "127.0.0.1"]

    async def fetch():
        async with Fetcher(user_agent="test", allow_private=False, resolver=guard_lookup,
                           limits=Limits(timeout=2, retries=0)) as fetcher:
            return await fetcher._get(page_server.url("/policy"), None)

    with pytest.raises(FetchError) as refused:
        asyncio.run(fetch())
    assert refused.value.cause == "private address" and page_server.requests == []


def test_a_browser_page_without_the_browser_extra_says_what_to_install(monkeypatch, page_server):
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.async_api", None)

    async def fetch():
        async with Fetcher(user_agent="test", allow_private=True) as fetcher:
            return await fetcher.fetch(page_server.url("/policy"), javascript=True)

    with pytest.raises(FetchError) as failed:
        asyncio.run(fetch())
    assert str(failed.value) == ("browser unavailable: pages with `javascript: true` need the browser extra: "
                                 "pip install 'doesittrain[browser]'")
