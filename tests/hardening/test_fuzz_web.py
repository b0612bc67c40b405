"""Every query parameter, path segment and form field under hypothesis: no 5xx, every refusal a readable 4xx.

tests/web/test_openapi.py checks that the API answers as its description says; here the same description drives
hostile path values, and hypothesis drives the HTML pages and forms, which the description does not cover.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from doesittrain.web import admin
from doesittrain.web.app import create_app
from tests.hardening.support import form_token, readable_error

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
# Any text a browser can send: every plane but surrogates, which cannot be UTF-8 encoded.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
hostile_text = st.one_of(
    text,
    st.sampled_from(["", " ", "..", "../../etc/passwd", "%00", "\x00", "exampleai", "EXAMPLEAI", "example ai",
                     "all", "<script>", "' OR 1=1 --", "a" * 5000, "\r\nSet-Cookie: x=1", "💥" * 50, "exampleai\x00"]),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from doesittrain import settings as settings_module
    from tests.conftest import EXAMPLE_DATASET

    site_settings = settings_module.load(
        environ={}, home=str(tmp_path_factory.mktemp("home")), dataset=str(EXAMPLE_DATASET), secret_key="t",
        rate_limit_per_minute="100000", admin_password="correct horse battery staple", smtp_url="smtp://127.0.0.1:9",
    )
    with TestClient(create_app(site_settings), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def assert_answered(response) -> None:
    """The request got a page or a readable refusal: never a server error, never a traceback."""
    assert response.status_code < 500, (response.request.url, response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    if response.status_code >= 400 and response.status_code not in (404, 405):
        assert len(readable_error(response)) > 10, (response.request.url, response.text[:300])


def test_api_paths_take_any_slug(client):
    """The API's description drives each operation; the slug is replaced by hostile text of every kind."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if "{slug}" not in operation.path:
            continue

        @given(operation.as_strategy(), hostile_text)
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers(case, slug):
            case.path_parameters = {"slug": slug}
            response = case.call()
            assert response.status_code in (200, 404), (slug, response.status_code)
            content_type = (response.headers.get("content-type") or [""])[0]
            if response.status_code == 404 and content_type.startswith("application/json"):
                error = json.loads(response.content)["error"]
                assert error["status"] == 404 and error["message"]
            elif response.status_code == 404:  # "", "../x" leave the API: "/tools/.json" is a page address
                assert "Page not found" in response.text

        answers()
        checked += 1
    assert checked == 2


@given(q=hostile_text, category=hostile_text, trains=hostile_text, no_opt_out=hostile_text, zdr=hostile_text)
@FUZZ
def test_home_search_and_filters(client, q, category, trains, no_opt_out, zdr):
    response = client.get("/", params={"q": q, "category": category, "trains": trains, "no_opt_out": no_opt_out, "zdr": zdr})
    assert_answered(response)
    assert response.status_code == 200


@given(tools=st.lists(hostile_text, max_size=8))
@FUZZ
def test_compare_takes_any_list_of_tools(client, tools):
    response = client.get("/compare", params=[("tools", t) for t in tools])
    assert_answered(response)
    assert response.status_code == 200


@given(tool=st.one_of(st.just("exampleai"), hostile_text),
       plan=st.one_of(st.sampled_from(["Free / Plus", "Team / Enterprise", "API"]), hostile_text),
       region=st.one_of(st.sampled_from(["EU", "UK", "US", ""]), hostile_text),
       state=st.one_of(st.sampled_from(["default", "off", "on"]), hostile_text),
       setting=hostile_text)
@FUZZ
def test_check_takes_any_answers(client, tool, plan, region, state, setting):
    params = {"tool": tool, "plan": plan, "region": region, "state": state, "setting": setting}
    response = client.get("/check", params=params)
    assert_answered(response)
    assert response.status_code == 200


@given(slug=hostile_text, suffix=st.sampled_from(["", "/", ".json", ".atom", "/badge.svg"]))
@FUZZ
def test_tool_addresses_take_any_slug(client, slug, suffix):
    response = client.get("/tools/" + quote(slug, safe="") + suffix, follow_redirects=False)
    assert_answered(response)
    assert response.status_code in (200, 308, 404)


@given(email=hostile_text, tool=hostile_text, extra=st.dictionaries(hostile_text, hostile_text, max_size=3))
@FUZZ
def test_subscribe_form_takes_any_fields(client, email, tool, extra):
    token = form_token(client)
    response = client.post("/subscribe", data={**extra, "email": email, "tool": tool, "csrf_token": token})
    assert_answered(response)
    assert response.status_code in (200, 400, 429)


@given(token=hostile_text, json_client=st.booleans())
@FUZZ
def test_subscribe_refuses_any_forged_form_token(client, token, json_client):
    form_token(client)
    headers = {"accept": "application/json"} if json_client else {}
    response = client.post("/subscribe", data={"email": "a@example.org", "tool": "all", "csrf_token": token}, headers=headers)
    assert_answered(response)
    assert response.status_code == 403


@given(token=hostile_text, method=st.sampled_from(["GET", "POST"]), page=st.sampled_from(["confirm", "unsubscribe"]))
@FUZZ
def test_link_pages_take_any_token(client, token, method, page):
    if method == "POST" and page == "confirm":
        method = "GET"
    response = client.request(method, f"/{page}/" + quote(token, safe=""))
    assert_answered(response)
    assert response.status_code in (200, 404, 405, 410)


@given(password=hostile_text, fields=st.dictionaries(hostile_text, hostile_text, max_size=3))
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_admin_login_takes_any_password(client, password, fields):
    admin.login_failures.clear(client.app.state.settings)  # the lockout would otherwise answer every attempt after the fifth
    token = form_token(client, "/admin/login")
    response = client.post("/admin/login", data={**fields, "password": password, "csrf_token": token}, follow_redirects=False)
    assert response.status_code < 500 and "Traceback" not in response.text
    assert response.status_code in (401, 303)
    assert response.status_code == 401 or password == "correct horse battery staple"


@given(body=st.binary(max_size=2000), content_type=st.sampled_from([
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data", "application/json",
    "text/plain", "", "multipart/form-data; boundary=" + "b" * 100]))
@FUZZ
def test_any_request_body_on_the_forms(client, body, content_type):
    for path in ("/subscribe", "/admin/login"):
        response = client.post(path, content=body, headers={"content-type": content_type} if content_type else {})
        assert_answered(response)
        assert response.status_code in (400, 403), (path, response.status_code)


def test_query_strings_that_are_not_utf8_or_well_formed(client):
    for raw in ("/?q=%ff%fe", "/?q=%", "/?q=%zz", "/check?tool=%c0%af", "/compare?tools=%00,%ff", "/?" + "a=1&" * 2000,
                "/tools/%ff", "/tools/%2e%2e", "/?q=" + "%41" * 10000):
        response = client.get(raw, follow_redirects=False)
        assert_answered(response)
        assert re.match(r"[234]\d\d", str(response.status_code)), raw
