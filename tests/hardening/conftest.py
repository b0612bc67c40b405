"""Fixtures for the hardening tests: sites on the example and on a hostile dataset, a mail server, Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from tests.hardening.support import MailServer, write_hostile_dataset



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
