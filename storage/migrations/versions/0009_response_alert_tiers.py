"""Safeguarding alerts record their tier, primary category and the person's language (issue 14)

Revision ID: 0009_response
Revises: 0008_merge_features
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_response"
down_revision = "0008_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("safeguarding_alert", schema=None) as batch_op:
        # Alerts raised before tiers existed were all full alerts: "clear".
        batch_op.add_column(sa.Column("tier", sa.String(length=16), nullable=False, server_default="clear"))
        batch_op.add_column(sa.Column("category", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("safeguarding_alert", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("category")
        batch_op.drop_column("tier")
