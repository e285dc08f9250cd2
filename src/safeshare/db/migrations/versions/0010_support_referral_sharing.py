"""Support: each referral records the Firewall decision behind it and the categories shared.

Revision ID: 0010_support_referral_sharing
Revises: 0006_support

No foreign key to the decision: policy tables live on another branch off the foundation
(STYLE.md). Existing referrals predate the Firewall check, so they share nothing recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_support_referral_sharing"
down_revision = "0006_support"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("support_referrals") as batch:
        batch.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "shared_categories", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )
        batch.create_index(batch.f("ix_support_referrals_decision_id"), ["decision_id"])


def downgrade() -> None:
    with op.batch_alter_table("support_referrals") as batch:
        batch.drop_index(batch.f("ix_support_referrals_decision_id"))
        batch.drop_column("shared_categories")
        batch.drop_column("decision_id")
