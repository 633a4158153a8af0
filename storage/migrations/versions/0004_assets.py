"""Community asset directory (Open Referral UK 3.0) with full-text search per dialect.

Revision ID: 0004_assets
Revises: 0001_core
Create Date: 2026-11-25 04:48:33.322671
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base
from sqlalchemy.dialects import postgresql

revision = '0004_assets'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('asset_location',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('name_cy', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_cy', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('address_1', sa.String(length=255), nullable=True),
    sa.Column('city', sa.String(length=128), nullable=True),
    sa.Column('region', sa.String(length=128), nullable=True),
    sa.Column('postal_code', sa.String(length=16), nullable=True),
    sa.Column('transport', sa.Text(), nullable=True),
    sa.Column('transport_cy', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_location'))
    )
    op.create_table('asset_organization',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_cy', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_cy', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('service_type', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_organization'))
    )
    op.create_table('asset_taxonomy_term',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_cy', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('taxonomy', sa.String(length=128), nullable=True),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_taxonomy_term'))
    )
    with op.batch_alter_table('asset_taxonomy_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_taxonomy_term_code'), ['code'], unique=False)

    op.create_table('asset_accessibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_cy', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('wheelchair', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['asset_location.id'], name=op.f('fk_asset_accessibility_location_id_asset_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_accessibility'))
    )
    with op.batch_alter_table('asset_accessibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_accessibility_location_id'), ['location_id'], unique=False)

    op.create_table('asset_service',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('name_cy', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_cy', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('fees', sa.Text(), nullable=True),
    sa.Column('minimum_age', sa.Integer(), nullable=True),
    sa.Column('maximum_age', sa.Integer(), nullable=True),
    sa.Column('last_modified', storage.models.base.UTCDateTime(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('categories', sa.String(length=255), nullable=False),
    sa.Column('welsh_medium', sa.Boolean(), nullable=False),
    sa.Column('bilingual', sa.Boolean(), nullable=False),
    sa.Column('free', sa.Boolean(), nullable=False),
    sa.Column('wheelchair', sa.Boolean(), nullable=False),
    sa.Column('setting', sa.String(length=16), nullable=False),
    sa.Column('days', sa.String(length=32), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('town', sa.String(length=128), nullable=True),
    sa.Column('town_cy', sa.String(length=128), nullable=True),
    sa.Column('search_document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['asset_organization.id'], name=op.f('fk_asset_service_organization_id_asset_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_service'))
    )
    with op.batch_alter_table('asset_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_service_latitude'), ['latitude'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_service_organization_id'), ['organization_id'], unique=False)

    op.create_table('asset_signpost',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('service_name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('practitioner_told', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_asset_signpost_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_signpost'))
    )
    with op.batch_alter_table('asset_signpost', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_signpost_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_signpost_service_id'), ['service_id'], unique=False)

    op.create_table('asset_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_contact_service_id_asset_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_contact'))
    )
    with op.batch_alter_table('asset_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_contact_service_id'), ['service_id'], unique=False)

    op.create_table('asset_cost_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('option', sa.Text(), nullable=True),
    sa.Column('option_cy', sa.Text(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=10, scale=2, asdecimal=False), nullable=True),
    sa.Column('amount_description', sa.Text(), nullable=True),
    sa.Column('amount_description_cy', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_cost_option_service_id_asset_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_cost_option'))
    )
    with op.batch_alter_table('asset_cost_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_cost_option_service_id'), ['service_id'], unique=False)

    op.create_table('asset_language',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_language_service_id_asset_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_language'))
    )
    with op.batch_alter_table('asset_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_language_service_id'), ['service_id'], unique=False)

    op.create_table('asset_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('freq', sa.String(length=16), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=True),
    sa.Column('byday', sa.String(length=64), nullable=True),
    sa.Column('opens_at', sa.String(length=8), nullable=True),
    sa.Column('closes_at', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_cy', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_schedule_service_id_asset_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_schedule'))
    )
    with op.batch_alter_table('asset_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_schedule_service_id'), ['service_id'], unique=False)

    op.create_table('asset_service_at_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('oruk_id', sa.String(length=64), nullable=True),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['asset_location.id'], name=op.f('fk_asset_service_at_location_location_id_asset_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_service_at_location_service_id_asset_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_service_at_location'))
    )
    with op.batch_alter_table('asset_service_at_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_service_at_location_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_service_at_location_service_id'), ['service_id'], unique=False)

    op.create_table('asset_service_taxonomy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=False),
    sa.Column('taxonomy_term_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['asset_service.id'], name=op.f('fk_asset_service_taxonomy_service_id_asset_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['asset_taxonomy_term.id'], name=op.f('fk_asset_service_taxonomy_taxonomy_term_id_asset_taxonomy_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_service_taxonomy')),
    sa.UniqueConstraint('service_id', 'taxonomy_term_id', name=op.f('uq_asset_service_taxonomy_service_id_taxonomy_term_id'))
    )
    with op.batch_alter_table('asset_service_taxonomy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_service_taxonomy_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_service_taxonomy_taxonomy_term_id'), ['taxonomy_term_id'], unique=False)

    _create_full_text_search()


def _create_full_text_search() -> None:
    """SQLite: an FTS5 table kept in step by triggers. PostgreSQL: a GIN index on a tsvector."""
    if op.get_bind().dialect.name == "postgresql":
        # 'simple' (no stemming): the text is Welsh and English, and is already folded at import.
        # A stored generated column, so ranking reads the vector instead of re-parsing each row.
        op.execute(
            "ALTER TABLE asset_service ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED"
        )
        op.execute("CREATE INDEX ix_asset_service_fts ON asset_service USING gin (search_vector)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE asset_service_fts USING fts5("
        "service_id UNINDEXED, document, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER asset_service_fts_insert AFTER INSERT ON asset_service BEGIN "
        "INSERT INTO asset_service_fts (service_id, document) VALUES (new.id, new.search_document); END"
    )
    op.execute(
        "CREATE TRIGGER asset_service_fts_update AFTER UPDATE OF search_document ON asset_service BEGIN "
        "DELETE FROM asset_service_fts WHERE service_id = old.id; "
        "INSERT INTO asset_service_fts (service_id, document) VALUES (new.id, new.search_document); END"
    )
    op.execute(
        "CREATE TRIGGER asset_service_fts_delete AFTER DELETE ON asset_service BEGIN "
        "DELETE FROM asset_service_fts WHERE service_id = old.id; END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_asset_service_fts")
        op.execute("ALTER TABLE asset_service DROP COLUMN IF EXISTS search_vector")
    else:
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS asset_service_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS asset_service_fts")
    with op.batch_alter_table('asset_service_taxonomy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_service_taxonomy_taxonomy_term_id'))
        batch_op.drop_index(batch_op.f('ix_asset_service_taxonomy_service_id'))

    op.drop_table('asset_service_taxonomy')
    with op.batch_alter_table('asset_service_at_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_service_at_location_service_id'))
        batch_op.drop_index(batch_op.f('ix_asset_service_at_location_location_id'))

    op.drop_table('asset_service_at_location')
    with op.batch_alter_table('asset_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_schedule_service_id'))

    op.drop_table('asset_schedule')
    with op.batch_alter_table('asset_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_language_service_id'))

    op.drop_table('asset_language')
    with op.batch_alter_table('asset_cost_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_cost_option_service_id'))

    op.drop_table('asset_cost_option')
    with op.batch_alter_table('asset_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_contact_service_id'))

    op.drop_table('asset_contact')
    with op.batch_alter_table('asset_signpost', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_signpost_service_id'))
        batch_op.drop_index(batch_op.f('ix_asset_signpost_person_id'))

    op.drop_table('asset_signpost')
    with op.batch_alter_table('asset_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_service_organization_id'))
        batch_op.drop_index(batch_op.f('ix_asset_service_latitude'))

    op.drop_table('asset_service')
    with op.batch_alter_table('asset_accessibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_accessibility_location_id'))

    op.drop_table('asset_accessibility')
    with op.batch_alter_table('asset_taxonomy_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_taxonomy_term_code'))

    op.drop_table('asset_taxonomy_term')
    op.drop_table('asset_organization')
    op.drop_table('asset_location')
