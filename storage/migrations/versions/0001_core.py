"""Core tables: people, addresses, conversations, inbox, outbox, data set events.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-25 04:33:41.043162
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base
from sqlalchemy.dialects import postgresql

revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('language_recorded_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('opted_out_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_person_pseudonym'))
    )
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=False),
    sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('pending_options', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('paused', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_conversation_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation')),
    sa.UniqueConstraint('person_id', name=op.f('uq_conversation_person_id'))
    )
    op.create_table('dataset_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('occurred_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_dataset_event_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_event'))
    )
    with op.batch_alter_table('dataset_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_event_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dataset_event_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dataset_event_statement'), ['statement'], unique=False)
        batch_op.create_index(batch_op.f('ix_dataset_event_subject_key'), ['subject_key'], unique=False)

    op.create_table('inbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('choice', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_inbound_message_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_message')),
    sa.UniqueConstraint('channel', 'provider_id', name=op.f('uq_inbound_message_channel_provider_id'))
    )
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_message_person_id'), ['person_id'], unique=False)

    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=160), nullable=True),
    sa.Column('ignore_opt_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('not_before', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('provider_status', sa.String(length=16), nullable=True),
    sa.Column('sent_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_outbound_message_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbound_message_idempotency_key'))
    )
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_message_due', ['status', 'not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_message_provider_id'), ['provider_id'], unique=False)

    op.create_table('person_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('unreachable_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_address_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_address')),
    sa.UniqueConstraint('channel', 'address', name=op.f('uq_person_address_channel_address'))
    )
    with op.batch_alter_table('person_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_address_person_id'), ['person_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('person_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_address_person_id'))

    op.drop_table('person_address')
    with op.batch_alter_table('outbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_message_provider_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_message_person_id'))
        batch_op.drop_index('ix_outbound_message_due')

    op.drop_table('outbound_message')
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_message_person_id'))

    op.drop_table('inbound_message')
    with op.batch_alter_table('dataset_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_event_statement'))
        batch_op.drop_index(batch_op.f('ix_dataset_event_person_id'))
        batch_op.drop_index(batch_op.f('ix_dataset_event_occurred_at'))

    op.drop_table('dataset_event')
    op.drop_table('conversation')
    op.drop_table('person')

