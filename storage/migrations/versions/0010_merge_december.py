"""Joins December's parallel changes (send priority, outbound subjects, practitioners' languages,
safeguarding tiers, end of support) into one head.

Revision ID: 0010_merge_december
"""

revision = "0010_merge_december"
down_revision = ("0009_core", "0009_dataprot", "0009_practitioner", "0009_response", "0009_table2")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
