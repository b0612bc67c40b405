"""Review items can carry a proposed repair: the passage that replaced a quote that left its page.

Revision ID: 0210_review_proposals
"""
import sqlalchemy as sa
from alembic import op

revision = "0210_review_proposals"
down_revision = "0200_monitor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("monitor_review_items") as batch:
        batch.add_column(sa.Column("proposal", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("monitor_review_items") as batch:
        batch.drop_column("proposal")
