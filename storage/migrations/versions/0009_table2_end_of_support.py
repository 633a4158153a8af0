"""The end of support: case closures and end-of-support conversations (issue 17)

Revision ID: 0009_table2
Revises: 0008_merge_features
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base
from sqlalchemy.dialects import postgresql

revision = "0009_table2"
down_revision = "0008_merge_features"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "case_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("goals_met", sa.String(length=8), nullable=False),
        sa.Column("action_plan", sa.Boolean(), nullable=True),
        sa.Column("onward_referrals", sa.Integer(), nullable=False),
        sa.Column("closed_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["practitioner_id"], ["practitioner.id"],
                                name=op.f("fk_case_closure_practitioner_id_practitioner"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"],
                                name=op.f("fk_case_closure_referral_id_referral"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_closure")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_case_closure_referral_id")),
    )
    op.create_table(
        "end_of_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("questions", JSON, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("difference_text", sa.Text(), nullable=True),
        sa.Column("quote_ok", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("offered_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.Column("completed_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_end_of_support_person_id_person"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"],
                                name=op.f("fk_end_of_support_referral_id_referral"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_end_of_support")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_end_of_support_referral_id")),
    )
    op.create_index(op.f("ix_end_of_support_person_id"), "end_of_support", ["person_id"], unique=False)
    op.create_index(op.f("ix_end_of_support_status"), "end_of_support", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_end_of_support_status"), table_name="end_of_support")
    op.drop_index(op.f("ix_end_of_support_person_id"), table_name="end_of_support")
    op.drop_table("end_of_support")
    op.drop_table("case_closure")
