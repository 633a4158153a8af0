"""Which people's data a message to someone else carries, so erasure can redact it (issue 16).

Revision ID: 0009_dataprot
Revises: 0008_merge_features
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_dataprot"
down_revision = "0008_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_subject",
        sa.Column("outbound_id", sa.Integer(), sa.ForeignKey("outbound_message.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_outbound_subject_person_id", "outbound_subject", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_outbound_subject_person_id", table_name="outbound_subject")
    op.drop_table("outbound_subject")
