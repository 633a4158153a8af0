"""Priority on outbox rows: safeguarding replies and alerts go before anything else queued.

Revision ID: 0009_core
Revises: 0008_merge_features
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_core"
down_revision = "0008_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("priority")
