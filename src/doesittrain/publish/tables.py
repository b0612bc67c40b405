"""Tables of publishing: the values as last published, each publication, and the changes it recorded.

They keep the `notify_` prefix they were created with (migration 0100_notify), so existing databases need nothing.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text

from ..store.tables import metadata

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
