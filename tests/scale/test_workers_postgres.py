"""Several real worker processes on one PostgreSQL: every email is sent once, every document fetched once."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from doesittrain.notify import emails
from doesittrain.notify.outbox import enqueue
from doesittrain.notify.tables import addresses, outbox, utcnow
from doesittrain.store.db import engine_for

pytestmark = pytest.mark.postgres

EMAILS = 600
SENDERS = 4
DOCUMENTS = 40
MONITORS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """A local SMTP server that keeps every message and which connection brought it."""

    def __init__(self, delay: float = 0.003):
        self.delay = delay  # a little work per message, so late-starting senders still find rows to claim
        self.messages: list[tuple[tuple, email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        time.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((session.peer, message))
        return "250 2.0.0 Accepted"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


def worker_env(tmp_path: Path, database_url: str, dataset: Path, **extra: str) -> dict[str, str]:
    return dict(
        os.environ, DOESITTRAIN_HOME=str(tmp_path / "home"), DOESITTRAIN_DATABASE_URL=database_url,
        DOESITTRAIN_DATASET=str(dataset), DOESITTRAIN_SECRET_KEY="scale-test", **extra,
    )


def run_together(command: list[str], count: int, env: dict[str, str], timeout: float = 120) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen([sys.executable, "-m", "doesittrain", *command], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def queue_emails(settings, count: int) -> None:
    with engine_for(settings).begin() as connection:
        now = utcnow()
        connection.execute(addresses.insert(), [
            {"email": f"reader{n}@example.org", "created_at": now} for n in range(count)
        ])
        ids = connection.execute(sa.select(addresses.c.id).order_by(addresses.c.id)).scalars().all()
        for n, address_id in enumerate(ids):
            enqueue(connection, settings, kind="change", address_id=address_id, subscription_id=None,
                    publication_id=None, email=emails.RenderedEmail(f"Change {n}", f"Body {n}", f"<p>Body {n}</p>"),
                    unsubscribe=None, now=now)


def test_several_senders_deliver_each_email_exactly_once(make_settings, postgres_url, sink, tmp_path, example_dataset):
    handler, smtp_url = sink
    settings = make_settings(database_url=postgres_url, smtp_url=smtp_url)
    queue_emails(settings, EMAILS)

    results = run_together(["notify", "send"], SENDERS, worker_env(tmp_path, postgres_url, example_dataset,
                                                                   DOESITTRAIN_SMTP_URL=smtp_url))

    assert [r.returncode for r in results] == [0] * SENDERS, [r.stderr[-2000:] for r in results]
    recipients = Counter(message["To"] for _, message in handler.messages)
    assert len(handler.messages) == EMAILS
    assert set(recipients) == {f"reader{n}@example.org" for n in range(EMAILS)}
    assert set(recipients.values()) == {1}  # nobody got an email twice
    assert len({message["Message-ID"] for _, message in handler.messages}) == EMAILS
    assert len({peer for peer, _ in handler.messages}) >= 2  # the work was shared, not done by one process
    with engine_for(settings).connect() as connection:
        statuses = connection.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)).all()
    assert dict(statuses) == {"sent": EMAILS}


class PolicyPages:
    """Loopback HTTP server with DOCUMENTS policy pages; counts requests per path."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with pages.lock:
                    pages.hits[self.path] += 1
                if not self.path.startswith("/policy/"):
                    self.send_error(404)
                    return
                time.sleep(0.15)  # a real site takes a moment, which gives every worker a share
                number = self.path.rsplit("/", 1)[1]
                paragraphs = "".join(
                    f"<p>Section {i} of policy {number}: we keep your content for {i + 30} days, use it only to "
                    f"provide the service you asked for, and do not use it to train our models.</p>" for i in range(8)
                )
                body = f"<html><body><main><h1>Privacy policy {number}</h1>{paragraphs}</main></body></html>".encode()
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"


def test_several_monitor_workers_fetch_each_document_once(make_settings, postgres_url, tmp_path):
    pages = PolicyPages()
    try:
        watch = tmp_path / "watch.yaml"
        watch.write_text("".join(
            f"- name: Policy {n}\n  url: {pages.url(f'/policy/{n}')}\n  select: [main]\n" for n in range(DOCUMENTS)
        ))
        empty_dataset = tmp_path / "dataset"
        empty_dataset.mkdir()
        engine_for(make_settings(database_url=postgres_url))  # migrate once before the workers start
        env = worker_env(tmp_path, postgres_url, empty_dataset, DOESITTRAIN_ALLOW_PRIVATE_ADDRESSES="1")

        results = run_together(["monitor", "run", "--worker", "--json", "--watch", str(watch)], MONITORS, env)

        assert [r.returncode for r in results] == [0] * MONITORS, [(r.stdout[-1500:], r.stderr[-1500:]) for r in results]
        reported = [line for r in results for line in r.stdout.splitlines() if line.startswith("{")]
        assert len(reported) == DOCUMENTS  # each document checked by exactly one worker
        policy_hits = {path: n for path, n in pages.hits.items() if path.startswith("/policy/")}
        assert policy_hits == {f"/policy/{n}": 1 for n in range(DOCUMENTS)}
    finally:
        pages.server.shutdown()
