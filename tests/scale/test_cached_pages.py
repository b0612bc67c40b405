"""Cached pages are answered from prepared bytes: same bytes as the first answer, per-browser form tokens, ETags."""

from __future__ import annotations

import re
import secrets
import shutil

import pytest
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from doesittrain.web.cache import Signer, cache_of
from doesittrain.web.security import CSRF_COOKIE

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(make_settings):
    return create_app(make_settings(site_url="https://doesittrain.test"))


def browser(app) -> TestClient:
    return TestClient(app, base_url="https://doesittrain.test")


def test_a_cached_page_is_answered_with_the_same_bytes_and_headers_as_the_first_time(app):
    reader = browser(app)
    first = reader.get("/tools/exampleai")
    hits = cache_of(app).hits
    again = reader.get("/tools/exampleai")
    assert cache_of(app).hits == hits + 1  # the second answer came from the cache
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == "text/html; charset=utf-8"
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"):
        assert again.headers[name] == first.headers[name]


def test_each_browser_gets_its_own_form_token_and_tag(app):
    one, two = browser(app), browser(app)
    one.get("/tools/exampleai")  # renders the page into the cache
    page_one, page_two = one.get("/tools/exampleai"), two.get("/tools/exampleai")
    assert TOKEN.search(page_one.text).group(1) != TOKEN.search(page_two.text).group(1)
    assert page_one.headers["etag"] != page_two.headers["etag"]
    assert "set-cookie" not in page_one.headers  # a browser that has its cookie keeps it
    assert CSRF_COOKIE in page_two.headers["set-cookie"] and "Secure" in page_two.headers["set-cookie"]


def test_the_token_on_a_page_from_the_cache_is_accepted_by_the_subscribe_form(app):
    browser(app).get("/tools/exampleai")
    reader = browser(app)
    page = reader.get("/tools/exampleai")  # a new browser, answered from the cache
    token = TOKEN.search(page.text).group(1)
    answer = reader.post("/subscribe", data={"email": "reader@example.org", "tool": "exampleai", "csrf_token": token})
    assert answer.status_code == 200
    assert "check your inbox" in answer.text.lower()


def test_a_browser_with_the_current_copy_gets_304_without_a_body(app):
    reader = browser(app)
    first = reader.get("/tools/exampleai")
    answer = reader.get("/tools/exampleai", headers={"if-none-match": first.headers["etag"]})
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer.headers["etag"] == first.headers["etag"]
    assert answer.headers["x-frame-options"] == "DENY"
    stale = reader.get("/tools/exampleai", headers={"if-none-match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_pages_without_a_form_have_one_tag_for_everyone(app):
    one, two = browser(app), browser(app)
    first = one.get("/tools/exampleai.json")
    assert two.get("/tools/exampleai.json").headers["etag"] == first.headers["etag"]
    assert two.get("/tools/exampleai.json", headers={"if-none-match": first.headers["etag"]}).status_code == 304


def test_head_answers_headers_only(app):
    reader = browser(app)
    page = reader.get("/tools/exampleai")
    head = reader.head("/tools/exampleai")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == page.headers["content-length"]


def test_a_cached_not_found_page_keeps_its_status(app):
    reader = browser(app)
    assert reader.get("/tools/no-such-tool").status_code == 404
    again = reader.get("/tools/no-such-tool")
    assert again.status_code == 404
    assert reader.get("/tools/no-such-tool", headers={"if-none-match": again.headers["etag"]}).status_code == 404


def test_query_strings_are_part_of_the_address_in_any_order(app):
    reader = browser(app)
    first = reader.get("/compare?tools=exampleai&tools=other")
    hits = cache_of(app).hits
    swapped = reader.get("/compare?tools=exampleai&tools=other")
    assert cache_of(app).hits == hits + 1
    assert swapped.content == first.content
    assert reader.get("/?q=example").content != reader.get("/?q=nothing").content


def test_a_dataset_edit_replaces_the_cached_page(make_settings, example_dataset, tmp_path):
    folder = tmp_path / "dataset"
    shutil.copytree(example_dataset, folder)
    app = create_app(make_settings(dataset=str(folder)))
    app.state.site.CHECK_SECONDS = 0  # re-hash the files on every request instead of every 2 s
    reader = browser(app)
    assert "ExampleAI" in reader.get("/tools/exampleai").text
    reader.get("/tools/exampleai")
    tool_file = folder / "exampleai.yaml"
    tool_file.write_text(tool_file.read_text().replace("name: ExampleAI", "name: RenamedAI"))
    assert "RenamedAI" in reader.get("/tools/exampleai").text


def test_post_and_other_methods_never_use_the_cache(app):
    reader = browser(app)
    reader.get("/tools/exampleai")
    assert reader.post("/tools/exampleai").status_code == 405


def test_the_signer_writes_what_itsdangerous_writes():
    for _ in range(200):
        value = secrets.token_urlsafe(32)
        for salt in ("csrf-cookie", "csrf-form"):
            assert Signer("a key", salt).dumps(value) == URLSafeSerializer("a key", salt=salt).dumps(value)
