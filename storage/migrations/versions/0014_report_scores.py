"""Questionnaire scores in their own narrow table, copied by a trigger, for the report's paired change (issue 17)

`dataset_score` holds one row per scored item of a questionnaire's data set event (ONS-4's four
items one row each); a trigger on `dataset_event` writes them in the same statement as the event,
and this migration copies the scores of the events already kept. The report pairs baselines with
follow-ups from its index instead of grouping the events and expanding their JSON
(storage/dataset/scores.py).

Revision ID: 0014_report_scores
Revises: 0013_whatsapp
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base

from storage.dataset.scores import backfill, create_trigger, drop_trigger

revision = "0014_report_scores"
down_revision = "0013_whatsapp"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration stays what it was when later code changes.
SCORE_INDEX = ("statement", "instrument", "item", "subject_key", "baseline", "occurred_at", "event_id", "score")


def upgrade() -> None:
    op.create_table(
        "dataset_score",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("statement", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.Text(), nullable=False),
        sa.Column("subject_key", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["dataset_event.id"], name=op.f("fk_dataset_score_event_id_dataset_event"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "item", name=op.f("pk_dataset_score")),
    )
    dialect = op.get_bind().dialect.name
    for statement in backfill(dialect):
        op.execute(statement)
    op.create_index("ix_dataset_score_pairing", "dataset_score", list(SCORE_INDEX))
    for statement in create_trigger(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_dataset_score_pairing", table_name="dataset_score")
    op.drop_table("dataset_score")
