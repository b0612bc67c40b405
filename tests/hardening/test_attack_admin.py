"""Attacks on the editors' area: password guessing, session cookie theft or forgery, CSRF, and a fetched policy
page that carries markup into the diff an editor reads."""

from __future__ import annotations

import asyncio
import html

import pytest
from starlette.testclient import TestClient

from doesittrain.web import admin
from doesittrain.web.app import create_app
from tests.hardening.support import PolicyServer, LIVE_MARKUP, SCRIPT, ATTRIBUTE, form_token, readable_error

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor_settings(make_settings):
    return make_settings(admin_password=PASSWORD, site_url="https://doesittrain.test", allow_private_addresses="1")


@pytest.fixture
def client(editor_settings):
    return TestClient(create_app(editor_settings), base_url="https://doesittrain.test")


def sign_in(client, password: str):
    token = form_token(client, "/admin/login")
    return client.post("/admin/login", data={"password": password, "csrf_token": token}, follow_redirects=False)


def test_the_admin_area_does_not_exist_without_a_password(make_settings):
    client = TestClient(create_app(make_settings(admin_password="")))
    for path in ("/admin", "/admin/login", "/admin/items/1"):
        assert client.get(path).status_code == 404
    assert client.post("/admin/login", data={"password": ""}).status_code in (403, 404)


def test_repeated_wrong_passwords_lock_the_client_out_even_for_the_right_one(client):
    codes = [sign_in(client, f"guess {n}").status_code for n in range(admin.LOCKOUT_FAILURES)]
    assert codes == [401] * admin.LOCKOUT_FAILURES
    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 60
    assert "Too many wrong passwords" in readable_error(locked)
    assert "doesittrain_admin" not in locked.headers.get("set-cookie", "")


def test_the_session_cookie_is_signed_httponly_strict_and_secure(client):
    signed_in = sign_in(client, PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin"
    cookie = [c for c in signed_in.headers.get_list("set-cookie") if c.startswith("doesittrain_admin=")][0].lower()
    for flag in ("httponly", "samesite=strict", "secure", "path=/admin"):
        assert flag in cookie, flag
    assert client.get("/admin", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("forged", ["editor", "editor.AAAA.BBBB", "", "x" * 4000])
def test_a_forged_session_cookie_gets_the_login_page(client, forged):
    client.cookies.set("doesittrain_admin", forged, domain="doesittrain.test", path="/admin")
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"


def test_admin_forms_refuse_a_post_without_the_form_token(client):
    refused = client.post("/admin/login", data={"password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403 and "security" in readable_error(refused)
    sign_in(client, PASSWORD)
    for path in ("/admin/logout", "/admin/items/1/resolve"):
        response = client.post(path, data={"note": "done"}, follow_redirects=False)
        assert response.status_code == 403, path


def test_the_password_is_compared_in_constant_time():
    import inspect

    source = inspect.getsource(admin.login)
    assert "hmac.compare_digest" in source and "==" not in source.split("compare_digest")[1].split("\n")[0]


# ---------------------------------------------------------------- a hostile policy page in the diff


def policy(*sentences: str) -> bytes:
    filler = "".join(f"<p>Section {n}: we describe how the service handles accounts and billing records.</p>" for n in range(8))
    return ("<html><body><main>" + "".join(f"<p>{s}</p>" for s in sentences) + filler + "</main></body></html>").encode()


def test_markup_in_a_fetched_policy_is_shown_as_text_in_the_diff(client, editor_settings):
    from doesittrain.monitor.review import list_items
    from doesittrain.monitor.run import run_pass
    from doesittrain.monitor.watch import Document, Page
    from doesittrain.store.db import engine_for

    server = PolicyServer()
    document = Document(key="hostile", name="Hostile policy " + ATTRIBUTE, pages=(Page(server.url),))
    server.body = policy("We do not use your content to train our models.")
    asyncio.run(run_pass(editor_settings, [document]))
    # The page's text (entities decoded by the extractor) now holds live-looking markup.
    server.body = policy(html.escape(f"We use your content to train our models {SCRIPT} {ATTRIBUTE}."))
    asyncio.run(run_pass(editor_settings, [document]))
    server.httpd.shutdown()
    items = [i for i in list_items(engine_for(editor_settings)) if i.kind != "unreachable"]
    assert items, "the changed policy opened no review item"
    sign_in(client, PASSWORD)
    for item in items:
        page = client.get(f"/admin/items/{item.id}")
        assert page.status_code == 200
        assert not [m for m in LIVE_MARKUP if m in page.text]
    queue = client.get("/admin").text
    assert not [m for m in LIVE_MARKUP if m in queue]
    assert "&lt;script&gt;" in page.text
