"""Fixtures for notification tests: a real SMTP server on loopback and a private copy of the example dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from notifyhelpers import EXAMPLE_FILE, SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dataset_dir(tmp_path) -> Path:
    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(EXAMPLE_FILE, folder / "exampleai.yaml")
    return folder


