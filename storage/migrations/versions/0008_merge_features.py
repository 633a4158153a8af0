"""Joins the feature branches (channels, assets, data set, referral, check-ins) into one head.

Revision ID: 0008_merge_features
Revises: 0003_channels, 0004_assets, 0005_dataset, 0006_referral, 0007_checkins
"""

revision = "0008_merge_features"
down_revision = ("0003_channels", "0004_assets", "0005_dataset", "0006_referral", "0007_checkins")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
