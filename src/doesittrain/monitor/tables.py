"""Tables of the monitor: watched documents, raw snapshots, normalised versions, fetch log, changes, review queue.

Snapshots (raw bytes, compressed, keyed by their SHA-256) are kept apart from versions (normalised text), so
versions can be re-derived when the extraction rules change. Times are naive UTC (SQLite keeps no time zone).
"""

from __future__ import annotations


from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from ..store.tables import metadata


documents = Table(
    "monitor_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    # The watch name, or the URL for a source cited by the dataset: the one identity of a document.
    Column("key", String(500), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("urls", Text, nullable=False),  # JSON list: one URL, or several for a combined document
    Column("rules_hash", String(64), nullable=False, default=""),
    Column("etags", Text, nullable=False, default="{}"),  # JSON {url: [etag, last_modified, snapshot sha]}
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("failing_since", DateTime),
    Column("last_error", Text),
    Column("last_checked", DateTime),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime),
)

snapshots = Table(
    "monitor_snapshots",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),  # zlib-compressed raw response
    Column("fetched_at", DateTime, nullable=False),
)

versions = Table(
    "monitor_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("monitor_documents.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("snapshots", Text, nullable=False),  # JSON list of snapshot sha256, one per URL
    Column("text", Text, nullable=False),  # normalised paragraphs, one per line
    Column("state_hash", String(64), nullable=False),
    Column("outcome", String(20), nullable=False),  # first | changed | flip_back | technical
    Column("extractor", String(80), nullable=False),
    Index("ix_monitor_versions_document", "document_id", "id"),
)

fetches = Table(
    "monitor_fetches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("monitor_documents.id", ondelete="CASCADE"), nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    Column("outcome", String(20), nullable=False),  # first | unchanged | changed | flip_back | error
    Column("error", Text),
    Column("version_id", Integer, ForeignKey("monitor_versions.id", ondelete="SET NULL")),
    Index("ix_monitor_fetches_document", "document_id", "id"),
)

changes = Table(
    "monitor_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("monitor_documents.id", ondelete="CASCADE"), nullable=False),
    Column("version_id", Integer, ForeignKey("monitor_versions.id", ondelete="CASCADE"), nullable=False),
    Column("previous_version_id", Integer, ForeignKey("monitor_versions.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("material", Boolean, nullable=False),
    Column("topics", Text, nullable=False),  # JSON list
    Column("passages", Text, nullable=False),  # JSON list of {kind, old, new, topics, material}
)

review_items = Table(
    "monitor_review_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # change | broken_evidence | unreachable
    # At most one open item per key, e.g. "broken_evidence:<tool>:<evidence id>".
    Column("key", String(500), nullable=False),
    Column("document_id", Integer, ForeignKey("monitor_documents.id", ondelete="CASCADE")),
    Column("change_id", Integer, ForeignKey("monitor_changes.id", ondelete="CASCADE")),
    Column("tool", String(60)),
    Column("claim", String(120)),
    Column("title", Text, nullable=False),
    Column("detail", Text, nullable=False, default=""),
    # JSON {"quote", "replacement", "url", "version_id"}: the passage of the new version proposed for a lost quote.
    Column("proposal", Text),
    Column("status", String(10), nullable=False, default="open"),  # open | resolved
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Index("ix_monitor_review_items_open", "status", "key"),
)
