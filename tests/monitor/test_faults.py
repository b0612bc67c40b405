"""Broken answers never become versions: each fault leaves the document at its last good version, with an error."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from doesittrain.monitor import tables as t
from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page
from doesittrain.store.db import engine_for

from pageserver import Reply

POLICY = ("<html><body><main><h1>Privacy policy</h1>"
          + "".join(f"<p>Section {i}: we keep your chats for 30 days and we don\u2019t train on business data.</p>" for i in range(40))
          + "</main></body></html>").encode()


def _slow(_request):
    time.sleep(3)  # longer than the 1 s timeout of these tests
    return Reply(body=POLICY)


def _loop(request):
    return Reply(302, b"", headers=(("Location", "/doc?again=1"),))


FAULTS = {
    "timeout": _slow,
    "5xx": Reply(503, b"<html><body>Service unavailable</body></html>"),
    "403": Reply(403, b"<html><body><h1>Access denied</h1></body></html>"),
    "bot challenge": Reply(403, b"<html><title>Just a moment...</title><body>Checking your browser. cf-chl</body></html>"),
    "empty 200": Reply(200, b""),
    "soft 404": Reply(200, b"<html><body><main><h1>Page not found</h1><p>This page isn't available.</p></main></body></html>"),
    "login wall": Reply(200, b"<html><body><main><p>Please sign in to continue.</p></main></body></html>"),
    "truncated HTML": Reply(200, POLICY[:3000], content_length=len(POLICY)),
    "collapsed extraction": Reply(200, b"<html><body><main><p>" + b"Privacy policy. " * 60 + b"</p></main></body></html>"),
    "30 MB page": Reply(200, b"<html><body><main>" + b"<p>x</p>" * (30 * 1024 * 1024 // 8) + b"</main></body></html>"),
    "redirect loop": _loop,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_records_an_error_and_no_version(fault, make_settings, tmp_path, page_server, fast_fetcher):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'faults.sqlite3'}", allow_private_addresses="1",
                             fetch_max_bytes=str(10 * 1024 * 1024))
    document = Document(key="doc", name="Example policy", pages=(Page(page_server.url("/doc")),))
    page_server.routes["/doc"] = Reply(body=POLICY)
    [good] = asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings, timeout=1, browser_fallback=False)))
    assert good.outcome == "first"

    page_server.routes["/doc"] = FAULTS[fault]
    [result] = asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings, timeout=1, browser_fallback=False)))

    assert result.outcome == "error" and result.error and result.version_id is None
    with engine_for(settings).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.versions)).scalar() == 1


def test_wrong_charset_header_reads_the_same_text(make_settings, tmp_path, page_server, fast_fetcher):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'charset.sqlite3'}", allow_private_addresses="1")
    document = Document(key="doc", name="Example policy", pages=(Page(page_server.url("/doc")),))
    page_server.routes["/doc"] = Reply(body=POLICY)
    asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings)))
    page_server.routes["/doc"] = Reply(body=POLICY, content_type="text/html; charset=iso-8859-1")
    [result] = asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings)))
    assert result.outcome == "unchanged"
    page_server.routes["/doc"] = Reply(body=POLICY.decode().encode("cp1252"), content_type="text/html; charset=utf-8")
    [result] = asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings)))
    assert result.outcome == "unchanged"


def test_transient_failures_are_retried_with_backoff(make_settings, tmp_path, page_server, fast_fetcher):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'retry.sqlite3'}", allow_private_addresses="1")
    answers = [Reply(503, b"busy"), Reply(502, b"busy"), Reply(body=POLICY)]
    page_server.routes["/doc"] = lambda _request: answers.pop(0)
    document = Document(key="doc", name="Example policy", pages=(Page(page_server.url("/doc")),))
    [result] = asyncio.run(run_pass(settings, [document], fetcher=fast_fetcher(settings)))
    assert result.outcome == "first" and page_server.hits("/doc") == 3
