"""Policy: every disclosure records its lawful basis and condition (DPA 2018 Part 3 or UK GDPR).

Revision ID: 0018_data_protection
Revises: 0016_record_bound_decisions

Schema only. Nullable: disclosures recorded before this revision did not record a basis,
and we do not guess one for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_data_protection"
down_revision = "0016_record_bound_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_disclosures") as batch:
        batch.add_column(sa.Column("lawful_basis", sa.String(48), nullable=True))
        batch.add_column(sa.Column("processing_condition", sa.String(48), nullable=True))
        batch.create_index("ix_policy_disclosures_lawful_basis", ["lawful_basis"])


def downgrade() -> None:
    with op.batch_alter_table("policy_disclosures") as batch:
        batch.drop_index("ix_policy_disclosures_lawful_basis")
        batch.drop_column("processing_condition")
        batch.drop_column("lawful_basis")
