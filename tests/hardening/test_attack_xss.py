"""Stored XSS: dataset text is data, never markup, and the Content-Security-Policy stops an escaping mistake.

A fetched policy carrying markup into the editors' diff page is in test_attack_admin.py."""

from __future__ import annotations

import pytest

from doesittrain import verdicts
from doesittrain.dataset.load import load_dataset
from doesittrain.web.app import create_app
from tests.hardening.support import LIVE_MARKUP, live_site

HTML_PAGES = [
    "/", "/?q=example", "/tools/exampleai", "/compare?tools=exampleai", "/changes", "/methodology",
    "/subscribe?tool=exampleai", "/tools/no-such-tool",
]
OTHER_DOCUMENTS = ["/changes.atom", "/tools/exampleai.atom", "/tools/exampleai/badge.svg", "/sitemap.xml"]


def check_urls(hostile_dataset) -> list[str]:
    tool = load_dataset(hostile_dataset).tools["exampleai"]
    from urllib.parse import urlencode

    return [f"/check?{urlencode({'tool': 'exampleai', 'plan': name})}" for name in verdicts.plans_by_name(tool)]


def test_every_page_shows_the_payloads_as_text(hostile_client, hostile_dataset):
    for path in HTML_PAGES + check_urls(hostile_dataset):
        response = hostile_client.get(path)
        assert response.status_code in (200, 404), path
        assert not [m for m in LIVE_MARKUP if m in response.text], f"unescaped markup on {path}"
    tool_page = hostile_client.get("/tools/exampleai").text
    assert "&lt;script&gt;window.__xss" in tool_page  # the payload reached the page, as text
    assert "&lt;img src=x onerror" in tool_page or "&#34;&gt;&lt;img src=x onerror" in tool_page


def test_feeds_badge_and_sitemap_escape_dataset_text(hostile_client):
    for path in OTHER_DOCUMENTS:
        response = hostile_client.get(path)
        assert response.status_code == 200, path
        assert not [m for m in LIVE_MARKUP if m in response.text], f"unescaped markup in {path}"


def test_json_and_csv_carry_the_text_raw_but_can_never_render_as_html(hostile_client):
    for path in ("/api/tools/exampleai", "/data/tools.json", "/data/tools.csv"):
        response = hostile_client.get(path)
        assert not response.headers["content-type"].startswith("text/html"), path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_csp_allows_no_inline_script(hostile_client):
    policy = hostile_client.get("/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.browser
def test_no_payload_runs_in_chromium(chromium, hostile_settings, hostile_dataset):
    with live_site(create_app(hostile_settings)) as base:
        context = chromium.new_context()
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in HTML_PAGES + check_urls(hostile_dataset)[:1]:
            page.goto(base + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__xss") is None, f"a payload ran on {path}"
        context.close()
    assert dialogs == []


@pytest.mark.browser
def test_an_injected_inline_script_is_blocked_by_the_sites_csp(chromium, hostile_settings):
    """An escaping mistake simulated in flight: the real response, with its real headers, plus an inline script."""
    injected = b"<script>window.__inline = 'ran'</script></body>"

    def inject(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.body().replace(b"</body>", injected))

    def inline_script_ran(base: str, keep_csp: bool) -> tuple[object, list[str]]:
        context = chromium.new_context()
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        if keep_csp:
            page.route(base + "/tools/exampleai", inject)
        else:  # control: the same injection without the header does run, so the test can tell the difference
            page.route(base + "/tools/exampleai", lambda route: route.fulfill(
                response=(r := route.fetch()), body=r.body().replace(b"</body>", injected),
                headers={k: v for k, v in r.headers.items() if k.lower() != "content-security-policy"}))
        page.goto(base + "/tools/exampleai")
        ran = page.evaluate("window.__inline")
        context.close()
        return ran, console

    with live_site(create_app(hostile_settings)) as base:
        ran, console = inline_script_ran(base, keep_csp=True)
        assert ran is None
        assert any("Content Security Policy" in line for line in console)
        assert inline_script_ran(base, keep_csp=False)[0] == "ran"

