"""Tables of notifications: subscribers, their subscriptions, the outbox (publish's tables are in publish/tables.py).

Times are naive UTC everywhere (SQLite keeps no time zone), written by `utcnow()`.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..store.tables import metadata, utcnow  # noqa: F401  (the one clock, re-exported for this concern)

ALL_TOOLS = "*"  # the `tool` of a subscription to every tool


addresses = Table(
    "notify_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
)

subscriptions = Table(
    "notify_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("address_id", Integer, ForeignKey("notify_addresses.id", ondelete="CASCADE"), nullable=False),
    Column("tool", String(60), nullable=False),
    Column("created_at", DateTime, nullable=False),
    # Pending until confirmed: the SHA-256 of the single-use confirmation token and when it expires.
    Column("confirm_token_hash", String(64), unique=True),
    Column("expires_at", DateTime),
    Column("confirmed_at", DateTime),
    # Random per subscription; the unsubscribe link is an HMAC over it, so no usable token is stored.
    Column("nonce", String(64), nullable=False),
    UniqueConstraint("address_id", "tool", name="uq_notify_subscriptions_address_tool"),
)

# One row per email owed. Written in the same transaction as what caused it; the sender claims rows in batches.
outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # "confirm" | "change"
    Column("address_id", Integer, ForeignKey("notify_addresses.id", ondelete="CASCADE"), nullable=False),
    Column("subscription_id", Integer, ForeignKey("notify_subscriptions.id", ondelete="CASCADE")),
    Column("publication_id", Integer, ForeignKey("notify_publications.id")),  # publish/tables.py
    Column("message_id", String(200), nullable=False, unique=True),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("unsubscribe_url", Text),
    Column("status", String(10), nullable=False, default="pending"),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_notify_outbox_status_next", "status", "next_attempt_at"),
)
