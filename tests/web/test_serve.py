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
