"""CSRF: where a form came from (Fetch Metadata, Origin) and the token fallback, on a tiny app built from the same
pieces the site uses."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from doesittrain.errors import UserError
from doesittrain.web.security import (
    CSRF_COOKIE,
    csrf_token,
    secret_key,
    set_csrf_cookie,
    verify_csrf,
)


async def form_page(request: Request):
    response = PlainTextResponse(csrf_token(request))
    set_csrf_cookie(request, response)
    return response


async def form_post(request: Request):
    form = await request.form()
    verify_csrf(request, form)
    return PlainTextResponse("accepted")


async def user_error(request: Request, exc: UserError):
    headers = {"retry-after": str(exc.retry_after)} if getattr(exc, "retry_after", None) else None
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)


@pytest.fixture
def client(make_settings):
    app = Starlette(
        routes=[Route("/form", form_page), Route("/form", form_post, methods=["POST"])],
        exception_handlers={UserError: user_error},
    )
    app.state.settings = make_settings(site_url="https://doesittrain.test/")
    return TestClient(app, base_url="https://127.0.0.1:8443")  # behind a proxy: not the configured address


# ---------------------------------------------------------------- the browser says where the form came from


@pytest.mark.parametrize("fetch_site", ["same-origin", "none"])
def test_a_form_this_site_sent_is_accepted_on_fetch_metadata_alone(client, fetch_site):
    response = client.post("/form", data={}, headers={"sec-fetch-site": fetch_site})
    assert response.status_code == 200 and response.text == "accepted"
    assert CSRF_COOKIE not in client.cookies  # no cookie and no token were needed


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", "something-new"])
def test_a_form_from_another_site_is_refused_even_with_a_valid_token(client, fetch_site):
    token = client.get("/form").text
    response = client.post("/form", data={"csrf_token": token}, headers={"sec-fetch-site": fetch_site})
    assert response.status_code == 403
    assert "sent from another site" in response.json()["error"]


@pytest.mark.parametrize("origin", ["https://127.0.0.1:8443", "https://doesittrain.test", "HTTPS://DoesItTrain.test"])
def test_without_fetch_metadata_an_origin_of_this_site_is_accepted(client, origin):
    """The address the request was sent to, and the configured site address (behind a proxy they differ)."""
    assert client.post("/form", data={}, headers={"origin": origin}).status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://doesittrain.test", "https://doesittrain.test:8443"])
def test_without_fetch_metadata_any_other_origin_is_refused(client, origin):
    token = client.get("/form").text
    response = client.post("/form", data={"csrf_token": token}, headers={"origin": origin})
    assert response.status_code == 403


def test_fetch_metadata_is_believed_before_origin(client):
    headers = {"sec-fetch-site": "cross-site", "origin": "https://doesittrain.test"}
    assert client.post("/form", data={}, headers=headers).status_code == 403


# ---------------------------------------------------------------- neither header: the signed token


def test_a_form_page_sets_a_cookie_and_its_token_is_accepted(client):
    token = client.get("/form").text
    assert CSRF_COOKIE in client.cookies
    response = client.post("/form", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.text == "accepted"


def test_the_cookie_is_set_once_and_reused(client):
    client.get("/form")
    again = client.get("/form")
    assert "set-cookie" not in again.headers


def test_a_post_without_the_cookie_is_refused_with_a_readable_message(client, make_settings):
    token = client.get("/form").text
    client.cookies.clear()
    response = client.post("/form", data={"csrf_token": token})
    assert response.status_code == 403
    assert "cookie" in response.json()["error"]


def test_a_post_without_a_token_is_refused(client):
    client.get("/form")
    response = client.post("/form", data={})
    assert response.status_code == 403
    assert "missing its security token" in response.json()["error"]


def test_a_token_from_another_browser_is_refused(client, make_settings):
    other = TestClient(client.app, base_url="https://127.0.0.1:8443")
    foreign_token = other.get("/form").text
    client.get("/form")
    response = client.post("/form", data={"csrf_token": foreign_token})
    assert response.status_code == 403
    assert "out of date" in response.json()["error"]


def test_a_forged_cookie_is_refused(client):
    token = client.get("/form").text
    client.cookies.set(CSRF_COOKIE, "forged.value")
    assert client.post("/form", data={"csrf_token": token}).status_code == 403


def test_without_a_configured_secret_one_is_generated_once_and_kept(make_settings, database_url):
    settings = make_settings(database_url=database_url, secret_key="")
    first = secret_key(settings)
    assert len(first) >= 40
    from doesittrain.notify import tokens

    tokens._secret_cache.clear()
    assert secret_key(settings) == first
