"""Wellbeing check-ins, answers, scores, contact times, bookings and nudges

Revision ID: 0007_checkins
Revises: 0002_practitioners
Create Date: 2026-11-25 04:51:57.698455
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base
from sqlalchemy.dialects import postgresql

revision = '0007_checkins'
down_revision = '0002_practitioners'
branch_labels = None
depends_on = None


# APScheduler's SQLAlchemyJobStore keeps its jobs here (bot/scheduler.py, tablename
# SCHEDULER_TABLE); creating it in the migration keeps every table under Alembic.
SCHEDULER_TABLE = "scheduler_job"


def upgrade() -> None:
    op.create_table(SCHEDULER_TABLE,
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_job'))
    )
    op.create_index(op.f('ix_scheduler_job_next_run_time'), SCHEDULER_TABLE, ['next_run_time'], unique=False)
    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.String(length=24), nullable=False),
    sa.Column('questionnaires', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('referred_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('offered_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('expires_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('next_reminder_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_answer_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('completed_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_reason', sa.String(length=32), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_checkin_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('person_id', 'wave', name=op.f('uq_checkin_person_id_wave'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_checkin_status_due', ['status', 'due_at'], unique=False)

    op.create_table('contact_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_contact_preference_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_preference')),
    sa.UniqueConstraint('person_id', name=op.f('uq_contact_preference_person_id'))
    )
    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=True),
    sa.Column('asset_ref', sa.String(length=120), nullable=False),
    sa.Column('activity_cy', sa.String(length=200), nullable=False),
    sa.Column('activity_en', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=True),
    sa.Column('starts_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('remind_person', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('nudge_due_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.Column('nudge_round', sa.Integer(), nullable=False),
    sa.Column('nudge_sent_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('nudge_reminded_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_at', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_booking_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_booking_practitioner_id_practitioner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index('ix_booking_status_nudge', ['status', 'nudge_due_at'], unique=False)

    op.create_table('checkin_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire', sa.String(length=32), nullable=False),
    sa.Column('item', sa.String(length=48), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answered_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_answer_checkin_id_checkin'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_answer')),
    sa.UniqueConstraint('checkin_id', 'questionnaire', 'item', name=op.f('uq_checkin_answer_checkin_id_questionnaire_item'))
    )
    with op.batch_alter_table('checkin_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_answer_checkin_id'), ['checkin_id'], unique=False)

    op.create_table('checkin_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('wave', sa.String(length=24), nullable=False),
    sa.Column('questionnaire', sa.String(length=32), nullable=False),
    sa.Column('measure', sa.String(length=48), nullable=False),
    sa.Column('raw', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('band', sa.String(length=24), nullable=True),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('change', sa.Float(), nullable=True),
    sa.Column('computed_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_score_checkin_id_checkin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_checkin_score_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_score')),
    sa.UniqueConstraint('checkin_id', 'questionnaire', 'measure', name=op.f('uq_checkin_score_checkin_id_questionnaire_measure'))
    )
    with op.batch_alter_table('checkin_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_score_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_score_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('checkin_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_score_person_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_score_checkin_id'))

    op.drop_table('checkin_score')
    with op.batch_alter_table('checkin_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_answer_checkin_id'))

    op.drop_table('checkin_answer')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_status_nudge')
        batch_op.drop_index(batch_op.f('ix_booking_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_booking_person_id'))

    op.drop_table('booking')
    op.drop_table('contact_preference')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_status_due')
        batch_op.drop_index(batch_op.f('ix_checkin_person_id'))

    op.drop_table('checkin')
    op.drop_index(op.f('ix_scheduler_job_next_run_time'), table_name=SCHEDULER_TABLE)
    op.drop_table(SCHEDULER_TABLE)
