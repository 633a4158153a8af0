"""Channels: the sender's claim on an outbox row, and SMS segment counts.

Revision ID: 0003_channels
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base

revision = "0003_channels"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("updated_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_status")),
        sa.UniqueConstraint("channel", "provider_id", name=op.f("uq_delivery_status_channel_provider_id")),
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", storage.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("segments", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_table("delivery_status")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("segments")
        batch_op.drop_column("claimed_until")
