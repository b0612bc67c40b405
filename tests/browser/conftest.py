"""A real server on a free loopback port (uvicorn in a thread) and a real Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from doesittrain import settings as settings_module
from doesittrain.settings import BUNDLED_DATASET

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    from doesittrain.web.app import create_app

    if not ((BUNDLED_DATASET / "claude.yaml").exists() and (BUNDLED_DATASET / "chatgpt.yaml").exists()):
        pytest.skip("the journey needs claude.yaml and chatgpt.yaml in the bundled dataset")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings_module.load(
        environ={}, home=str(tmp_path_factory.mktemp("home")), dataset=str(BUNDLED_DATASET), site_url=url, secret_key="t"
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str) -> None:
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
