"""The subscribe, confirm and unsubscribe pages, through the real app."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from doesittrain.notify.tables import addresses, outbox
from doesittrain.store.db import engine_for
from doesittrain.web.app import create_app


@pytest.fixture
def browser(settings):
    return TestClient(create_app(settings), base_url="http://127.0.0.1:8000")


def form_token(browser) -> str:
    page = browser.get("/subscribe")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def outbox_bodies(settings) -> list[str]:
    with engine_for(settings).connect() as connection:
        return connection.execute(sa.select(outbox.c.body_text).order_by(outbox.c.id)).scalars().all()


def test_the_form_offers_every_tool_and_all_tools(browser):
    page = browser.get("/subscribe?tool=exampleai")
    assert page.status_code == 200
    assert '<option value="all">All tools</option>' in page.text
    assert '<option value="exampleai" selected>ExampleAI</option>' in page.text
    cookies = page.headers.get_list("set-cookie")
    assert len(cookies) == 1 and cookies[0].startswith("doesittrain_csrf="), "one cookie, set once"
    assert page.headers["cache-control"] == "no-store", "the form carries this browser's token"


def test_subscribing_answers_the_same_for_new_pending_and_confirmed(browser, settings):
    token = form_token(browser)
    answers = []
    for _ in range(2):
        answers.append(browser.post("/subscribe", data={"email": "a@example.org", "tool": "exampleai", "csrf_token": token}))
    body = outbox_bodies(settings)[-1]
    browser.get(re.search(r"http://\S+(/confirm/\S+)", body).group(1))
    answers.append(browser.post("/subscribe", data={"email": "a@example.org", "tool": "exampleai", "csrf_token": token}))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1


def test_json_clients_get_json(browser):
    token = form_token(browser)
    response = browser.post(
        "/subscribe", data={"email": "a@example.org", "tool": "all", "csrf_token": token},
        headers={"accept": "application/json"},
    )
    assert response.json()["status"] == "confirmation_requested"


def test_a_post_without_the_form_token_is_refused(browser, settings):
    response = browser.post("/subscribe", data={"email": "a@example.org", "tool": "all"})
    assert response.status_code == 403
    assert "security" in response.text
    assert outbox_bodies(settings) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "nope", "tool": "all"}, "That email address is not valid"),
        ({"email": "a@example.org", "tool": "unknown-tool"}, "There is no tool called"),
        ({"tool": "all"}, "Enter your email address."),
    ],
)
def test_bad_input_gets_a_readable_400(browser, data, message):
    token = form_token(browser)
    response = browser.post("/subscribe", data={**data, "csrf_token": token}, headers={"accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


def test_too_many_requests_from_one_client_get_429_with_retry_after(make_settings, database_url):
    settings = make_settings(database_url=database_url, rate_limit_per_minute="3")
    browser = TestClient(create_app(settings))
    token = form_token(browser)
    codes = [
        browser.post("/subscribe", data={"email": f"r{n}@example.org", "tool": "all", "csrf_token": token}).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    refused = browser.post("/subscribe", data={"email": "x@example.org", "tool": "all", "csrf_token": token})
    assert int(refused.headers["retry-after"]) > 0


def test_one_address_cannot_be_flooded_with_confirmation_mails(make_settings, database_url):
    settings = make_settings(database_url=database_url, rate_limit_per_minute="100")
    browser = TestClient(create_app(settings))
    token = form_token(browser)
    codes = [
        browser.post("/subscribe", data={"email": "victim@example.org", "tool": "all", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_unsubscribe_page_shows_a_button_and_the_post_deletes(browser, settings):
    token = form_token(browser)
    browser.post("/subscribe", data={"email": "a@example.org", "tool": "exampleai", "csrf_token": token})
    confirm_path = re.search(r"http://\S+(/confirm/\S+)", outbox_bodies(settings)[-1]).group(1)
    assert "Alert confirmed" in browser.get(confirm_path).text
    from doesittrain.notify.outbox import unsubscribe_url
    from doesittrain.notify.tables import subscriptions

    with engine_for(settings).connect() as connection:
        row = connection.execute(sa.select(subscriptions.c.id, subscriptions.c.nonce)).one()
    path = unsubscribe_url(settings, row.id, row.nonce).split("8000", 1)[1]
    page = browser.get(path)
    assert "Stop alerts about ExampleAI?" in page.text and '<form method="post">' in page.text
    assert browser.post(path).status_code == 200
    with engine_for(settings).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(addresses)).scalar_one() == 0
    assert "Nothing to unsubscribe" in browser.get(path).text
    assert "Nothing to unsubscribe" in browser.post(path).text


def test_an_unknown_confirmation_link_is_a_readable_404(browser):
    response = browser.get("/confirm/not-a-real-token")
    assert response.status_code == 404
    assert "not valid or has already been used" in response.text


def test_without_a_mail_server_nothing_is_promised_or_stored_and_the_answer_leads_back(make_settings, database_url):
    from doesittrain import wording

    settings = make_settings(database_url=database_url, smtp_url="")
    browser = TestClient(create_app(settings), base_url="http://127.0.0.1:8000")
    form = browser.get("/subscribe?tool=exampleai")
    assert wording.ALERTS_NOT_ENABLED in form.text and 'name="email"' not in form.text
    tool_page = browser.get("/tools/exampleai").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/subscribe").text)
    assert token is None and wording.ALERTS_NOT_ENABLED in tool_page
    # A form posted from an old page or by a script: refused plainly, nothing stored, with the way back to the tool.
    answer = browser.post("/subscribe", data={"email": "a@example.org", "tool": "exampleai"})
    assert answer.status_code == 503
    assert wording.ALERTS_NOT_ENABLED in answer.text and "on its way" not in answer.text
    assert '<a href="/tools/exampleai">' in answer.text
    assert outbox_bodies(settings) == []


def test_the_answer_page_leads_back_to_the_tool(browser):
    token = form_token(browser)
    answer = browser.post("/subscribe", data={"email": "a@example.org", "tool": "exampleai", "csrf_token": token})
    assert '<a href="/tools/exampleai">' in answer.text
