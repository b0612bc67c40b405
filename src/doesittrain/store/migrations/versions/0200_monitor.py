"""The policy monitor: documents, snapshots, versions, fetch log, changes and the review queue.

Revision ID: 0200_monitor
"""
import sqlalchemy as sa
from alembic import op

revision = "0200_monitor"
down_revision = "0001_base"
branch_labels = ("monitor",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_documents",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("urls", sa.Text, nullable=False),
        sa.Column("rules_hash", sa.String(64), nullable=False),
        sa.Column("etags", sa.Text, nullable=False),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("failing_since", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("last_checked", sa.DateTime),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_documents"),
        sa.UniqueConstraint("key", name="uq_monitor_documents_key"),
    )
    op.create_table(
        "monitor_snapshots",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_monitor_snapshots"),
    )
    op.create_table(
        "monitor_versions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("snapshots", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("extractor", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_versions"),
        sa.ForeignKeyConstraint(["document_id"], ["monitor_documents.id"], ondelete="CASCADE",
                                name="fk_monitor_versions_document_id_monitor_documents"),
    )
    op.create_index("ix_monitor_versions_document", "monitor_versions", ["document_id", "id"])
    op.create_table(
        "monitor_fetches",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.Integer, nullable=False),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("version_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_fetches"),
        sa.ForeignKeyConstraint(["document_id"], ["monitor_documents.id"], ondelete="CASCADE",
                                name="fk_monitor_fetches_document_id_monitor_documents"),
        sa.ForeignKeyConstraint(["version_id"], ["monitor_versions.id"], ondelete="SET NULL",
                                name="fk_monitor_fetches_version_id_monitor_versions"),
    )
    op.create_index("ix_monitor_fetches_document", "monitor_fetches", ["document_id", "id"])
    op.create_table(
        "monitor_changes",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.Integer, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("previous_version_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("material", sa.Boolean, nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("passages", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_changes"),
        sa.ForeignKeyConstraint(["document_id"], ["monitor_documents.id"], ondelete="CASCADE",
                                name="fk_monitor_changes_document_id_monitor_documents"),
        sa.ForeignKeyConstraint(["version_id"], ["monitor_versions.id"], ondelete="CASCADE",
                                name="fk_monitor_changes_version_id_monitor_versions"),
        sa.ForeignKeyConstraint(["previous_version_id"], ["monitor_versions.id"], ondelete="CASCADE",
                                name="fk_monitor_changes_previous_version_id_monitor_versions"),
    )
    op.create_table(
        "monitor_review_items",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("document_id", sa.Integer),
        sa.Column("change_id", sa.Integer),
        sa.Column("tool", sa.String(60)),
        sa.Column("claim", sa.String(120)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("resolved_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_review_items"),
        sa.ForeignKeyConstraint(["document_id"], ["monitor_documents.id"], ondelete="CASCADE",
                                name="fk_monitor_review_items_document_id_monitor_documents"),
        sa.ForeignKeyConstraint(["change_id"], ["monitor_changes.id"], ondelete="CASCADE",
                                name="fk_monitor_review_items_change_id_monitor_changes"),
    )
    op.create_index("ix_monitor_review_items_open", "monitor_review_items", ["status", "key"])


def downgrade() -> None:
    for table in ("monitor_review_items", "monitor_changes", "monitor_fetches", "monitor_versions",
                  "monitor_snapshots", "monitor_documents"):
        op.drop_table(table)
