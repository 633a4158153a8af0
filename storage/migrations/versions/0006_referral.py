"""Self-referrals, team round robin, safeguarding alerts and their log

Revision ID: 0006_referral
Revises: 0002_practitioners
Create Date: 2026-11-25 05:01:26.144202
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base
from sqlalchemy.dialects import postgresql

revision = '0006_referral'
down_revision = '0002_practitioners'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('practitioner_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('postcode_area', sa.String(length=8), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('first_contact_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_referral_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_referral_practitioner_id_practitioner')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_referral_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_updated_at'), ['updated_at'], unique=False)

    op.create_table('safeguarding_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('detected_by', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('alerted', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('raised_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('next_escalation_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['practitioner.id'], name=op.f('fk_safeguarding_alert_acknowledged_by_practitioner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inbound_id'], ['inbound_message.id'], name=op.f('fk_safeguarding_alert_inbound_id_inbound_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_safeguarding_alert_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_safeguarding_alert_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safeguarding_alert'))
    )
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_next_escalation_at'), ['next_escalation_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_alert_team_id'), ['team_id'], unique=False)

    op.create_table('team_rotation',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('last_practitioner_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['last_practitioner_id'], ['practitioner.id'], name=op.f('fk_team_rotation_last_practitioner_id_practitioner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_rotation_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_rotation'))
    )
    op.create_table('alert_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['safeguarding_alert.id'], name=op.f('fk_alert_event_alert_id_safeguarding_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_alert_event_practitioner_id_practitioner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_event'))
    )
    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_event_alert_id'), ['alert_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('alert_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_event_alert_id'))

    op.drop_table('alert_event')
    op.drop_table('team_rotation')
    with op.batch_alter_table('safeguarding_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_team_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_status'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_person_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_alert_next_escalation_at'))

    op.drop_table('safeguarding_alert')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_updated_at'))
        batch_op.drop_index(batch_op.f('ix_referral_team_id'))
        batch_op.drop_index(batch_op.f('ix_referral_status'))
        batch_op.drop_index(batch_op.f('ix_referral_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_referral_person_id'))

    op.drop_table('referral')

