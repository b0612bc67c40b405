"""Cached pages are answered from prepared bytes: the same bytes and ETag for every reader, no cookie, 304s."""

from __future__ import annotations

import shutil

import pytest
from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from doesittrain.web.cache import cache_of


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


def test_every_reader_gets_the_same_bytes_and_tag_and_no_cookie(app):
    one, two = browser(app), browser(app)
    first = one.get("/tools/exampleai")  # renders the page into the cache
    again, other = one.get("/tools/exampleai"), two.get("/tools/exampleai")
    assert first.content == again.content == other.content
    assert first.headers["etag"] == again.headers["etag"] == other.headers["etag"]
    for answer in (first, again, other):
        assert "set-cookie" not in answer.headers
    assert 'name="csrf_token"' not in first.text


def test_the_subscribe_form_of_a_cached_page_is_accepted_from_this_site(app):
    browser(app).get("/tools/exampleai")
    reader = browser(app)
    reader.get("/tools/exampleai")  # a new browser, answered from the cache: it holds no cookie
    answer = reader.post("/subscribe", data={"email": "reader@example.org", "tool": "exampleai"},
                         headers={"sec-fetch-site": "same-origin", "origin": "https://doesittrain.test"})
    assert answer.status_code == 200
    assert "check your inbox" in answer.text.lower()


def test_a_browser_that_says_nothing_of_the_form_origin_is_sent_to_the_form_with_a_token(app):
    reader = browser(app)
    reader.get("/tools/exampleai")
    refused = reader.post("/subscribe", data={"email": "reader@example.org", "tool": "exampleai"})
    assert refused.status_code == 403 and "cookie" in refused.text


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
