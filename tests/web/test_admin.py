"""/admin: the review queue on the web, behind a password, showing a real corpus change side by side."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from starlette.testclient import TestClient

from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page
from doesittrain.web import admin
from doesittrain.web.app import create_app

from pageserver import PageServer, Reply

CORPUS = Path(__file__).parent.parent / "fixtures" / "policy-versions" / "mistral-ai" / "privacy-policy"
BEFORE, AFTER = "2025-02-10T12-32-33Z.md", "2025-02-13T00-32-51Z.md"  # adds the right to object (opt out)


@pytest.fixture
def site(make_settings, tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'admin.sqlite3'}", admin_password="correct horse", site_url="https://testserver",
                             allow_private_addresses="1")
    server = PageServer().start()
    markdown = MarkdownIt("commonmark").enable("table")
    document = Document(key="mistral", name="Mistral AI privacy policy", pages=(Page(server.url("/privacy")),))
    for version in (BEFORE, AFTER):
        server.routes["/privacy"] = Reply(body=f"<html><body><main>{markdown.render((CORPUS / version).read_text())}</main></body></html>".encode())
        asyncio.run(run_pass(settings, [document]))
    server.stop()
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, password="correct horse"):
    return client.post("/admin/login", data={"password": password, "csrf_token": csrf(client, "/admin/login")},
                       follow_redirects=False)


def test_admin_is_absent_without_a_password(make_settings, tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'none.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/admin").status_code == 404


def test_the_queue_needs_a_signed_session_cookie(site):
    assert site.get("/admin", follow_redirects=False).headers["location"] == "/admin/login"
    site.cookies.set(admin.SESSION_COOKIE, "editor.forged")
    assert site.get("/admin", follow_redirects=False).status_code == 303
    site.cookies.clear()
    response = sign_in(site)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert "Mistral AI privacy policy changed" in site.get("/admin").text


def test_wrong_passwords_lock_the_address_out(site):
    for _ in range(5):
        assert sign_in(site, "guess").status_code == 401
    assert sign_in(site, "guess").status_code == 429
    assert sign_in(site).status_code == 429  # even the right one, until the lockout ends


def test_a_login_without_its_csrf_token_is_refused(site):
    site.get("/admin/login")
    assert site.post("/admin/login", data={"password": "correct horse"}).status_code == 403


def test_a_real_change_is_shown_side_by_side_with_topics_and_resolved_with_a_note(site):
    sign_in(site)
    queue = site.get("/admin").text
    item_id = re.search(r'href="/admin/items/(\d+)">Mistral AI privacy policy changed', queue).group(1)
    page = site.get(f"/admin/items/{item_id}").text

    assert "<table class=\"side-by-side\">" in page
    assert re.search(r"<ins>[^<]*you have the right to object to this processing \(opt-out\)", page)
    assert '<mark class="topic topic-opt_out" title="opt_out">object to</mark>' in page
    assert "material" in page

    token = csrf(site, f"/admin/items/{item_id}")
    assert site.post(f"/admin/items/{item_id}/resolve", data={"note": "", "csrf_token": token}).status_code == 400
    done = site.post(f"/admin/items/{item_id}/resolve", data={"note": "Verdict updated for Le Chat free.", "csrf_token": token})
    assert done.status_code == 200 and "Nothing to review." in done.text
