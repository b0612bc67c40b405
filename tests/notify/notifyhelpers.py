"""Helpers for notification tests: a real SMTP server on loopback (aiosmtpd), dataset edits, subscribing."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import shutil
import socket
import threading
from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa
import yaml
from aiosmtpd.controller import Controller

from doesittrain.notify import subscriptions
from doesittrain.notify.tables import outbox
from doesittrain.store.db import engine_for

EXAMPLE_FILE = Path(__file__).parents[1] / "fixtures" / "dataset" / "exampleai.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Catcher:
    """Stores every message it accepts. `replies` are answered (in order) instead of accepting; `on_data` runs first."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.replies: list[str] = []
        self.on_data: Callable | None = None
        self.drop_at: int | None = None  # hang up on the connection when this many messages were accepted
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.drop_at is not None and len(self.messages) >= self.drop_at:
            server.transport.close()
            return "421 4.3.2 Shutting down"
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        if self.on_data is not None:
            result = self.on_data(message)
            if asyncio.iscoroutine(result):
                await result
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.catcher = Catcher()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.catcher, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def edit_tool(folder: Path, slug: str, change: Callable[[dict], None]) -> None:
    path = folder / f"{slug}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def add_second_tool(folder: Path) -> None:
    """A copy of ExampleAI under another name, so 'all tools' has two tools to report."""
    data = yaml.safe_load(EXAMPLE_FILE.read_text())
    data.update(slug="otherai", name="OtherAI", aliases=["other chat"])
    (folder / "otherai.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def eu_dpa_published(data: dict) -> None:
    """The EU consumer plan gains a public DPA, with its evidence and a dated history entry."""
    plan = next(p for p in data["plans"] if p["id"] == "consumer")
    plan["regional"][0]["dpa"] = "public"
    data["evidence"].append({
        "plans": ["consumer"], "regions": ["EU", "UK"], "field": "dpa", "source": "business",
        "quote": "Our Data Processing Addendum now also covers consumers in the EEA and the UK.",
        "supports": "EU consumers are covered by the DPA.",
    })
    data["history"].append({
        "date": "2026-11-20", "plan": "consumer", "region": "EU", "field": "dpa", "before": "unknown", "after": "public",
        "note": "The DPA now covers EU and UK consumers.", "source": "business",
    })


def team_zdr_available(data: dict) -> None:
    next(p for p in data["plans"] if p["id"] == "team")["zero_data_retention"] = "available"


def consumer_human_review_changed(data: dict) -> None:
    plan = next(p for p in data["plans"] if p["id"] == "consumer")
    plan["human_review"] = "Conversations are never reviewed by people."


def confirmation_token(settings, address: str | None = None) -> str:
    """The token of the newest confirmation email still in the outbox (the test reads what the mail would carry)."""
    engine = engine_for(settings)
    with engine.connect() as connection:
        body = connection.execute(
            sa.select(outbox.c.body_text).where(outbox.c.kind == "confirm", outbox.c.status == "pending")
            .order_by(outbox.c.id.desc()).limit(1)
        ).scalar_one()
    return re.search(r"/confirm/(\S+)", body).group(1)


def subscribe_confirmed(settings, address: str, tool: str, known_tools: dict[str, str]) -> None:
    subscriptions.subscribe(settings, address, tool, known_tools)
    subscriptions.confirm(settings, confirmation_token(settings))


def link_in(message, kind: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https?://\S+/{kind}/\S+", text).group(0)


KNOWN = {"exampleai": "ExampleAI", "otherai": "OtherAI"}
