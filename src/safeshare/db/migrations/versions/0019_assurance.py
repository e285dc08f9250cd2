"""Oversight: where each outcome after a share came from, and approval to publish a
recommendation's response (issue 19, PCC assurance).

Revision ID: 0019_assurance
Revises: 0008_oversight

Outcomes recorded before this revision never asked for a source: the server default fills
them with "not_recorded", which statistics show as such rather than guessing. The wider
range of actions needs no schema change (outcome values are a closed list in code).
Existing responses start unpublished: someone must approve each for the public page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0019_assurance"
down_revision = "0008_oversight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oversight_share_outcomes") as batch:
        batch.add_column(
            sa.Column("source", sa.String(32), nullable=False, server_default="not_recorded")
        )
    with op.batch_alter_table("oversight_recommendations") as batch:
        batch.add_column(sa.Column("published_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("published_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oversight_recommendations") as batch:
        batch.drop_column("published_by")
        batch.drop_column("published_at")
    with op.batch_alter_table("oversight_share_outcomes") as batch:
        batch.drop_column("source")
