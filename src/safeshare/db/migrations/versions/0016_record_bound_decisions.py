"""Policy: decisions bound to the case record; disclosure recipients and onward-use terms.

Revision ID: 0016_record_bound_decisions
Revises: 0007_disclosures

Schema only. Existing decisions are not rewritten: their `request` JSON (the facts typed
in then, under the old name `suspected_of_offence`) stays byte for byte what their ledger
entries hash, `fact_versions` stays NULL, and replay reads the old name and rebuilds the
Cedar context their stored schema declares, so they replay exactly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_record_bound_decisions"
down_revision = "0007_disclosures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_decisions") as batch:
        batch.add_column(sa.Column("fact_versions", sa.JSON(), nullable=True))
    # Nullable: disclosures recorded before this revision named neither, and we do not guess.
    with op.batch_alter_table("policy_disclosures") as batch:
        batch.add_column(sa.Column("recipient_organisation", sa.String(200), nullable=True))
        batch.add_column(sa.Column("onward_use_condition", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_disclosures") as batch:
        batch.drop_column("onward_use_condition")
        batch.drop_column("recipient_organisation")
    with op.batch_alter_table("policy_decisions") as batch:
        batch.drop_column("fact_versions")
