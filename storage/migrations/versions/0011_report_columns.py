"""Data set events carry the fields the report counts as columns, filled for the events already kept (issue 17)

The report groups and counts in SQL (a million events in seconds): it reads `instrument`, `wave`,
`answer`, `amount` and `flag` rather than parsing each event's JSON. storage/dataset/promoted.py
says which field each statement's columns hold; new events get them from the model's defaults.

Revision ID: 0011_report_columns
Revises: 0010_merge_december
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.dataset.promoted import promote

revision = "0011_report_columns"
down_revision = "0010_merge_december"
branch_labels = None
depends_on = None

BATCH = 5_000
# Written out, not imported, so that this migration stays what it was when later code changes.
COLUMNS = ("instrument", "wave", "answer", "amount", "flag")
REPORT_INDEX = ("statement", "occurred_at", "subject_key", *COLUMNS)


def upgrade() -> None:
    with op.batch_alter_table("dataset_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instrument", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("wave", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("amount", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.Boolean(), nullable=True))
    _backfill(op.get_bind())
    op.create_index("ix_dataset_event_report", "dataset_event", list(REPORT_INDEX))


def _backfill(connection: sa.Connection) -> None:
    """Work out the columns of every event already kept, in batches by id."""
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    table = sa.table("dataset_event", sa.column("id", sa.Integer), sa.column("statement", sa.Integer),
                     sa.column("value", json), *(sa.column(name) for name in COLUMNS))
    update = (table.update().where(table.c.id == sa.bindparam("event_id"))
              .values({name: sa.bindparam(f"new_{name}") for name in COLUMNS}))
    last = 0
    while True:
        rows = connection.execute(sa.select(table.c.id, table.c.statement, table.c.value)
                                  .where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        changes = []
        for event_id, statement, value in rows:
            columns = promote(statement, value)
            if any(v is not None for v in columns.values()):
                changes.append({"event_id": event_id, **{f"new_{k}": v for k, v in columns.items()}})
        if changes:
            connection.execute(update, changes)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_dataset_event_report", table_name="dataset_event")
    with op.batch_alter_table("dataset_event", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
