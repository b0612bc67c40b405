"""The fetcher connects where its private-address guard looked, and says what to install for browser pages."""

from __future__ import annotations

import asyncio
import sys

import pytest

from doesittrain.monitor.fetch import Fetcher, FetchError, Limits

from pageserver import PageServer, Reply


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
        server.thread.start()
    yield port, approved, elsewhere
    for server in (approved, elsewhere):
        server.httpd.shutdown()
        server.httpd.server_close()


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
