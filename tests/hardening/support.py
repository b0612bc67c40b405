"""Real parts the hardening tests share: a site served by uvicorn on loopback, an SMTP server that keeps what it
receives, a dataset whose every text field carries markup, and small helpers for reading answers."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from email import message_from_bytes, policy
from pathlib import Path
from typing import Iterator

import uvicorn
import yaml
from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from tests.conftest import EXAMPLE_DATASET

EXAMPLE_FILE = EXAMPLE_DATASET / "exampleai.yaml"

# What an attacker would put into dataset text: a script element, an attribute break-out with an event handler,
# an SVG handler, and a JSON-LD break-out. Each sets a global the browser test looks for.
SCRIPT = "<script>window.__xss='script'</script>"
ATTRIBUTE = "\"><img src=x onerror=\"window.__xss='img'\">"
SVG = "'><svg onload=window.__xss='svg'>"
SCRIPT_END = "</script><script>window.__xss='json-ld'</script>"
PAYLOADS = (SCRIPT, ATTRIBUTE, SVG, SCRIPT_END)
# Fragments that appear in a body only when a payload was written out unescaped.
LIVE_MARKUP = ("<script>window.__xss", "<img src=x onerror", "<svg onload", "</script><script>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_site(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class MailServer:
    """aiosmtpd on loopback; `messages` holds (envelope recipients, parsed message) for each mail accepted."""

    def __init__(self):
        self.messages: list[tuple[list[str], object]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


# ---------------------------------------------------------------- a dataset written by an attacker


def _poison(text: str, n: int) -> str:
    return f"{text} {PAYLOADS[n % len(PAYLOADS)]}"


def hostile_tool() -> dict:
    """The example tool with a payload appended to every free-text field a page, feed or email may show."""
    tool = yaml.load(EXAMPLE_FILE.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    counter = iter(range(1000))
    for key in ("name", "vendor", "category", "tier_hint"):
        tool[key] = _poison(tool[key], next(counter))
    tool["aliases"] = [_poison(a, next(counter)) for a in tool["aliases"]]
    for plan in tool["plans"]:
        plan["name"] = _poison(plan["name"], next(counter))
        for key in ("region_note", "human_review"):
            if key in plan:
                plan[key] = _poison(plan[key], next(counter))
        for key in ("steps", "side_effects"):
            if key in plan["opt_out"]:
                plan["opt_out"][key] = _poison(plan["opt_out"][key], next(counter))
        if isinstance(plan["retention"], dict):
            plan["retention"]["summary"] = _poison(plan["retention"]["summary"], next(counter))
    for source in tool["sources"]:
        source["title"] = _poison(source["title"], next(counter))
    for evidence in tool["evidence"]:
        evidence["quote"] = _poison(evidence["quote"], next(counter))
        evidence["supports"] = _poison(evidence["supports"], next(counter))
    for myth in tool["myths"]:
        myth["claim"] = _poison(myth["claim"], next(counter))
        myth["correction"] = _poison(myth["correction"], next(counter))
        myth["appeared"]["outlet"] = _poison(myth["appeared"]["outlet"], next(counter))
    for entry in tool["history"]:
        entry["note"] = _poison(entry["note"], next(counter))
    return tool


def write_hostile_dataset(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exampleai.yaml").write_text(yaml.safe_dump(hostile_tool(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- reading answers

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: TestClient, path: str = "/subscribe") -> str:
    page = client.get(path)
    found = CSRF_INPUT.search(page.text)
    assert found, f"{path} has no form token"
    return found.group(1)


def readable_error(response) -> str:
    """The message a person sees in a 4xx answer: the JSON error's message or the error page's lead paragraph."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return json.loads(response.text)["error"]["message"]
    found = re.search(r'<p class="lead">(.*?)</p>', response.text, re.S)
    return found.group(1).strip() if found else ""


class PolicyServer:
    """A loopback server whose one page the test rewrites between monitor passes."""

    def __init__(self):
        self.body = b""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body = server.body if self.path == "/policy" else b"not here"
                self.send_response(200 if self.path == "/policy" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/policy"
