"""The website: rate-limit counters shared by every worker process.

Revision ID: 0300_web
"""
import sqlalchemy as sa
from alembic import op

revision = "0300_web"
down_revision = "0001_base"
branch_labels = ("web",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_rate_limits",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("resets_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", "key_hash", name="pk_web_rate_limits"),
    )
    op.create_index("ix_web_rate_limits_resets_at", "web_rate_limits", ["resets_at"])


def downgrade() -> None:
    op.drop_table("web_rate_limits")
