"""Reporting: the immigration abuse indicator on reports (issue 19).

Revision ID: 0023_immigration_abuse
Revises: 0012_sealed_access

Whether the perpetrator used the victim's immigration status or threats of deportation to
control them. Existing reports were never asked, so they stay NULL ("not asked").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_immigration_abuse"
down_revision = "0012_sealed_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("immigration_abuse", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("immigration_abuse")
