"""A real HTTP server on loopback for the draft tests (the monitor tests' PageServer)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "monitor"))
from pageserver import PageServer  # noqa: E402


@pytest.fixture
def page_server():
    server = PageServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def draft_env(monkeypatch, tmp_path):
    """Settings for the command: a temporary home, loopback allowed (the tests' server is on 127.0.0.1)."""
    monkeypatch.setenv("DOESITTRAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOESITTRAIN_ALLOW_PRIVATE_ADDRESSES", "1")
    monkeypatch.setenv("DOESITTRAIN_FETCH_TIMEOUT", "2")
    return tmp_path
