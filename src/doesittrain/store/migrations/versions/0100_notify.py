"""Publishing and notifications: published values, changes, subscribers and the outbox.

Revision ID: 0100_notify
"""
import sqlalchemy as sa
from alembic import op

revision = "0100_notify"
down_revision = "0001_base"
branch_labels = ("notify",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_published_values",
        sa.Column("tool", sa.String(60), nullable=False),
        sa.Column("plan", sa.String(60), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tool", "plan", "field", name="pk_notify_published_values"),
    )
    op.create_table(
        "notify_publications",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("dataset_version", sa.String(64), nullable=False),
        sa.Column("baseline", sa.Boolean, nullable=False),
        sa.Column("change_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_publications"),
    )
    op.create_table(
        "notify_changes",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("publication_id", sa.Integer, nullable=False),
        sa.Column("tool", sa.String(60), nullable=False),
        sa.Column("tool_name", sa.Text, nullable=False),
        sa.Column("plan", sa.String(60), nullable=False),
        sa.Column("plan_name", sa.Text, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("source_url", sa.Text),
        sa.Column("quote", sa.Text),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_changes"),
        sa.ForeignKeyConstraint(
            ["publication_id"], ["notify_publications.id"], name="fk_notify_changes_publication_id_notify_publications"
        ),
    )
    op.create_index("ix_notify_changes_tool_id", "notify_changes", ["tool", "id"])
    op.create_table(
        "notify_addresses",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_addresses"),
        sa.UniqueConstraint("email", name="uq_notify_addresses_email"),
    )
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("address_id", sa.Integer, nullable=False),
        sa.Column("tool", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("confirm_token_hash", sa.String(64)),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("confirmed_at", sa.DateTime),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_subscriptions"),
        sa.ForeignKeyConstraint(
            ["address_id"], ["notify_addresses.id"], ondelete="CASCADE",
            name="fk_notify_subscriptions_address_id_notify_addresses",
        ),
        sa.UniqueConstraint("confirm_token_hash", name="uq_notify_subscriptions_confirm_token_hash"),
        sa.UniqueConstraint("address_id", "tool", name="uq_notify_subscriptions_address_tool"),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("address_id", sa.Integer, nullable=False),
        sa.Column("subscription_id", sa.Integer),
        sa.Column("publication_id", sa.Integer),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("unsubscribe_url", sa.Text),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_notify_outbox"),
        sa.ForeignKeyConstraint(
            ["address_id"], ["notify_addresses.id"], ondelete="CASCADE",
            name="fk_notify_outbox_address_id_notify_addresses",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["notify_subscriptions.id"], ondelete="CASCADE",
            name="fk_notify_outbox_subscription_id_notify_subscriptions",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"], ["notify_publications.id"], name="fk_notify_outbox_publication_id_notify_publications"
        ),
        sa.UniqueConstraint("message_id", name="uq_notify_outbox_message_id"),
    )
    op.create_index("ix_notify_outbox_status_next", "notify_outbox", ["status", "next_attempt_at"])
    # Rows that publish and the SQLite sender update first, to serialise themselves across processes.
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(meta, [{"key": "notify.publish_lock", "value": "0"}, {"key": "notify.send_lock", "value": "0"}])


def downgrade() -> None:
    op.drop_table("notify_outbox")
    op.drop_table("notify_subscriptions")
    op.drop_table("notify_addresses")
    op.drop_table("notify_changes")
    op.drop_table("notify_publications")
    op.drop_table("notify_published_values")
    op.execute("DELETE FROM meta WHERE key IN ('notify.publish_lock', 'notify.send_lock')")
