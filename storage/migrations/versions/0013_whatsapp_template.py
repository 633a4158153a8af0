"""The WhatsApp template an outbox row goes as, when it is due outside the 24-hour window.

Revision ID: 0013_whatsapp
Revises: 0012_outbound_key
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0013_whatsapp"
down_revision = "0012_outbound_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("template")
