"""Fixtures for the hardening tests: sites on the example and on a hostile dataset, a mail server, Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from tests.hardening.support import MailServer, write_hostile_dataset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def hostile_dataset(tmp_path) -> Path:
    return write_hostile_dataset(tmp_path / "hostile")


@pytest.fixture
def hostile_settings(make_settings, hostile_dataset):
    return make_settings(dataset=str(hostile_dataset), rate_limit_per_minute="1000")


@pytest.fixture
def hostile_client(hostile_settings):
    with TestClient(create_app(hostile_settings), base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
def mail_server():
    server = MailServer()
    server.controller.start()
    yield server
    server.controller.stop()


# Module scope: while Playwright's sync API is open it holds an event loop in this thread, and other
# tests (asyncio.run in the monitor, notify and build code) cannot run until it is closed.
@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
