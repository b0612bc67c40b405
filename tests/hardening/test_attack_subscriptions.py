"""Attacks on the subscriber list: CSRF, email header injection, subscription bombing and token guessing."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from doesittrain.notify import subscriptions
from doesittrain.notify.send import send_due
from doesittrain.notify.tables import addresses, outbox
from doesittrain.notify.tables import subscriptions as subscriptions_table
from doesittrain.store.db import engine_for
from doesittrain.web.app import create_app
from tests.hardening.support import form_token, live_site, readable_error


@pytest.fixture
def site(make_settings, database_url):
    return make_settings(database_url=database_url, rate_limit_per_minute="1000")


@pytest.fixture
def client(site):
    return TestClient(create_app(site), base_url="http://127.0.0.1:8000")


@pytest.fixture
def sqlite_site(make_settings):
    """For refusals that happen before any database work: one database is enough."""
    return make_settings(rate_limit_per_minute="1000")


@pytest.fixture
def sqlite_client(sqlite_site):
    return TestClient(create_app(sqlite_site), base_url="http://127.0.0.1:8000")


def subscribe(client, email: str, tool: str = "exampleai", **headers):
    return client.post("/subscribe", data={"email": email, "tool": tool, "csrf_token": form_token(client)}, headers=headers)


def rows(settings, table) -> list:
    with engine_for(settings).connect() as connection:
        return connection.execute(sa.select(table)).all()


def confirm_link(settings) -> str:
    bodies = [r.body_text for r in rows(settings, outbox) if r.kind == "confirm"]
    return re.search(r"/confirm/(\S+)", bodies[-1]).group(1)


# ---------------------------------------------------------------- CSRF


@pytest.mark.browser
def test_a_cross_site_form_cannot_subscribe_anyone(chromium, sqlite_site):
    site = sqlite_site
    """A page on another site auto-submits the subscribe form in a browser that has visited doesittrain."""
    with live_site(create_app(site)) as base, live_site(_attacker_app(base)) as attacker:
        context = chromium.new_context()
        page = context.new_page()
        page.goto(base + "/subscribe")  # the victim's browser holds the site's CSRF cookie
        attacker_origin = attacker.replace("127.0.0.1", "localhost")  # another site, not just another port
        with page.expect_response(base + "/subscribe") as answer:
            page.goto(attacker_origin + "/")
        assert answer.value.status == 403
        context.close()
    assert rows(site, addresses) == [] and rows(site, outbox) == []


def _attacker_app(target: str):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    html = (f'<form id="f" method="post" action="{target}/subscribe"><input name="email" value="victim@example.org">'
            '<input name="tool" value="all"></form><script>document.getElementById("f").submit()</script>')
    return Starlette(routes=[Route("/", lambda request: HTMLResponse(html))])


def test_a_token_works_only_with_the_cookie_it_was_issued_with(sqlite_client, sqlite_site):
    client, site = sqlite_client, sqlite_site
    stolen = form_token(TestClient(client.app, base_url="http://127.0.0.1:8000"))
    form_token(client)
    refused = client.post("/subscribe", data={"email": "a@example.org", "tool": "all", "csrf_token": stolen})
    assert refused.status_code == 403 and "Reload the page" in readable_error(refused)
    assert rows(site, outbox) == []


# ---------------------------------------------------------------- header injection


@pytest.mark.parametrize("email", [
    "a@example.org\r\nBcc: victim@example.net", "a@example.org\nBcc: victim@example.net", "a@example.org\rX: y",
    "a@example.org%0d%0aBcc:victim@example.net", "\"a\r\nBcc: v@example.net\"@example.org", "a@example.org,victim@example.net",
    "A <a@example.org>", "a@example.org\x00",
])
def test_an_address_carrying_extra_headers_or_recipients_is_refused(sqlite_client, sqlite_site, email):
    client, site = sqlite_client, sqlite_site
    response = subscribe(client, email, accept="application/json")
    assert response.status_code == 400
    assert readable_error(response).startswith("That email address is not valid")
    assert rows(site, outbox) == []


@pytest.mark.parametrize("tool", ["exampleai\r\nBcc: victim@example.net", "all\nX-Injected: 1", "exampleai\x00"])
def test_a_tool_field_carrying_headers_is_refused(sqlite_client, sqlite_site, tool):
    client, site = sqlite_client, sqlite_site
    response = subscribe(client, "a@example.org", tool=tool, accept="application/json")
    assert response.status_code == 400 and "There is no tool called" in readable_error(response)
    assert rows(site, outbox) == []


def test_a_tool_name_with_line_breaks_cannot_add_headers_or_recipients(make_settings, tmp_path, mail_server):
    """Dataset text reaches the confirmation subject; a line break in it must not start a new header."""
    from tests.hardening.support import EXAMPLE_FILE

    folder = tmp_path / "dataset"
    folder.mkdir()
    text = EXAMPLE_FILE.read_text(encoding="utf-8").replace("name: ExampleAI", 'name: "ExampleAI\\r\\nBcc: victim@example.net"', 1)
    (folder / "exampleai.yaml").write_text(text, encoding="utf-8")
    settings = make_settings(dataset=str(folder), smtp_url=mail_server.url)
    client = TestClient(create_app(settings))
    assert subscribe(client, "reader@example.org").status_code == 200
    send_due(settings)
    assert len(mail_server.messages) == 1
    recipients, message = mail_server.messages[0]
    assert recipients == ["reader@example.org"]
    assert message["Bcc"] is None and "victim" not in str(message["To"])
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])


# ---------------------------------------------------------------- subscription bombing


def test_one_address_gets_one_confirmation_mail_however_often_it_is_entered(make_settings, database_url, mail_server):
    settings = make_settings(database_url=database_url, rate_limit_per_minute="1000", smtp_url=mail_server.url)
    client = TestClient(create_app(settings))
    spellings = ["victim@example.org", "Victim@Example.org", " victim@example.org ", "VICTIM@EXAMPLE.ORG"]
    codes = [subscribe(client, spellings[n % 4], tool=("all" if n % 2 else "exampleai")).status_code for n in range(12)]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    refused = subscribe(client, "victim@example.org")
    assert int(refused.headers["retry-after"]) > 60 and "wait an hour" in readable_error(refused)
    pending = [r for r in rows(settings, outbox) if r.status == "pending"]
    assert len(pending) == 2  # one live link per subscription asked for (exampleai, all), each replacing the last
    send_due(settings)
    assert [m[0] for m in mail_server.messages] == [["victim@example.org"]] * 2


def test_one_client_cannot_fan_out_over_many_addresses(make_settings, database_url):
    settings = make_settings(database_url=database_url, rate_limit_per_minute="5")
    client = TestClient(create_app(settings))
    codes = [subscribe(client, f"target{n}@example.org").status_code for n in range(8)]
    assert codes == [200] * 5 + [429] * 3
    assert len(rows(settings, addresses)) == 5


def test_a_confirmed_address_gets_no_more_mail_from_the_form(client, site):
    subscribe(client, "a@example.org")
    client.get(f"/confirm/{confirm_link(site)}")
    before = len(rows(site, outbox))
    assert subscribe(client, "a@example.org").status_code == 200
    assert len(rows(site, outbox)) == before


# ---------------------------------------------------------------- token guessing


def test_confirmation_tokens_have_128_bits_or_more_and_are_stored_only_hashed(client, site, mail_server):
    subscribe(client, "a@example.org")
    token = confirm_link(site)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    send_due(site.replace(smtp_url=mail_server.url))  # once sent, the mail body goes too
    with engine_for(site).connect() as connection:
        for table in (addresses, outbox, subscriptions_table):
            for row in connection.execute(sa.select(table)):
                assert token not in " ".join(str(v) for v in row), f"the token is stored in {table.name}"
        stored = connection.execute(sa.select(subscriptions_table.c.confirm_token_hash)).scalar_one()
    assert len(stored) == 64 and stored != token


def test_a_confirmation_link_works_once(client, site):
    subscribe(client, "a@example.org")
    token = confirm_link(site)
    assert client.get(f"/confirm/{token}").status_code == 200
    again = client.get(f"/confirm/{token}")
    assert again.status_code == 404 and "already been used" in readable_error(again)


def test_a_confirmation_link_expires(site):
    long_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=49)
    subscriptions.subscribe(site, "a@example.org", "all", {"exampleai": "ExampleAI"}, now=long_ago)
    client = TestClient(create_app(site))
    expired = client.get(f"/confirm/{confirm_link(site)}")
    assert expired.status_code == 410 and "expired" in readable_error(expired)
    assert rows(site, addresses) == []


def test_guessed_and_altered_tokens_confirm_and_unsubscribe_nothing(client, site):
    subscribe(client, "a@example.org")
    token = confirm_link(site)
    client.get(f"/confirm/{token}")
    from doesittrain.notify.outbox import unsubscribe_url

    row = rows(site, subscriptions_table)[0]
    real = unsubscribe_url(site, row.id, row.nonce).rsplit("/", 1)[1]
    mac = real.split(".", 1)[1]
    assert len(base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))) * 8 >= 128
    flipped = [real[:-1] + ("A" if real[-1] != "A" else "B"), f"{row.id}.{'A' * len(mac)}", f"{row.id + 1}.{mac}", f"{row.id}."]
    for guess in flipped:
        assert client.post(f"/unsubscribe/{guess}", headers={"accept": "application/json"}).json() == {"status": "not_found"}
    for guess in [token[:-1] + "x", token.upper(), "x" * 43]:
        assert client.get(f"/confirm/{guess}").status_code == 404
    assert len(rows(site, subscriptions_table)) == 1
    assert client.post(f"/unsubscribe/{real}", headers={"accept": "application/json"}).json() == {"status": "unsubscribed"}
