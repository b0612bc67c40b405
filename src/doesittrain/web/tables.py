"""Tables of the website: the rate-limit counters every worker process shares."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table

from ..store.tables import metadata

# One row per limit and key (a client address, an email address…) whose window is running; the key is stored
# as its SHA-256, so an email address used as a key is never stored as text outside notify_addresses.
rate_limits = Table(
    "web_rate_limits",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("key_hash", String(64), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("resets_at", DateTime, nullable=False),
    Index("ix_web_rate_limits_resets_at", "resets_at"),
)
