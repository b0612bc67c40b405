"""Shared fixtures: the example dataset, settings in a temporary home, and a database on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from doesittrain import settings as settings_module

from pageserver import PageServer

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE_DATASET = FIXTURES / "dataset"
POSTGRES_URL = os.environ.get("DOESITTRAIN_TEST_POSTGRES_URL", "")


@pytest.fixture
def example_dataset() -> Path:
    return EXAMPLE_DATASET


def _fresh_postgres_database() -> tuple[str, callable]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url, drop


def _postgres_database():
    """Yield the URL of a new PostgreSQL database on the server scripts/test started, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests run under scripts/test, which starts the server")
    url, drop = _fresh_postgres_database()
    yield url
    from doesittrain.store import db

    db.forget_engines()
    drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A new, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.sqlite3'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def postgres_url() -> str:
    """A new PostgreSQL database, for tests that only make sense there (several processes, row locks)."""
    yield from _postgres_database()


@pytest.fixture
def make_settings(tmp_path):
    """Settings isolated in a temporary home; keyword arguments override single settings."""

    def make(**overrides: str) -> settings_module.Settings:
        # A mail server is configured (so the subscribe forms are open) but nothing listens there: tests that
        # deliver start a real one and pass its URL.
        values = {"home": str(tmp_path / "home"), "dataset": str(EXAMPLE_DATASET), "secret_key": "test-secret",
                  "smtp_url": "smtp://127.0.0.1:9"}
        values.update(overrides)
        return settings_module.load(environ={}, **values)

    return make


@pytest.fixture
def settings(make_settings, database_url) -> settings_module.Settings:
    return make_settings(database_url=database_url)


@pytest.fixture
def page_server():
    """A real HTTP server on 127.0.0.1 whose pages a test sets and changes (tests/pageserver.py)."""
    server = PageServer().start()
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# Module scope: while Playwright's sync API is open it holds an event loop in this thread, and other
# tests (asyncio.run in the monitor, notify and build code) cannot run until it is closed.
@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
