"""Practitioners: the languages they speak (routing for the Active Offer) and when they were removed.

Revision ID: 0009_practitioner
Revises: 0008_merge_features
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import storage.models.base

revision = "0009_practitioner"
down_revision = "0008_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practitioner", schema=None) as batch_op:
        # Empty for practitioners added before: reads_welsh() falls back to their own language.
        batch_op.add_column(sa.Column("speaks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                                      nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("removed_at", storage.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("practitioner", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("speaks")
