"""Tables of publishing and notifications: the last published verdicts, recorded changes, subscribers, the outbox.

Times are naive UTC everywhere (SQLite keeps no time zone), written by `utcnow()`.
"""

from __future__ import annotations


from sqlalchemy import (
    Boolean,
    Column,
    Date,
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


# The value of every tool × plan × field as last published; publish compares the dataset with it.
published_values = Table(
    "notify_published_values",
    metadata,
    Column("tool", String(60), primary_key=True),
    Column("plan", String(60), primary_key=True),
    Column("field", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

publications = Table(
    "notify_publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("published_at", DateTime, nullable=False),
    Column("dataset_version", String(64), nullable=False),
    Column("baseline", Boolean, nullable=False),
    Column("change_count", Integer, nullable=False),
)

changes = Table(
    "notify_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("publication_id", Integer, ForeignKey("notify_publications.id"), nullable=False),
    Column("tool", String(60), nullable=False),
    Column("tool_name", Text, nullable=False),
    Column("plan", String(60), nullable=False),
    Column("plan_name", Text, nullable=False),
    Column("field", String(40), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("note", Text),
    Column("source_url", Text),
    Column("quote", Text),
    Column("recorded_at", DateTime, nullable=False),
    Index("ix_notify_changes_tool_id", "tool", "id"),
)

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

# One row per email owed. Written in the same transaction as what caused it; the sender claims rows one by one.
outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # "confirm" | "change"
    Column("address_id", Integer, ForeignKey("notify_addresses.id", ondelete="CASCADE"), nullable=False),
    Column("subscription_id", Integer, ForeignKey("notify_subscriptions.id", ondelete="CASCADE")),
    Column("publication_id", Integer, ForeignKey("notify_publications.id")),
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
