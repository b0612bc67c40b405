"""`doesittrain serve`: creates its home folder, prints the URL to open, and serves the site."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_prints_the_url_and_serves_pages(tmp_path, example_dataset):
    port = free_port()
    home = tmp_path / "new-home"
    env = dict(os.environ, DOESITTRAIN_HOME=str(home), DOESITTRAIN_DATASET=str(example_dataset), DOESITTRAIN_SECRET_KEY="t")
    process = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, text=True)
    try:
        first_line = process.stdout.readline()
        assert f"open http://127.0.0.1:{port}/" in first_line
        assert home.is_dir()
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/tools/exampleai", timeout=2) as response:
                    assert response.status == 200
                    assert "Does ExampleAI train on your data?" in response.read().decode()
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url: str) -> tuple[str, dict]:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode(), dict(response.headers)
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.2)


def test_serve_without_a_site_url_names_the_address_it_listens_on_and_says_alerts_are_off(tmp_path, example_dataset):
    import json

    from doesittrain import wording

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DOESITTRAIN_SITE_URL", "DOESITTRAIN_SMTP_URL"}}
    env |= {"DOESITTRAIN_HOME": str(tmp_path / "home"), "DOESITTRAIN_DATASET": str(example_dataset), "DOESITTRAIN_SECRET_KEY": "t"}
    process = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    origin = f"http://127.0.0.1:{port}"
    try:
        page, headers = _get(origin + "/tools/exampleai")
        assert f'<link rel="canonical" href="{origin}/tools/exampleai">' in page
        assert f"form-action 'self' {origin};" in headers["content-security-policy"]
        assert wording.ALERTS_NOT_ENABLED in page, "no mail server: the page does not promise an email"
        assert 'name="email"' not in page
        assert f'href="{origin}/tools/exampleai"' in page, "the badge code to copy names this server"
        feed, _ = _get(origin + "/tools/exampleai.atom")
        assert f'href="{origin}/tools/exampleai"' in feed
        assert json.loads(_get(origin + "/openapi.json")[0])["servers"][0]["url"] == origin
        assert json.loads(_get(origin + "/api/tools/exampleai")[0])["url"] == origin + "/tools/exampleai"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert wording.SMTP_MISSING_WARNING in process.stderr.read()
