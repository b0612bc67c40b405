"""Settings for the draft command; pages are served by the `page_server` fixture of tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def draft_env(monkeypatch, tmp_path):
    """Settings for the command: a temporary home, loopback allowed (the tests' server is on 127.0.0.1)."""
    monkeypatch.setenv("DOESITTRAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOESITTRAIN_ALLOW_PRIVATE_ADDRESSES", "1")
    monkeypatch.setenv("DOESITTRAIN_FETCH_TIMEOUT", "2")
    return tmp_path
