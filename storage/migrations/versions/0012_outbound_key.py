"""Outbox rows keep the catalog key and parameters they were rendered from (issue 21, item 7).

Revision ID: 0012_outbound_key
Revises: 0011_report_columns
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012_outbound_key"
down_revision = "0011_report_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalog_key", sa.String(120), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("catalog_key")
